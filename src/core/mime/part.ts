// The part tree that parseMimeStructure() yields. Field-by-field documentation (and
// how each maps onto IMAP BODYSTRUCTURE, RFC 3501 §7.4.2) is in index.ts.

import type { HeaderField } from './header.ts';
import type { MimeParam, RawParam } from './mime-params.ts';

/** How the parser treated the part's content. */
export type PartStructure = 'leaf' | 'multipart' | 'message';

export interface ContentDisposition {
  readonly type: string;
  readonly params: MimeParam[];
  readonly rawParams: RawParam[];
}

export interface MimePart {
  headerStart: number;
  headerEnd: number;
  bodyStart: number;
  bodyEnd: number;
  bodyLines: number;

  header: HeaderField[];
  headerTruncated: boolean;

  structure: PartStructure;
  type: string;
  subtype: string;
  mediaType: string;
  params: MimeParam[];
  rawParams: RawParam[];
  charset: string | null;
  boundary: string | null;

  id: string | null;
  description: string | null;
  encoding: string | null;
  md5: string | null;
  disposition: ContentDisposition | null;
  language: string[] | null;
  location: string | null;

  children: MimePart[];
  message: MimePart | null;
}

/** The value of a decoded parameter (case-insensitive name), or null. */
export function paramValue(params: readonly MimeParam[], name: string): string | null {
  const lower = name.toLowerCase();
  return params.find((p) => p.name === lower)?.value ?? null;
}

/** The part's body octets [bodyStart, bodyEnd) within the whole message. */
export function bodyRange(part: MimePart): { start: number; end: number } {
  return { start: part.bodyStart, end: part.bodyEnd };
}

/** Octets of the body, as BODYSTRUCTURE's size field counts them. */
export function bodySize(part: MimePart): number {
  return part.bodyEnd - part.bodyStart;
}

/** Every part, depth first in IMAP order (a message/rfc822's nested message after it). */
export function* walkParts(part: MimePart): Generator<MimePart> {
  yield part;
  if (part.message !== null) yield* walkParts(part.message);
  for (const child of part.children) yield* walkParts(child);
}
