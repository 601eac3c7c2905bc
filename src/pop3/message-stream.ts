// Sends a stored message as a POP3 multi-line response (RETR, TOP): status line, the
// body byte-stuffed (RFC 1939 §3), then the lone ".". The blob streams through with
// backpressure, so memory stays flat whatever the message size; a body in the cache
// goes out in one write.

import type { Readable } from 'node:stream';
import type { Connection } from '../core/net/connection.ts';
import { DotEncoder } from '../core/net/dot-decoder.ts';
import { Pop3Error, ResponseCode } from './replies.ts';
import type { TopFilter } from './top-filter.ts';

/**
 * The body failed after the +OK line went out. The response cannot be finished
 * honestly (a "." would pass a truncated message as whole), so the connection must go.
 */
export class BrokenResponseError extends Error {
  constructor(cause: unknown) {
    super('message stream failed mid-response', { cause });
    this.name = 'BrokenResponseError';
  }
}

export async function sendMessage(conn: Connection, statusLine: string, body: Readable | Buffer, filter?: TopFilter): Promise<void> {
  if (Buffer.isBuffer(body)) return sendWhole(conn, statusLine, body, filter);
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  // Read the first chunk before answering, so a missing blob still gets a clean -ERR.
  let next: IteratorResult<Buffer | string>;
  try {
    next = await chunks.next();
  } catch (error) {
    body.destroy();
    conn.log.error({ err: error }, 'cannot read message body');
    throw new Pop3Error('Message cannot be read now, try again later', ResponseCode.sysTemp);
  }
  conn.write(statusLine);
  const encoder = new DotEncoder();
  try {
    while (!next.done) {
      const raw = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      const wanted = filter ? filter.push(raw) : raw;
      if (wanted.length > 0) await conn.send(encoder.encode(wanted));
      if (filter?.done) break;
      next = await chunks.next();
    }
  } catch (error) {
    throw new BrokenResponseError(error);
  } finally {
    // Stops the blob read when TOP has seen enough or the client went away.
    body.destroy();
  }
  await conn.send(encoder.end());
}

/**
 * A body already in memory (the body cache): status line, stuffed body and "." are
 * queued at once, so the reply leaves in one write.
 */
async function sendWhole(conn: Connection, statusLine: string, body: Buffer, filter?: TopFilter): Promise<void> {
  const encoder = new DotEncoder();
  conn.write(statusLine);
  conn.write(encoder.encode(filter ? filter.push(body) : body));
  await conn.send(encoder.end());
}

/**
 * A generated multi-line response (LIST, UIDL, CAPA): status line, the lines, ".".
 * Written in batches with backpressure, so a maildrop of 100 000 messages does not
 * build one huge string. The lines never begin with "." so need no stuffing.
 */
export async function sendListing(conn: Connection, statusLine: string, lines: Iterable<string>): Promise<void> {
  conn.write(statusLine);
  let batch = '';
  for (const line of lines) {
    batch += `${line}\r\n`;
    if (batch.length >= 16 * 1024) {
      await conn.send(batch);
      batch = '';
    }
  }
  conn.write(`${batch}.\r\n`);
}
