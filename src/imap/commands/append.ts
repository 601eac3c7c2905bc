// APPEND (RFC 3501 §6.3.11, RFC 9051 §6.3.12) with LITERAL+ (RFC 7888) and APPENDUID
// (RFC 4315 §3). The message literal streams straight into a blob; size, mailbox and
// quota are checked before the "+" continuation so a refused message is never sent.

import { canonicalFlags } from '../../core/store/names.ts';
import { StoreError } from '../../core/store/types.ts';
import { mailboxArg } from '../mailbox-names.ts';
import { bad, Code, no, Text } from '../replies.ts';
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
    const { store } = session;
    const accountId = session.account.id;
    const limit = session.limits.appendLiteralOctets;
    // RFC 7888 §4 / RFC 4469: refused before "+" (a non-synchronizing literal is discarded).
    if (literal.size > limit) throw no(Text.literalTooBig(limit), Code.tooBig);
    const mailbox = await store.mailboxes.getMailbox(accountId, name);
    if (!mailbox) throw no('No such mailbox', Code.tryCreate);
    const quota = await store.mailboxes.quota(accountId);
    if (quota.limitBytes !== null && quota.usedBytes + literal.size > quota.limitBytes) throw no('Quota exceeded', Code.overQuota);

    const writer = await store.blobs.create();
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
    const blob = await writer.commit();
    try {
      const delivered = await store.messages.deliver({ blobId: blob.blobId, size: blob.size, internalDate, local: [{ accountId, mailbox: mailbox.name, flags }] });
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
