// EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): removes the messages
// marked \Deleted and says so with EXPUNGE (or VANISHED once QRESYNC is on).

import type { ImapSession } from '../session.ts';
import { formatNumberSet } from '../sequence-set.ts';
import { Code, no } from '../replies.ts';
import type { SequenceSet } from '../sequence-set.ts';
import { noArguments, SELECTED, type Command } from './types.ts';

/** Tells the client that these (seq, uid) pairs, highest first, are gone. */
export async function announceExpunged(session: ImapSession, gone: readonly { seq: number; uid: number }[]): Promise<void> {
  if (gone.length === 0) return;
  if (session.qresync) {
    session.write(`* VANISHED ${formatNumberSet(gone.map((g) => g.uid).sort((a, b) => a - b))}\r\n`);
    return;
  }
  for (const { seq } of gone) await session.send(`* ${seq} EXPUNGE\r\n`);
}

async function expungeDeleted(session: ImapSession, onlyUids: ((uid: number) => boolean) | null): Promise<{ code: string | null }> {
  const view = session.view;
  if (view.readOnly) throw no('The mailbox is open read-only', Code.readOnly);
  const { mailboxes } = session.store;
  const deleted = (await mailboxes.listMessages(view.mailboxId))
    .filter((m) => m.flags.includes('\\Deleted') && view.seqOf(m.uid) > 0 && (onlyUids === null || onlyUids(m.uid)))
    .map((m) => m.uid);
  if (deleted.length === 0) return { code: null };
  const expunged = await mailboxes.expunge(view.mailboxId, deleted);
  await announceExpunged(session, view.removeUids(expunged));
  if (!session.condstore) return { code: null };
  // RFC 7162 §3.1.10: the OK after EXPUNGE carries the new HIGHESTMODSEQ.
  const status = await mailboxes.status(view.mailboxId);
  view.highestModseq = status.highestModseq;
  return { code: `HIGHESTMODSEQ ${status.highestModseq}` };
}

export const expunge: Command<void> = {
  states: SELECTED,
  parse: noArguments,
  async run(session) {
    return expungeDeleted(session, null);
  },
};

export const uidExpunge: Command<SequenceSet> = {
  states: SELECTED,
  parse(args) {
    args.sp();
    const set = args.sequenceSet();
    args.end();
    return set;
  },
  async run(session, set) {
    const uids = new Set(session.view.resolve(set, true).map((m) => m.uid));
    return expungeDeleted(session, (uid) => uids.has(uid));
  },
};
