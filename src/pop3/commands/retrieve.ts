// RFC 1939 §5 RETR and §7 TOP: a stored message, streamed and byte-stuffed.

import type { Readable } from 'node:stream';
import type { MessageMeta, Store } from '../../core/store/types.ts';
import type { Maildrop } from '../maildrop.ts';
import { sendMessage } from '../message-stream.ts';
import { okLine, Text } from '../replies.ts';
import { TopFilter } from '../top-filter.ts';
import { expectArguments, parseLineCount, parseMessageNumber } from '../wire.ts';
import type { Command } from './types.ts';

/** Messages up to this size are read ahead whole (one per session). */
const READ_AHEAD_LIMIT = 64 * 1024;

/**
 * Clients retrieve a maildrop in order (RFC 1939 §10's example, poplib, fetchmail), so
 * while one message goes out the next small one is read (into the body cache too): the
 * file read then overlaps the client's work instead of adding to every RETR's latency.
 */
const readAhead = new WeakMap<Maildrop, { blobId: string; data: Promise<Buffer> }>();

function startReadAhead(store: Store, maildrop: Maildrop, n: number): void {
  if (n > maildrop.size) return;
  let next: MessageMeta;
  try {
    next = maildrop.message(n);
  } catch {
    return; // deleted
  }
  if (next.size > READ_AHEAD_LIMIT || store.blobs.inMemory(next.blobId)) return;
  const data = store.blobs.readAll(next.blobId);
  data.catch(() => {}); // a failure surfaces when (if) the message is asked for
  readAhead.set(maildrop, { blobId: next.blobId, data });
}

/** The body in memory (cached or read ahead), or a stream of it. */
async function bodyOf(store: Store, maildrop: Maildrop, meta: MessageMeta): Promise<Buffer | Readable> {
  const cached = store.blobs.inMemory(meta.blobId);
  if (cached?.length === meta.size) return cached;
  const ahead = readAhead.get(maildrop);
  if (ahead?.blobId === meta.blobId) {
    readAhead.delete(maildrop);
    const data = await ahead.data.catch(() => null);
    if (data && data.length === meta.size) return data;
  }
  return store.blobs.read(meta.blobId, { start: 0, end: meta.size }, meta.size);
}

export const retr: Command<number> = {
  states: ['transaction'],
  parse: (rest) => parseMessageNumber(expectArguments(rest, 1, 1, 'RETR message-number')[0]!),
  async run(session, n) {
    const maildrop = session.maildrop;
    const meta = maildrop.message(n);
    const { store } = session.deps;
    const body = await bodyOf(store, maildrop, meta);
    startReadAhead(store, maildrop, n + 1);
    // RFC 1939 §11: the size is the stored octets with CRLF line ends, before stuffing.
    await sendMessage(session.conn, okLine(Text.messageFollows(meta.size)), body);
  },
};

export const top: Command<{ n: number; lines: number }> = {
  states: ['transaction'],
  parse(rest) {
    const [numberArg, linesArg] = expectArguments(rest, 2, 2, 'TOP message-number lines');
    return { n: parseMessageNumber(numberArg!), lines: parseLineCount(linesArg!) };
  },
  async run(session, { n, lines }) {
    const meta = session.maildrop.message(n);
    const filter = new TopFilter(lines);
    const { blobs } = session.deps.store;
    const cached = blobs.inMemory(meta.blobId);
    const body = cached?.length === meta.size ? cached : blobs.read(meta.blobId, { start: 0, end: meta.size }, meta.size);
    await sendMessage(session.conn, okLine(Text.topFollows), body, filter);
  },
};
