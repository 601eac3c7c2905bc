// One line of the message list: subject, from, to and date read from the stored
// header. Bodies never change once committed (src/core/store/blob-files.ts), so a
// summary is cached per blob id for the process's lifetime within a count budget: the
// first page of a 10,000-message folder then costs one getMessages and no file I/O.

import { parseHeaderFields, parseMailDate, type HeaderField } from '../../core/mime/index.ts';
import type { BlobStore, MessageMeta } from '../../core/store/types.ts';
import { addressList, headerText, type AddressView } from './addresses.ts';

/** The header prefix read for a summary; a longer header is cut there (the fields needed come first in practice). */
const HEADER_READ_BYTES = 64 * 1024;
/** Summaries kept in memory (a few hundred bytes each). */
const CACHE_ENTRIES = 50_000;

export interface HeaderSummary {
  subject: string;
  from: AddressView[];
  to: AddressView[];
  cc: AddressView[];
  /** The Date field as an instant (ISO 8601), or null when missing or unreadable. */
  date: string | null;
  messageId: string | null;
  /** Whether the top-level type is multipart/mixed (a hint: attachments likely). */
  mixed: boolean;
}

export interface MessageSummary extends HeaderSummary {
  uid: number;
  size: number;
  internalDate: string;
  flags: string[];
  seen: boolean;
  flagged: boolean;
  answered: boolean;
}

const cache = new Map<string, HeaderSummary>();

/** The header block of a stored message (up to its blank line). */
export async function readHeaderBlock(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>): Promise<Buffer> {
  const whole = blobs.inMemory(meta.blobId);
  const end = Math.min(meta.size, HEADER_READ_BYTES);
  let bytes: Buffer;
  if (whole !== undefined) bytes = whole.subarray(0, end);
  else {
    const chunks: Buffer[] = [];
    for await (const chunk of blobs.read(meta.blobId, { start: 0, end }, meta.size)) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  }
  return bytes.subarray(0, headerEnd(bytes));
}

function headerEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf + 2 <= lf)) return crlf + 2;
  if (lf >= 0) return lf + 1;
  return bytes.length;
}

export function summariseHeader(header: readonly HeaderField[]): HeaderSummary {
  const dateText = headerText(header, 'date');
  const date = dateText === null ? null : parseMailDate(dateText);
  const type = (headerText(header, 'content-type') ?? '').toLowerCase();
  return {
    subject: headerText(header, 'subject') ?? '',
    from: addressList(header, 'from'),
    to: addressList(header, 'to'),
    cc: addressList(header, 'cc'),
    date: date === null || Number.isNaN(date.instant.getTime()) ? null : date.instant.toISOString(),
    messageId: headerText(header, 'message-id'),
    mixed: type.startsWith('multipart/mixed'),
  };
}

export async function headerSummary(blobs: BlobStore, meta: Pick<MessageMeta, 'blobId' | 'size'>): Promise<HeaderSummary> {
  const cached = cache.get(meta.blobId);
  if (cached !== undefined) return cached;
  const summary = summariseHeader(parseHeaderFields(await readHeaderBlock(blobs, meta)));
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(meta.blobId, summary);
  return summary;
}

export function flagState(flags: readonly string[]): { seen: boolean; flagged: boolean; answered: boolean } {
  const lower = new Set(flags.map((f) => f.toLowerCase()));
  return { seen: lower.has('\\seen'), flagged: lower.has('\\flagged'), answered: lower.has('\\answered') };
}

export async function messageSummary(blobs: BlobStore, meta: MessageMeta): Promise<MessageSummary> {
  const header = await headerSummary(blobs, meta);
  return { uid: meta.uid, size: meta.size, internalDate: meta.internalDate.toISOString(), flags: meta.flags, ...flagState(meta.flags), ...header };
}
