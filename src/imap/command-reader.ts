// Reads one command off the connection: the tagged line, and for every literal at a
// line's end its octets and the next line. The connection decides about each literal
// before the client may send it (RFC 3501 §7.5, go-imap): a synchronizing literal over
// the limit is refused with a tagged response instead of "+"; a non-synchronizing one
// (LITERAL+, RFC 7888 §4) is read and thrown away, or the connection is closed when it
// is absurdly large. APPEND's message literal is not read here: the command streams it
// into a blob (PendingLiteral).

import { LineTooLongError, type ByteReader } from '../core/net/byte-reader.ts';
import type { Connection } from '../core/net/connection.ts';
import { Code, taggedLine, Text, untaggedStatus } from './replies.ts';
import { ArgParser, isAtomChar, literalAtEnd } from './wire.ts';

export interface ReaderLimits {
  /** Octets of one line without CRLF. */
  lineOctets: number;
  /** Largest literal in commands other than APPEND. */
  commandLiteralOctets: number;
  /** Largest literal before login (LOGIN / AUTHENTICATE arguments only). */
  unauthenticatedLiteralOctets: number;
  /** All lines and literals of one command together. */
  commandOctets: number;
  /** A non-synchronizing literal more than this many times over its limit closes the connection. */
  literalDiscardFactor: number;
}

export type ReadResult =
  | { kind: 'eof' }
  /** Something was wrong with the framing; the reply has been sent. `unknown` counts against the client before login. */
  | { kind: 'rejected'; close: boolean }
  | { kind: 'command'; tag: string; verb: string; args: ArgParser; literal: PendingLiteral | null };

/** The message literal of APPEND, not read yet. The command accepts, streams or refuses it. */
export class PendingLiteral {
  readonly size: number;
  readonly nonSync: boolean;
  /** Whether the octets (and the rest of the command) have been consumed. */
  done = false;
  /** The literal that ends the line after this one (MULTIAPPEND, CATENATE), once asked for. */
  private successor: PendingLiteral | null = null;
  private readonly conn: Connection;
  private readonly limits: ReaderLimits;

  constructor(conn: Connection, size: number, nonSync: boolean, limits: ReaderLimits) {
    this.conn = conn;
    this.size = size;
    this.nonSync = nonSync;
    this.limits = limits;
  }

  /** Says "+" (for a synchronizing literal) and passes the octets to sink; then reads the line after it. */
  async pipe(sink: (chunk: Buffer) => Promise<void> | void): Promise<Buffer> {
    if (!this.nonSync) this.conn.write(`+ ${Text.literalReady}\r\n`);
    this.done = true;
    if (!(await this.conn.reader.pipeExact(this.size, sink))) throw new EndOfInput();
    const rest = await this.conn.reader.readLine(this.limits.lineOctets);
    if (rest === null) throw new EndOfInput();
    return rest;
  }

  /**
   * The literal at the end of `line` (the line pipe() returned), if any: the next
   * message of a MULTIAPPEND (RFC 3502) or part of a CATENATE (RFC 4469). dispose()
   * of this literal then disposes of that one too.
   */
  next(line: Buffer): PendingLiteral | null {
    const literal = literalAtEnd(line);
    this.successor = literal ? new PendingLiteral(this.conn, literal.size, literal.nonSync, this.limits) : null;
    return this.successor;
  }

  /**
   * Called when the command did not take the literal (refused before "+"). A
   * synchronizing literal was never sent, so there is nothing to do; a
   * non-synchronizing one is on its way and must be read and dropped, with the rest
   * of the command. Returns false when the session must close instead.
   */
  async dispose(limit: number): Promise<boolean> {
    if (this.done) return this.successor ? this.successor.dispose(limit) : true;
    this.done = true;
    if (!this.nonSync) return true;
    return discardNonSync(this.conn.reader, this.size, limit, this.limits);
  }
}

/** Raised when the client goes away in the middle of a command. */
export class EndOfInput extends Error {
  constructor() {
    super('connection ended inside a command');
    this.name = 'EndOfInput';
  }
}

/** tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 §9). */
const isTagChar = (b: number): boolean => b !== 0x2b && (b === 0x5d || isAtomChar(b));

/**
 * tag SP verb (RFC 3501 §2.2.1), "UID X" as one verb; argsAt is where the arguments
 * start. null when there is no tag.
 */
