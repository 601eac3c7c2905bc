// STORE and UID STORE (RFC 3501 §6.4.6, RFC 9051 §6.4.6) with .SILENT and the CONDSTORE
// modifier UNCHANGEDSINCE (RFC 7162 §3.1.3): FLAGS, +FLAGS, -FLAGS; keywords welcome.

import { flagList } from '../encode.ts';
import { bad, Code, no } from '../replies.ts';
import { formatNumberSet, type SequenceSet } from '../sequence-set.ts';
import type { ArgParser } from '../wire.ts';
import { SELECTED, type Command } from './types.ts';

interface StoreArguments {
  set: SequenceSet;
  /** RFC 7162 §3.1.3 UNCHANGEDSINCE, when given. */
  unchangedSince: number | undefined;
  mode: 'add' | 'remove' | 'set';
  silent: boolean;
  flags: string[];
}

/** sequence-set SP [(UNCHANGEDSINCE n) SP] [+|-]FLAGS[.SILENT] SP flags (RFC 3501 §6.4.6). */
function parseStore(args: ArgParser): StoreArguments {
  args.sp();
  const set = args.sequenceSet();
  args.sp();
  let unchangedSince: number | undefined;
  if (args.tryChar('(')) {
    // RFC 7162 §3.1.3: STORE modifiers.
    const modifier = args.keyword('store modifier');
    if (modifier !== 'UNCHANGEDSINCE') throw bad(`Unknown STORE modifier ${modifier}`);
    args.sp();
    unchangedSince = args.modSequence();
    args.expect(')');
    args.sp();
  }
  const item = args.takeWhile((b) => b !== 0x20).toUpperCase();
  const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
  if (!m) throw bad('Expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT)');
  const mode = m[1] === '+' ? 'add' : m[1] === '-' ? 'remove' : 'set';
  const silent = m[2] !== undefined;
  args.sp();
  const flags = args.storeFlags();
  args.end();
  if (flags.includes('\\*')) throw bad('\\* is not a flag');
  return { set, unchangedSince, mode, silent, flags };
}

export const store: Command<StoreArguments> = {
  states: SELECTED,
  noExpunge: true,
  parse: parseStore,
  async run(session, { set, unchangedSince, mode, silent, flags }, { uid }) {
    if (unchangedSince !== undefined) await session.useCondstore();
    const view = session.view;
    if (view.readOnly) throw no('The mailbox is open read-only', Code.readOnly);
    const targets = view.resolve(set, uid);
    if (targets.length === 0) return;
    const result = await session.store.mailboxes.storeFlags(view.mailboxId, targets.map((t) => t.uid), mode, flags, unchangedSince === undefined ? undefined : { unchangedSince });
    const changed = new Set(result.changed);
    for (const u of result.changed) view.flagChanges.delete(u);
    const modified = new Set(result.modified);
    for (const meta of result.messages) {
      const seq = view.seqOf(meta.uid);
      if (seq === 0 || modified.has(meta.uid)) continue;
      const modseq = session.condstore ? ` MODSEQ (${meta.modseq})` : '';
      if (meta.modseq > view.highestModseq) view.highestModseq = meta.modseq;
      const uidItem = uid || session.qresync ? `UID ${meta.uid} ` : '';
      if (!silent) {
        await session.send(`* ${seq} FETCH (${uidItem}FLAGS ${flagList(session.flagsOf(meta.flags, meta.uid))}${modseq})\r\n`);
      } else if (session.condstore && changed.has(meta.uid)) {
        // RFC 7162 §3.1.3: with .SILENT, the new MODSEQ of changed messages is still reported.
        await session.send(`* ${seq} FETCH (${uidItem}MODSEQ (${meta.modseq}))\r\n`);
      }
    }
    if (result.modified.length > 0) {
      // RFC 7162 §3.1.3: MODIFIED lists the messages UNCHANGEDSINCE protected (UIDs for UID STORE).
      const numbers = uid ? result.modified : result.modified.map((u) => view.seqOf(u)).filter((s) => s > 0).sort((a, b) => a - b);
      return { code: `${Code.modified} ${formatNumberSet(numbers)}`, text: 'Conditional STORE failed for some messages' };
    }
  },
};
