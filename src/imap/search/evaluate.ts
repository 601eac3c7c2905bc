// Runs a SEARCH program against one message. Metadata keys cost nothing; header keys
// read the header block; BODY and TEXT stream every text part through the transfer
// and charset decoders of core/mime (base64, quoted-printable; UTF-8, KOI8-R,
// windows-1251, ...) and stop at the first match. Matching is a case-insensitive
// substring test (RFC 3501 §6.4.4).

import type { BlobStore, MessageMeta } from '../../core/store/types.ts';
import { loadHeader, loadTree, type HeaderInfo } from '../fetch/message-source.ts';
import { addressSearchText, createBodyTextDecoder, decodeHeaderValue, parseMailDate, type MimePart } from '../mime.ts';
import { inRanges } from '../sequence-set.ts';
import type { CalendarDay, SearchKey } from './parse.ts';

export interface Candidate {
  seq: number;
  uid: number;
  meta: MessageMeta;
}

export interface SearchContext {
  blobs: BlobStore;
  /** Resolved ranges of every sequence set / UID set key, by key object. */
  ranges: Map<SearchKey, [number, number][]>;
  isRecent: (uid: number) => boolean;
  /** imap.header_read_limit: see fetch/message-source.ts. */
  headerReadOctets: number;
}

const fold = (text: string): string => text.toLowerCase();

function dayNumber(d: CalendarDay): number {
  return Date.UTC(d.year, d.month, d.day) / 86_400_000;
}

function compareDay(actual: number, op: 'before' | 'on' | 'since', wanted: number): boolean {
  return op === 'before' ? actual < wanted : op === 'on' ? actual === wanted : actual >= wanted;
}

/** Lazily loaded message content, shared by all keys of one evaluation. */
class Content {
  private header: Promise<HeaderInfo> | null = null;
  private tree: Promise<MimePart> | null = null;
  private readonly ctx: SearchContext;
  private readonly meta: MessageMeta;
  constructor(ctx: SearchContext, meta: MessageMeta) {
    this.ctx = ctx;
    this.meta = meta;
  }
  headerInfo(): Promise<HeaderInfo> {
    this.header ??= loadHeader(this.ctx.blobs, this.meta, this.ctx.headerReadOctets);
    return this.header;
  }
  parts(): Promise<MimePart> {
    this.tree ??= loadTree(this.ctx.blobs, this.meta);
    return this.tree;
  }
  /** Decoded values of one field (RFC 2047 words decoded). */
  async fieldValues(name: string): Promise<string[]> {
    const { fields } = await this.headerInfo();
    return fields.filter((f) => f.lowerName === name).map((f) => decodeHeaderValue(f.value));
  }
  /** Each field's address list in its normalised form (its decoded value when it holds no address). */
  async addressTexts(name: string): Promise<string[]> {
    const { fields } = await this.headerInfo();
    return fields.filter((f) => f.lowerName === name).map((f) => addressSearchText(f.value) ?? decodeHeaderValue(f.value));
  }
  async headerText(): Promise<string> {
    const { fields } = await this.headerInfo();
    return fields.map((f) => `${f.name}: ${decodeHeaderValue(f.value)}`).join('\n');
  }
  /** Whether any text part's decoded content contains `needle` (already folded). */
  async bodyContains(needle: string): Promise<boolean> {
    const root = await this.parts();
    for (const part of textParts(root)) {
      if (await streamContains(this.ctx.blobs, this.meta.blobId, part, needle)) return true;
    }
    return false;
  }
}

function* textParts(part: MimePart): Generator<MimePart> {
  if (part.structure === 'multipart') {
    for (const child of part.children) yield* textParts(child);
  } else if (part.structure === 'message' && part.message) {
    yield* textParts(part.message);
  } else if (part.type.toLowerCase() === 'text') {
    yield part;
  }
}

