// APPEND (RFC 3501 §6.3.11, RFC 9051 §6.3.12) with LITERAL+ (RFC 7888), APPENDUID
// (RFC 4315 §3), MULTIAPPEND (RFC 3502: several messages, all or none) and CATENATE
// (RFC 4469: a message put together from TEXT literals and URLs of messages or
// sections of this account). Each message literal streams straight into a blob; size,
// mailbox and quota are checked before its "+" continuation so a refused message is
// never sent. Every message of the command is recorded by one deliverMany(): one
// transaction, one fsync (small bodies ride in it too, see store/sqlite/inline-blobs.ts).

import { StoreError, type BlobWriter, type DeliveryRequest, type QuotaUsage } from '../../core/store/types.ts';
import { canonicalFlags } from '../../core/store/names.ts';
import type { PendingLiteral } from '../command-reader.ts';
import { mailboxArg } from '../mailbox-names.ts';
import { bad, Code, no, Text } from '../replies.ts';
import type { ImapSession } from '../session.ts';
import { ArgParser } from '../wire.ts';
import { appendUrlPart } from './catenate.ts';
import { AUTHENTICATED, type Command, type ParseContext } from './types.ts';

interface AppendArguments {
  name: string;
  /** Positioned after the mailbox name: the messages are read while they stream in. */
  args: ArgParser;
}

/** A message of the command whose body is committed, waiting for the one delivery of all. */
interface Received {
  blobId: string;
  size: number;
  flags: string[];
  internalDate: Date;
}

/** The marker of a literal ending the current line: "{n}", "{n+}" or "~{n}" (RFC 3516). */
const LITERAL_MARKER = /^~?\{[0-9]+\+?\}$/;
/** Longest URL accepted as a literal (URLs are short; this is not a message). */
const URL_LITERAL_OCTETS = 8192;

/** APPEND SP mailbox 1*(SP [flag-list SP] [date-time SP] (literal / CATENATE (...))) (RFC 3502 §6.3.11, RFC 4469 §5). */
function parseAppend(args: ArgParser, ctx: ParseContext): AppendArguments {
  args.sp();
  const name = mailboxArg(args, ctx);
  return { name, args };
}

export const append: Command<AppendArguments> = {
  states: AUTHENTICATED,
  parse: parseAppend,
  async run(session, { name, args }, { literal }) {
    const { mailboxes } = session.store;
    // Both before the first "+", in one round trip to the store.
    const [mailbox, quota] = await Promise.all([mailboxes.getMailbox(session.account.id, name), mailboxes.quota(session.account.id)]);
    if (!mailbox) throw no('No such mailbox', Code.tryCreate);
    const reader = new AppendReader(session, args, literal, quota);
    const received: Received[] = [];
    try {
      do {
        received.push(await reader.message(received.reduce((sum, m) => sum + m.size, 0)));
      } while (!reader.atEnd());
      const requests: DeliveryRequest[] = received.map((m) => ({
        blobId: m.blobId,
        size: m.size,
        internalDate: m.internalDate,
        local: [{ accountId: session.account.id, mailbox: mailbox.name, flags: m.flags }],
      }));
      // Into the mailbox this session has selected read-write: it is the first to hear of
      // these messages, so it claims their \Recent (RFC 3501 §2.3.2) in the same commit.
      const view = session.state.name === 'selected' && session.state.view.mailboxId === mailbox.id ? session.state.view : null;
      const claimRecentIn = view && !view.readOnly ? mailbox.id : undefined;
      const { delivered, recent } = await session.store.messages.deliverMany(requests, claimRecentIn === undefined ? {} : { claimRecentIn });
      const uids = delivered.map((d) => d.local[0]!.uid);
      if (view) {
        if (recent) view.addRecent(recent.fromUid, recent.toUid);
        view.membershipChanged = true;
      }
      // RFC 4315 §3: APPENDUID uidvalidity uid-set (a set for MULTIAPPEND).
      return { code: `APPENDUID ${mailbox.uidValidity} ${uidSet(uids)}` };
    } catch (error) {
      // RFC 3502: none of them is appended. Dropping a blob twice is harmless.
      await Promise.all(received.map((m) => session.store.blobs.delete(m.blobId).catch(() => {})));
      throw error;
    }
  },
};

