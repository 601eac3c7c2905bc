// FETCH data items (RFC 3501 §6.4.5, RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162
// MODSEQ) parsed into a plan: what each item needs (metadata only, the header, or the
// whole MIME tree) and whether fetching it sets \Seen.

import { bad } from '../replies.ts';
import type { ArgParser } from '../wire.ts';

/** section-spec (RFC 3501 §9): part numbers, then HEADER / HEADER.FIELDS[.NOT] / TEXT / MIME, or nothing. */
export interface Section {
  part: number[];
  kind: 'all' | 'header' | 'fields' | 'fields-not' | 'text' | 'mime';
  /** Upper-cased field names for HEADER.FIELDS[.NOT]. */
  fields: string[];
}

export type FetchItem =
  | { kind: 'uid' | 'flags' | 'internaldate' | 'size' | 'envelope' | 'body' | 'bodystructure' | 'modseq' }
  | { kind: 'rfc822' | 'rfc822.header' | 'rfc822.text' }
  /** BODY[section]<partial> / BODY.PEEK / BINARY[section] / BINARY.PEEK. */
  | { kind: 'section'; binary: boolean; peek: boolean; section: Section; partial: { start: number; count: number } | null }
  | { kind: 'binary.size'; section: Section };

export interface FetchPlan {
  items: FetchItem[];
  /** Some item needs the top-level header only. */
  needsHeader: boolean;
  /** Some item needs the whole part tree. */
  needsTree: boolean;
  /** RFC 3501 §6.4.5: BODY[...] without PEEK, RFC822 and RFC822.TEXT set \Seen. */
  setsSeen: boolean;
  /** Some item sends the whole message (BODY[], RFC822, BINARY[] of the top level). */
  needsWhole: boolean;
}

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SIMPLE: Record<string, FetchItem> = {
  UID: { kind: 'uid' },
  FLAGS: { kind: 'flags' },
  INTERNALDATE: { kind: 'internaldate' },
  'RFC822.SIZE': { kind: 'size' },
  ENVELOPE: { kind: 'envelope' },
  BODY: { kind: 'body' },
  BODYSTRUCTURE: { kind: 'bodystructure' },
  MODSEQ: { kind: 'modseq' },
  RFC822: { kind: 'rfc822' },
  'RFC822.HEADER': { kind: 'rfc822.header' },
  'RFC822.TEXT': { kind: 'rfc822.text' },
};

const isNameChar = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2e;

/** Parses the item list after the message set: a macro, one item, or a parenthesized list. */
export function parseFetchItems(args: ArgParser): FetchItem[] {
  const items: FetchItem[] = [];
  if (args.tryChar('(')) {
    for (;;) {
      items.push(parseItem(args));
      if (args.tryChar(')')) break;
      args.sp();
    }
    return items;
  }
  const name = args.takeWhile(isNameChar).toUpperCase();
  const macro = MACROS[name];
  if (macro) return macro.map((n) => SIMPLE[n]!);
  return [parseItemNamed(args, name)];
}

function parseItem(args: ArgParser): FetchItem {
  const name = args.takeWhile(isNameChar).toUpperCase();
  return parseItemNamed(args, name);
}

function parseItemNamed(args: ArgParser, name: string): FetchItem {
  if (name === '') throw bad('Expected a FETCH data item');
  if (args.peek() === 0x5b /* [ */) {
    const binary = name === 'BINARY' || name === 'BINARY.PEEK';
    if (name === 'BINARY.SIZE') return { kind: 'binary.size', section: parseSection(args, true) };
    if (!binary && name !== 'BODY' && name !== 'BODY.PEEK') throw bad(`Unknown FETCH item ${name}[`);
    const section = parseSection(args, binary);
    let partial: { start: number; count: number } | null = null;
    if (args.tryChar('<')) {
      const start = args.number('partial offset');
      args.expect('.');
      const count = args.nzNumber('partial length');
      args.expect('>');
      partial = { start, count };
    }
    return { kind: 'section', binary, peek: name.endsWith('.PEEK'), section, partial };
  }
  const simple = SIMPLE[name];
  if (!simple) throw bad(`Unknown FETCH item ${name}`);
  return simple;
}

