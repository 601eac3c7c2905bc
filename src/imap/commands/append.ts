// APPEND (RFC 3501 §6.3.11, RFC 9051 §6.3.12) with LITERAL+ (RFC 7888) and APPENDUID
// (RFC 4315 §3). The message literal streams straight into a blob; size, mailbox and
// quota are checked before the "+" continuation so a refused message is never sent.

import { canonicalFlags } from '../../core/store/names.ts';
import { StoreError, type Mailbox } from '../../core/store/types.ts';
import type { PendingLiteral } from '../command-reader.ts';
import { mailboxArg } from '../mailbox-names.ts';
import { bad, Code, no, Text } from '../replies.ts';
import type { ImapSession } from '../session.ts';
import type { ArgParser } from '../wire.ts';
import { AUTHENTICATED, type Command, type ParseContext } from './types.ts';

interface AppendArguments {
  name: string;
  flags: string[];
  internalDate: Date;
}

/**
 * mailbox [SP flag-list] [SP date-time] SP literal (RFC 3501 §6.3.11). The literal
 * itself is not parsed: run streams it (ctx.literal).
 */
function parseAppend(args: ArgParser, ctx: ParseContext): AppendArguments {
  args.sp();
  const name = mailboxArg(args, ctx);
  args.sp();
  let flags: string[] = [];
  let internalDate = new Date();
  if (args.peek() === 0x28) {
    flags = args.flagList();
    args.sp();
  }
  if (args.peek() === 0x22) {
    internalDate = args.dateTime();
    args.sp();
  }
  if (args.peek() !== 0x7b && args.peek() !== 0x7e) throw bad('Expected the message literal');
  try {
    flags = canonicalFlags(flags, new Map());
  } catch (error) {
    if (error instanceof StoreError) throw bad(error.message);
    throw error;
  }
  if (flags.includes('\\*')) throw bad('\\* is not a flag');
  return { name, flags, internalDate };
}

export const append: Command<AppendArguments> = {
  states: AUTHENTICATED,
  parse: parseAppend,
  async run(session, { name, flags, internalDate }, { literal }) {
    if (!literal) throw bad('APPEND needs the message as a literal');
    const mailbox = await checkBeforeContinuation(session, name, literal.size);
    const blob = await receiveMessage(session, literal);
    const { store } = session;
    try {
      const delivered = await store.messages.deliver({ blobId: blob.blobId, size: blob.size, internalDate, local: [{ accountId: session.account.id, mailbox: mailbox.name, flags }] });
      const target = delivered.local[0]!;
      if (session.state.name === 'selected' && session.state.view.mailboxId === target.mailboxId) session.state.view.membershipChanged = true;
      // RFC 4315 §3: APPENDUID uidvalidity uid.
      return { code: `APPENDUID ${mailbox.uidValidity} ${target.uid}` };
    } catch (error) {
      await store.blobs.delete(blob.blobId).catch(() => {});
      throw error;
    }
  },
};

/**
 * Size, mailbox and quota, checked before "+" (RFC 7888 §4 / RFC 4469), so a refused
 * message is never sent (a non-synchronizing literal is discarded by the dispatcher).
 */
async function checkBeforeContinuation(session: ImapSession, name: string, size: number): Promise<Mailbox> {
  const { mailboxes } = session.store;
  const accountId = session.account.id;
  const limit = session.limits.appendLiteralOctets;
  if (size > limit) throw no(Text.literalTooBig(limit), Code.tooBig);
  const mailbox = await mailboxes.getMailbox(accountId, name);
  if (!mailbox) throw no('No such mailbox', Code.tryCreate);
  const quota = await mailboxes.quota(accountId);
  if (quota.limitBytes !== null && quota.usedBytes + size > quota.limitBytes) throw no('Quota exceeded', Code.overQuota);
  return mailbox;
}

/** Streams the literal into a new blob; nothing is kept when it fails or more follows. */
async function receiveMessage(session: ImapSession, literal: PendingLiteral): Promise<{ blobId: string; size: number }> {
  const writer = await session.store.blobs.create();
  let failure: unknown = null;
  let rest: Buffer;
  try {
    rest = await literal.pipe(async (chunk) => {
      if (failure) return;
      try {
        await writer.write(chunk);
      } catch (error) {
        failure = error; // keep reading the literal so it is not taken for commands
      }
    });
  } catch (error) {
    await writer.abort().catch(() => {});
    throw error;
  }
  if (failure || rest.length > 0) {
    await writer.abort().catch(() => {});
    if (failure) throw failure;
    // MULTIAPPEND (RFC 3502) is not offered.
    throw bad('Only one message per APPEND');
  }
  return writer.commit();
}
