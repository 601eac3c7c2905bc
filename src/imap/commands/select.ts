// SELECT and EXAMINE (RFC 3501 §6.3.1-6.3.2, RFC 9051 §6.3.2-6.3.3) with the CONDSTORE
// and QRESYNC parameters (RFC 7162 §3.1.8, §3.2.5), and leaving a mailbox: CLOSE
// (RFC 3501 §6.4.2), UNSELECT (RFC 3691) and CHECK (RFC 3501 §6.4.1).

import { foldCase } from '../../core/store/names.ts';
import type { Mailbox, MailboxStatus } from '../../core/store/types.ts';
import { flagList, mailboxName } from '../encode.ts';
import { flagsAnnouncement } from '../keywords.ts';
import { mailboxArg } from '../mailbox-names.ts';
import { bad, Code, no, untaggedStatus } from '../replies.ts';
import { MailboxView } from '../selected-view.ts';
import { formatNumberSet, resolveRanges, inRanges, type SequenceSet } from '../sequence-set.ts';
import type { ImapSession } from '../session.ts';
import type { ArgParser } from '../wire.ts';
import { AUTHENTICATED, noArguments, SELECTED, type Command, type ParseContext } from './types.ts';

interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids: SequenceSet | null;
}

interface SelectArguments {
  name: string;
  /** RFC 7162 §3.1.8: SELECT (CONDSTORE) turns CONDSTORE on. */
  condstore: boolean;
  qresync: QresyncParams | null;
}

/** mailbox [SP "(" select-param *(SP select-param) ")"] (RFC 4466 §2.1). */
function parseSelect(args: ArgParser, ctx: ParseContext): SelectArguments {
  args.sp();
  const parsed: SelectArguments = { name: mailboxArg(args, ctx), condstore: false, qresync: null };
  if (args.trySp()) {
    args.expect('(');
    while (!args.tryChar(')')) {
      const param = args.keyword('select parameter');
      if (param === 'CONDSTORE') parsed.condstore = true;
      else if (param === 'QRESYNC') parsed.qresync = parseQresync(args);
      else throw bad(`Unknown SELECT parameter ${param}`);
      args.trySp();
    }
  }
  args.end();
  return parsed;
}

/** RFC 7162 §3.2.5: QRESYNC (uidvalidity modseq [known-uids [seq-match-data]]). */
function parseQresync(args: ArgParser): QresyncParams {
  args.sp();
  args.expect('(');
  const uidValidity = args.nzNumber('uidvalidity');
  args.sp();
  const modseq = args.modSequence();
  let knownUids: SequenceSet | null = null;
  if (args.trySp()) {
    if (args.peek() !== 0x28) knownUids = args.sequenceSet();
    if (args.trySp() || args.peek() === 0x28) {
      // The sequence match data only helps servers without tombstones; skip it.
      args.expect('(');
      args.sequenceSet();
      args.sp();
      args.sequenceSet();
      args.expect(')');
    }
  }
  args.expect(')');
  return { uidValidity, modseq, knownUids };
}

function selectCommand(readOnly: boolean): Command<SelectArguments> {
  return {
    states: AUTHENTICATED,
    parse: parseSelect,
    async run(session, { name, condstore, qresync }, { verb }) {
      // RFC 7162 §3.2.5: QRESYNC only after ENABLE QRESYNC.
      if (qresync && !session.qresync) throw bad('QRESYNC must be enabled first');
      if (condstore) session.condstoreUsed = true;
      const { mailbox, view, status, keywords } = await openMailbox(session, name, readOnly);
      sendSelectResponses(session, mailbox, view, status, keywords);
      if (qresync && qresync.uidValidity === view.uidValidity) await sendQresyncChanges(session, view, qresync);
      return { code: readOnly ? Code.readOnly : Code.readWrite, text: `${verb} completed` };
    },
  };
}

/**
 * Leaves the current mailbox and selects the named one (RFC 3501 §6.3.1: a failed
 * SELECT leaves the session unselected, too), with changes made meanwhile replayed.
 */