/** "[" section-spec "]"; BINARY sections are part numbers only (RFC 3516 §4.2). */
function parseSection(args: ArgParser, binary: boolean): Section {
  args.expect('[');
  const text = args.takeWhile(isNameChar).toUpperCase();
  const section: Section = { part: [], kind: 'all', fields: [] };
  if (text !== '') {
    const words = text.split('.');
    let i = 0;
    while (i < words.length && /^[1-9][0-9]{0,8}$/.test(words[i]!)) section.part.push(Number(words[i++]));
    const rest = words.slice(i).join('.');
    if (binary && rest !== '') throw bad('BINARY takes part numbers only');
    if (rest === '') section.kind = 'all';
    else if (rest === 'HEADER') section.kind = 'header';
    else if (rest === 'TEXT') section.kind = 'text';
    else if (rest === 'MIME' && section.part.length > 0) section.kind = 'mime';
    else if (rest === 'HEADER.FIELDS' || rest === 'HEADER.FIELDS.NOT') {
      section.kind = rest === 'HEADER.FIELDS' ? 'fields' : 'fields-not';
      args.sp();
      args.expect('(');
      for (;;) {
        section.fields.push(args.astring('header field name').toString('latin1').toUpperCase());
        if (args.tryChar(')')) break;
        args.sp();
      }
    } else throw bad(`Invalid section ${text}`);
  }
  args.expect(']');
  return section;
}

export function planFetch(items: FetchItem[]): FetchPlan {
  let needsHeader = false;
  let needsTree = false;
  let setsSeen = false;
  let needsWhole = false;
  for (const item of items) {
    switch (item.kind) {
      case 'envelope':
      case 'rfc822.header':
      case 'rfc822.text':
        needsHeader = true;
        if (item.kind === 'rfc822.text') setsSeen = true;
        break;
      case 'body':
      case 'bodystructure':
      case 'binary.size':
        needsTree = true;
        break;
      case 'rfc822':
        setsSeen = true;
        needsWhole = true;
        break;
      case 'section': {
        if (!item.peek) setsSeen = true;
        const s = item.section;
        if (s.part.length > 0 || item.binary) needsTree = true;
        else if (s.kind !== 'all') needsHeader = true;
        else needsWhole = true;
        break;
      }
      default:
        break;
    }
  }
  return { items, needsHeader, needsTree, setsSeen, needsWhole };
}

/** The name a section item has in the response: BODY[1.HEADER.FIELDS (A B)]<0>. */
export function sectionLabel(item: FetchItem & { kind: 'section' | 'binary.size' }): string {
  const s = item.section;
  const parts = s.part.join('.');
  let spec = parts;
  const suffix =
    s.kind === 'header' ? 'HEADER' : s.kind === 'text' ? 'TEXT' : s.kind === 'mime' ? 'MIME' : s.kind === 'fields' ? 'HEADER.FIELDS' : s.kind === 'fields-not' ? 'HEADER.FIELDS.NOT' : '';
  if (suffix) spec = parts ? `${parts}.${suffix}` : suffix;
  if (s.kind === 'fields' || s.kind === 'fields-not') spec += ` (${s.fields.map((f) => (/^[A-Z0-9_-]+$/.test(f) ? f : `"${f.replace(/[\\"]/g, '\\$&')}"`)).join(' ')})`;
  if (item.kind === 'binary.size') return `BINARY.SIZE[${spec}]`;
  const name = item.binary ? 'BINARY' : 'BODY';
  const partial = item.partial ? `<${item.partial.start}>` : '';
  return `${name}[${spec}]${partial}`;
}