function parseCommandStart(first: Buffer): { tag: string; verb: string; argsAt: number } | null {
  let i = 0;
  while (i < first.length && isTagChar(first[i]!)) i++;
  const tag = first.subarray(0, i).toString('latin1');
  if (i === 0 || first[i] !== 0x20) return null;
  let j = ++i;
  while (j < first.length && isAtomChar(first[j]!)) j++;
  let verb = first.subarray(i, j).toString('latin1').toUpperCase();
  if (verb === 'UID' && first[j] === 0x20) {
    let k = j + 1;
    while (k < first.length && isAtomChar(first[k]!)) k++;
    verb = `UID ${first.subarray(j + 1, k).toString('latin1').toUpperCase()}`;
    j = k;
  }
  return { tag, verb, argsAt: j };
}

/** Reads and frames the next command. */
export async function readCommand(conn: Connection, limits: ReaderLimits, authenticated: boolean): Promise<ReadResult> {
  const reader = conn.reader;
  let first: Buffer | null;
  try {
    first = await reader.readLine(limits.lineOctets);
  } catch (error) {
    if (!(error instanceof LineTooLongError)) throw error;
    conn.write(untaggedStatus('BAD', Text.lineTooLong(limits.lineOctets)));
    return { kind: 'rejected', close: false };
  }
  if (first === null) return { kind: 'eof' };

  const start = parseCommandStart(first);
  if (!start) {
    conn.write(untaggedStatus('BAD', first.length === 0 ? 'Empty command line' : Text.missingTag));
    return { kind: 'rejected', close: false };
  }
  const { tag, verb, argsAt: j } = start;

  const segments: Buffer[] = [first];
  let total = first.length;
  const literalLimit = authenticated ? limits.commandLiteralOctets : limits.unauthenticatedLiteralOctets;
  for (;;) {
    const line = segments[segments.length - 1]!;
    const literal = literalAtEnd(line);
    if (!literal) break;
    if (verb === 'APPEND' && isAppendMessageLiteral(segments, j)) {
      const pending = new PendingLiteral(conn, literal.size, literal.nonSync, limits);
      return { kind: 'command', tag, verb, args: new ArgParser(segments, j), literal: pending };
    }
    if (literal.size > literalLimit || total + literal.size > limits.commandOctets) {
      // RFC 7888 §5: a too-big literal gets BAD with TOOBIG.
      conn.write(taggedLine(tag, 'BAD', Text.literalTooBig(literalLimit), Code.tooBig));
      if (!literal.nonSync) return { kind: 'rejected', close: false };
      const ok = await discardNonSync(reader, literal.size, literalLimit, limits);
      return { kind: 'rejected', close: !ok };
    }
    if (!literal.nonSync) conn.write(`+ ${Text.literalReady}\r\n`);
    const data = await reader.readExact(literal.size);
    if (data === null) return { kind: 'eof' };
    let next: Buffer | null;
    try {
      next = await reader.readLine(limits.lineOctets);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      conn.write(taggedLine(tag, 'BAD', Text.lineTooLong(limits.lineOctets)));
      return { kind: 'rejected', close: false };
    }
    if (next === null) return { kind: 'eof' };
    segments.push(data, next);
    total += data.length + next.length;
  }
  return { kind: 'command', tag, verb, args: new ArgParser(segments, j), literal: null };
}

/**
 * In APPEND (RFC 3501 §6.3.11: APPEND mailbox [flags] [date-time] literal) the first
 * literal is the mailbox name only when nothing but the marker follows the verb.
 */
function isAppendMessageLiteral(segments: Buffer[], afterVerb: number): boolean {
  if (segments.length > 1) return true;
  const rest = segments[0]!.subarray(afterVerb).toString('latin1');
  return !/^ ~?\{[0-9]+\+?\}$/.test(rest);
}

/** Reads and drops a non-synchronizing literal and the rest of its command. false: too big, close. */
async function discardNonSync(reader: ByteReader, size: number, limit: number, limits: ReaderLimits): Promise<boolean> {
  const { lineOctets, literalDiscardFactor } = limits;
  let left = size;
  for (;;) {
    if (left > limit * literalDiscardFactor) return false;
    if (!(await reader.pipeExact(left, () => {}))) return false;
    let line: Buffer | null;
    try {
      line = await reader.readLine(lineOctets);
    } catch (error) {
      if (error instanceof LineTooLongError) return true;
      throw error;
    }
    if (line === null) return false;
    const next = literalAtEnd(line);
    // A further synchronizing literal will not be sent: the command is over.
    if (!next || !next.nonSync) return true;
    left = next.size;
  }
}