async function openMailbox(session: ImapSession, name: string, readOnly: boolean) {
  const { mailboxes } = session.store;
  const previous = session.state.name === 'selected';
  session.leaveSelected();
  // RFC 7162 §3.2.11 / RFC 9051 §7.1: CLOSED marks where the old mailbox's responses end.
  if (previous && (session.qresync || session.rev2)) session.write(untaggedStatus('OK', 'Previous mailbox closed', Code.closed));
  session.updates.watchForSelect();
  const mailbox = await mailboxes.getMailbox(session.account.id, name);
  if (!mailbox) {
    session.leaveSelected();
    throw no('No such mailbox', Code.nonExistent);
  }
  const uids = await mailboxes.listUids(mailbox.id);
  const view = new MailboxView(mailbox, uids, readOnly);
  session.enterSelected(view);
  if (!readOnly) {
    const claim = await mailboxes.claimRecent(mailbox.id);
    view.addRecent(claim.fromUid, claim.toUid);
  }
  const [status, keywords] = await Promise.all([mailboxes.status(mailbox.id), mailboxes.listKeywords(mailbox.id)]);
  view.highestModseq = status.highestModseq;
  if (readOnly) view.peekRecent(uids, status.recent);
  return { mailbox, view, status, keywords };
}

/** The untagged responses of a successful SELECT/EXAMINE (RFC 3501 §6.3.1, RFC 9051 §6.3.2). */
function sendSelectResponses(session: ImapSession, mailbox: Mailbox, view: MailboxView, status: MailboxStatus, keywords: readonly string[]): void {
  for (const keyword of keywords) view.keywords.set(foldCase(keyword), keyword);
  session.write(flagsAnnouncement(view));
  session.write(`* ${view.exists} EXISTS\r\n`);
  if (!session.rev2) {
    session.write(`* ${view.recentCount()} RECENT\r\n`);
    const firstUnseen = status.firstUnseenUid === null ? 0 : view.seqOf(status.firstUnseenUid);
    if (firstUnseen > 0) session.write(untaggedStatus('OK', `Message ${firstUnseen} is first unseen`, `UNSEEN ${firstUnseen}`));
  }
  session.write(untaggedStatus('OK', 'UIDs valid', `UIDVALIDITY ${view.uidValidity}`));
  session.write(untaggedStatus('OK', 'Predicted next UID', `UIDNEXT ${status.uidNext}`));
  if (session.condstore) session.write(untaggedStatus('OK', 'Highest', `HIGHESTMODSEQ ${status.highestModseq}`));
  // RFC 9051 §6.3.2: IMAP4rev2 SELECT includes the mailbox's LIST response.
  if (session.rev2) session.write(`* LIST () "/" ${mailboxName(mailbox.name, true)}\r\n`);
}

/** RFC 7162 §3.2.5.2: what changed since the client's modseq, as VANISHED (EARLIER) and FETCH. */
async function sendQresyncChanges(session: ImapSession, view: MailboxView, q: QresyncParams): Promise<void> {
  const changes = await session.store.mailboxes.changesSince(view.mailboxId, q.modseq);
  let vanished = changes.expunged;
  if (q.knownUids && q.knownUids.kind === 'ranges') {
    const ranges = resolveRanges(q.knownUids, view.lastUid);
    vanished = vanished.filter((uid) => inRanges(ranges, uid));
  }
  if (vanished.length > 0) session.write(`* VANISHED (EARLIER) ${formatNumberSet(vanished)}\r\n`);
  for (const meta of changes.changed) {
    const seq = view.seqOf(meta.uid);
    if (seq === 0) continue;
    await session.send(`* ${seq} FETCH (UID ${meta.uid} FLAGS ${flagList(session.flagsOf(meta.flags, meta.uid))} MODSEQ (${meta.modseq}))\r\n`);
  }
}

export const select = selectCommand(false);
export const examine = selectCommand(true);

/** RFC 3501 §6.4.2: silently expunges \Deleted messages (read-write only), then leaves. */
export const close: Command<void> = {
  states: SELECTED,
  parse: noArguments,
  async run(session) {
    const view = session.view;
    if (!view.readOnly) {
      const deleted = (await session.store.mailboxes.listMessages(view.mailboxId)).filter((m) => m.flags.includes('\\Deleted') && view.seqOf(m.uid) > 0);
      if (deleted.length > 0) await session.store.mailboxes.expunge(view.mailboxId, deleted.map((m) => m.uid));
    }
    session.leaveSelected();
  },
};

/** RFC 3691: leaves the mailbox without expunging. */
export const unselect: Command<void> = {
  states: SELECTED,
  parse: noArguments,
  run(session) {
    session.leaveSelected();
  },
};

/** RFC 3501 §6.4.1: nothing to checkpoint; every change is already durable. */
export const check: Command<void> = {
  states: SELECTED,
  parse: noArguments,
  run() {},
};
