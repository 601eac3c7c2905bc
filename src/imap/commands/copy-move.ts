// COPY (RFC 3501 §6.4.7) and MOVE (RFC 6851), and their UID forms, with COPYUID
// (RFC 4315 §3). A missing destination is NO [TRYCREATE]. The destination may be the
// selected mailbox itself (RFC 6851 §3.3 does not forbid it; Dovecot allows it): the
// message gets a new UID there, announced by EXISTS, and for MOVE the old one goes.

import { mailboxArg } from '../mailbox-names.ts';
import { Code, no } from '../replies.ts';
import { formatNumberSet, type SequenceSet } from '../sequence-set.ts';
import type { ImapSession } from '../session.ts';
import type { ArgParser } from '../wire.ts';
import { announceExpunged } from './expunge.ts';
import { SELECTED, type Command, type ParseContext } from './types.ts';

interface CopyArguments {
  set: SequenceSet;
  /** The destination mailbox. */
  name: string;
}

/** sequence-set SP mailbox (RFC 3501 §6.4.7, RFC 6851 §3.1). */
function parseCopy(args: ArgParser, ctx: ParseContext): CopyArguments {
  args.sp();
  const set = args.sequenceSet();
  args.sp();
  const name = mailboxArg(args, ctx);
  args.end();
  return { set, name };
}

/** The messages meant and the destination, which must exist. */
async function resolveCopy(session: ImapSession, { set, name }: CopyArguments, uid: boolean) {
  const view = session.view;
  const targets = view.resolve(set, uid);
  const destination = await session.store.mailboxes.getMailbox(session.account.id, name);
  // RFC 3501 §6.4.7: TRYCREATE tells the client that CREATE may help.
  if (!destination) throw no('No such destination mailbox', Code.tryCreate);
  return { view, targets, destination };
}

function copyUidCode(result: { uidValidity: number; mapping: { srcUid: number; dstUid: number }[] }): string | null {
  if (result.mapping.length === 0) return null;
  return `COPYUID ${result.uidValidity} ${formatNumberSet(result.mapping.map((m) => m.srcUid))} ${formatNumberSet(result.mapping.map((m) => m.dstUid))}`;
}

export const copy: Command<CopyArguments> = {
  states: SELECTED,
  parse: parseCopy,
  async run(session, parsed, { uid }) {
    const { view, targets, destination } = await resolveCopy(session, parsed, uid);
    if (targets.length === 0) return;
    const result = await session.store.mailboxes.copyMessages(view.mailboxId, targets.map((t) => t.uid), destination.id);
    return { code: copyUidCode(result) };
  },
};

export const move: Command<CopyArguments> = {
  states: SELECTED,
  parse: parseCopy,
  async run(session, parsed, { uid }) {
    const { view, targets, destination } = await resolveCopy(session, parsed, uid);
    if (view.readOnly) throw no('The mailbox is open read-only', Code.readOnly);
    if (targets.length === 0) return;
    const result = await session.store.mailboxes.moveMessages(view.mailboxId, targets.map((t) => t.uid), destination.id);
    // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
    const code = copyUidCode(result);
    if (code) session.write(`* OK [${code}] Moved\r\n`);
    await announceExpunged(session, view.removeUids(result.mapping.map((m) => m.srcUid)));
  },
};