/** "4:6" for 4,5,6 (RFC 4315 §4 uid-set); UIDs of one delivery ascend. */
function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(j === i ? `${uids[i]}` : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Walks the arguments of one APPEND line by line: each literal ends a line, its octets
 * go where they belong (a message blob, or memory for a URL), and the line after it
 * carries on with the next argument.
 */
class AppendReader {
  private readonly session: ImapSession;
  private args: ArgParser;
  /** The literal that ends the current line, not read yet. */
  private literal: PendingLiteral | null;
  /** The account's usage when the command began; the store checks again when it records. */
  private readonly quota: QuotaUsage;

  constructor(session: ImapSession, args: ArgParser, literal: PendingLiteral | null, quota: QuotaUsage) {
    this.session = session;
    this.args = args;
    this.literal = literal;
    this.quota = quota;
  }

  atEnd(): boolean {
    return this.args.atEnd() && this.literal === null;
  }

  /** SP [flag-list SP] [date-time SP] append-data, committed to a blob. */
  async message(sizeSoFar: number): Promise<Received> {
    const { args } = this;
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
    flags = checkFlags(flags);
    if (args.peek() === 0x7b || args.peek() === 0x7e) {
      const size = this.literalSize();
      this.checkBeforeContinuation(sizeSoFar + size, size);
      const writer = await this.session.store.blobs.create();
      const body = await this.streamInto(writer);
      return { ...body, flags, internalDate };
    }
    if (args.peekKeyword() !== 'CATENATE') throw bad('Expected the message literal or CATENATE');
    args.keyword();
    args.sp();
    args.expect('(');
    const writer = await this.session.store.blobs.create();
    try {
      for (let first = true; !this.args.tryChar(')'); first = false) {
        if (!first) this.args.sp();
        await this.catPart(writer, sizeSoFar);
      }
    } catch (error) {
      await writer.abort().catch(() => {});
      throw error;
    }
    const body = await writer.commit();
    return { ...body, flags, internalDate };
  }

  /**
   * Size and quota, checked before "+" (RFC 7888 §4 / RFC 4469), so a refused message is
   * never sent (a non-synchronizing literal is discarded by the dispatcher). `total` is
   * what the whole command stores once this literal is in.
   */
  private checkBeforeContinuation(total: number, size: number): void {
    const limit = this.session.limits.appendLiteralOctets;
    if (size > limit) throw no(Text.literalTooBig(limit), Code.tooBig);
    const { usedBytes, limitBytes } = this.quota;
    if (limitBytes !== null && usedBytes + total > limitBytes) throw no('Quota exceeded', Code.overQuota);
  }

  /** cat-part = "TEXT" SP literal / "URL" SP astring (RFC 4469 §5). */
  private async catPart(writer: BlobWriter, sizeSoFar: number): Promise<void> {
    const kind = this.args.keyword('TEXT or URL');
    this.args.sp();
    const limit = this.session.limits.appendLiteralOctets;
    if (kind === 'TEXT') {
      const size = this.literalSize();
      if (writer.size + size > limit) throw no(Text.literalTooBig(limit), Code.tooBig);
      this.checkBeforeContinuation(sizeSoFar + writer.size + size, size);
      await this.pipeLiteral((chunk) => writer.write(chunk));
      return;
    }
    if (kind !== 'URL') throw bad('Expected TEXT or URL');
    const url = await this.astring();
    await appendUrlPart(this.session, url, writer, limit);
    // URL parts need no literal, so nothing above saw their size: check the quota now,
    // before the next part, so a command of many URL parts cannot write past it.
    this.checkBeforeContinuation(sizeSoFar + writer.size, 0);
  }

  /** An astring; a literal one (rare for a URL) is read into memory. */
  private async astring(): Promise<string> {
    if (this.args.peek() !== 0x7b) return this.args.astring('URL').toString('utf8');
    const size = this.literalSize();
    if (size > URL_LITERAL_OCTETS) throw no(Text.literalTooBig(URL_LITERAL_OCTETS), Code.tooBig);
    const chunks: Buffer[] = [];
    await this.pipeLiteral((chunk) => void chunks.push(Buffer.from(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  }

  /** The size of the literal ending the current line (the marker must be all that is left). */
  private literalSize(): number {
    const marker = this.args.takeWhile(() => true);
    if (!LITERAL_MARKER.test(marker) || !this.literal) throw bad('Malformed literal');
    return this.literal.size;
  }

  /** Streams the pending literal into a fresh blob and commits it. */
  private async streamInto(writer: BlobWriter): Promise<{ blobId: string; size: number }> {
    try {
      await this.pipeLiteral((chunk) => writer.write(chunk));
    } catch (error) {
      await writer.abort().catch(() => {});
      throw error;
    }
    return writer.commit();
  }

  /**
   * Says "+" when needed and passes the literal's octets to sink. A failing sink does
   * not stop the reading (the octets must not be taken for commands); its error is
   * thrown once the literal is over. Then the next line becomes the arguments.
   */
  private async pipeLiteral(sink: (chunk: Buffer) => Promise<void> | void): Promise<void> {
    const literal = this.literal!;
    let failure: unknown = null;
    const rest = await literal.pipe(async (chunk) => {
      if (failure) return;
      try {
        await sink(chunk);
      } catch (error) {
        failure = error;
      }
    });
    this.literal = literal.next(rest);
    this.args = new ArgParser([rest]);
    if (failure) throw failure;
  }
}

function checkFlags(flags: string[]): string[] {
  let canonical: string[];
  try {
    canonical = canonicalFlags(flags, new Map());
  } catch (error) {
    if (error instanceof StoreError) throw bad(error.message);
    throw error;
  }
  if (canonical.includes('\\*')) throw bad('\\* is not a flag');
  return canonical;
}