async function streamContains(blobs: BlobStore, blobId: string, part: MimePart, needle: string): Promise<boolean> {
  if (part.bodyEnd <= part.bodyStart) return needle === '';
  const input = blobs.read(blobId, { start: part.bodyStart, end: part.bodyEnd });
  const decoder = createBodyTextDecoder(part);
  input.on('error', (error) => decoder.destroy(error));
  input.pipe(decoder);
  let tail = '';
  try {
    for await (const piece of decoder) {
      const window = tail + fold(piece as string);
      if (window.includes(needle)) return true;
      tail = window.slice(Math.max(0, window.length - needle.length + 1));
    }
  } finally {
    input.destroy();
    decoder.destroy();
  }
  return false;
}

export async function matches(key: SearchKey, c: Candidate, ctx: SearchContext, content = new Content(ctx, c.meta)): Promise<boolean> {
  const { meta } = c;
  switch (key.kind) {
    case 'all':
      return true;
    case 'flag': {
      const has = meta.flags.some((f) => fold(f) === fold(key.flag));
      return has === key.set;
    }
    case 'recent':
      return ctx.isRecent(c.uid) === key.set;
    case 'new':
      return ctx.isRecent(c.uid) && !meta.flags.includes('\\Seen');
    case 'size':
      return key.op === 'larger' ? meta.size > key.size : meta.size < key.size;
    case 'internaldate': {
      const d = meta.internalDate;
      const actual = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 86_400_000;
      return compareDay(actual, key.op, dayNumber(key.day));
    }
    case 'sentdate': {
      const [value] = await content.fieldValues('date');
      const parsed = value === undefined ? null : parseMailDate(value);
      // RFC 3501 §6.4.4 compares the date as written; without a readable Date header use the internal date.
      const actual = parsed ? Date.UTC(parsed.year, parsed.month - 1, parsed.day) / 86_400_000 : Math.floor(meta.internalDate.getTime() / 86_400_000);
      return compareDay(actual, key.op, dayNumber(key.day));
    }
    case 'seqset':
      return inRanges(ctx.ranges.get(key) ?? [], c.seq);
    case 'uidset':
      return inRanges(ctx.ranges.get(key) ?? [], c.uid);
    case 'modseq':
      return meta.modseq >= key.modseq;
    case 'header': {
      const values = await content.fieldValues(key.field);
      // RFC 3501 §6.4.4: HEADER with an empty string matches every message that has the field.
      if (key.value === '') return values.length > 0;
      const needle = fold(key.value);
      return values.some((v) => fold(v).includes(needle));
    }
    case 'address': {
      // Comments, folding and encodings removed (core/mime/address-text.ts), as Dovecot matches.
      const needle = fold(key.value);
      return (await content.addressTexts(key.field)).some((v) => fold(v).includes(needle));
    }
    case 'body':
      return content.bodyContains(fold(key.value));
    case 'text': {
      const needle = fold(key.value);
      if (fold(await content.headerText()).includes(needle)) return true;
      return content.bodyContains(needle);
    }
    case 'not':
      return !(await matches(key.key, c, ctx, content));
    case 'or':
      return (await matches(key.a, c, ctx, content)) || (await matches(key.b, c, ctx, content));
    case 'and':
      for (const k of cheapFirst(key.keys)) if (!(await matches(k, c, ctx, content))) return false;
      return true;
  }
}

/** Metadata keys before header keys before body keys: most messages fail early and cheaply. */
function cheapFirst(keys: SearchKey[]): SearchKey[] {
  const cost = (k: SearchKey): number => (k.kind === 'body' || k.kind === 'text' ? 2 : k.kind === 'header' || k.kind === 'address' || k.kind === 'sentdate' ? 1 : k.kind === 'and' || k.kind === 'or' || k.kind === 'not' ? 1 : 0);
  return [...keys].sort((a, b) => cost(a) - cost(b));
}

/** Collects every set key so its ranges are resolved once per command. */
export function setKeys(key: SearchKey, out: SearchKey[] = []): SearchKey[] {
  if (key.kind === 'seqset' || key.kind === 'uidset') out.push(key);
  else if (key.kind === 'not') setKeys(key.key, out);
  else if (key.kind === 'or') {
    setKeys(key.a, out);
    setKeys(key.b, out);
  } else if (key.kind === 'and') for (const k of key.keys) setKeys(k, out);
  return out;
}
