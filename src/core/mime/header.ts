// Header blocks (RFC 5322 §2.2): split into fields that keep their exact octets, so
// IMAP's BODY[HEADER.FIELDS (...)] returns what is stored, plus unfolding and lookup.

import { decodeHeaderOctets } from './charset.ts';
import { decodeEncodedWords } from './encoded-words.ts';

export interface HeaderField {
  /** Field name as written (trailing blanks before the colon removed). */
  readonly name: string;
  /** Lowercased name, for lookups (field names are case-insensitive, RFC 5322 §1.2.2). */
  readonly lowerName: string;
  /** Absolute offset of the field's first octet in the message. */
  readonly start: number;
  /** The field's octets exactly as stored: name, colon, value, folds and its line end. */
  readonly raw: Buffer;
  /**
   * The unfolded value after the colon, leading blanks and the line end removed;
   * UTF-8 when the octets are valid UTF-8 (RFC 6532), else windows-1252. Encoded
   * words are NOT decoded (IMAP ENVELOPE wants them as sent); see decodeHeaderValue.
   */
  readonly value: string;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/**
 * Splits a header block (without or with its blank line) into fields. A line that
 * starts with a blank continues the previous field; a line with no colon becomes a
 * field whose name is the whole line and whose value is empty (as Dovecot keeps it),
 * so HEADER.FIELDS.NOT still returns it. `base` is the block's offset in the message.
 */
export function parseHeaderFields(block: Buffer, base = 0): HeaderField[] {
  const fields: HeaderField[] = [];
  let pos = 0;
  while (pos < block.length) {
    let end = nextLineEnd(block, pos);
    if (end - pos === 1 || (end - pos === 2 && block[pos] === CR)) break; // the blank line
    // Continuation lines (RFC 5322 §2.2.3) belong to this field.
    while (end < block.length && (block[end] === SP || block[end] === HT)) end = nextLineEnd(block, end);
    fields.push(makeField(block.subarray(pos, end), base + pos));
    pos = end;
  }
  return fields;
}

function nextLineEnd(block: Buffer, from: number): number {
  const lf = block.indexOf(LF, from);
  return lf === -1 ? block.length : lf + 1;
}

function makeField(raw: Buffer, start: number): HeaderField {
  const colon = raw.indexOf(COLON);
  const firstLineEnd = raw.indexOf(LF);
  const hasName = colon > 0 && (firstLineEnd === -1 || colon < firstLineEnd);
  let nameEnd = hasName ? colon : trimLineEnd(raw, firstLineEnd === -1 ? raw.length : firstLineEnd + 1);
  while (nameEnd > 0 && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HT)) nameEnd--;
  const name = raw.toString('latin1', 0, nameEnd);
  const value = hasName ? unfold(decodeHeaderOctets(raw.subarray(colon + 1))).replace(/^[ \t]+/, '') : '';
  // Copy: the caller's block may be a slice of a large reused buffer.
  return { name, lowerName: name.toLowerCase(), start, raw: Buffer.from(raw), value };
}

function trimLineEnd(raw: Buffer, end: number): number {
  if (end > 0 && raw[end - 1] === LF) end--;
  if (end > 0 && raw[end - 1] === CR) end--;
  return end;
}

/** RFC 5322 §2.2.3: unfolding removes each CRLF (or bare LF) that precedes a blank; a final line end goes too. */
export function unfold(text: string): string {
  return text.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '').replace(/\r?\n/g, '');
}

/** The first field with this name, or undefined. */
export function findField(fields: readonly HeaderField[], name: string): HeaderField | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.lowerName === lower);
}

/** The value of the first field with this name (unfolded, trimmed), or null. */
export function headerValue(fields: readonly HeaderField[], name: string): string | null {
  const field = findField(fields, name);
  return field === undefined ? null : field.value.trim();
}

/** Every value of fields with this name, in order. */
export function headerValues(fields: readonly HeaderField[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields.filter((f) => f.lowerName === lower).map((f) => f.value.trim());
}

/** Human-readable header text: unfolded, RFC 2047 encoded words decoded (SEARCH SUBJECT, FROM, ...). */
export function decodeHeaderValue(value: string): string {
  return decodeEncodedWords(unfold(value));
}
