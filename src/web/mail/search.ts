// The webmail's search: a small matcher of its own over the decoded header fields
// (and, when asked, the text parts), not IMAP's SEARCH engine, which lives in the IMAP
// protocol folder and works on IMAP's key grammar. Case-insensitive substring, every
// word of the query must match (as a mail client's quick search does).

import type { BlobStore, MessageMeta } from '../../core/store/types.ts';
import { addressText } from './addresses.ts';
import { parseStoredMessage, partText } from './message.ts';
import { headerSummary } from './summary.ts';

export type SearchField = 'all' | 'subject' | 'from' | 'to' | 'body';
export const SEARCH_FIELDS: readonly SearchField[] = ['all', 'subject', 'from', 'to', 'body'];

/** Text of a body searched, at most this many octets of each text part. */
const BODY_SEARCH_BYTES = 256 * 1024;

export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((w) => w !== '').slice(0, 10);
}

function containsAll(text: string, words: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return words.every((w) => lower.includes(w));
}

export async function messageMatches(blobs: BlobStore, meta: MessageMeta, words: readonly string[], field: SearchField): Promise<boolean> {
  if (words.length === 0) return true;
  const h = await headerSummary(blobs, meta);
  const parts: string[] = [];
  if (field === 'all' || field === 'subject') parts.push(h.subject);
  if (field === 'all' || field === 'from') parts.push(addressText(h.from));
  if (field === 'all' || field === 'to') parts.push(addressText(h.to), addressText(h.cc));
  if (containsAll(parts.join('\n'), words)) return true;
  if (field !== 'all' && field !== 'body') return false;
  const parsed = await parseStoredMessage(blobs, meta);
  for (const part of [parsed.textPart, parsed.htmlPart]) {
    if (part === null) continue;
    const { text } = await partText(blobs, meta, part, BODY_SEARCH_BYTES);
    parts.push(part.mediaType === 'text/html' ? text.replace(/<[^>]*>/g, ' ') : text);
  }
  return containsAll(parts.join('\n'), words);
}
