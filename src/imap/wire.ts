// The IMAP argument parser, on bytes, after the grammar of RFC 3501 §9 / RFC 9051 §9
// (go-imap's imapwire style: expectAtom, expectAString, expectNumSet ...). A command
// arrives as segments: the first line, then for every literal its octets and the line
// that follows it. Reading the segments off the connection (and deciding whether a
// literal is accepted before "+" is sent) is command-reader.ts's job; nothing here
// knows what a command means.

import { bad } from './replies.ts';
import { parseSequenceSet, type SequenceSet } from './sequence-set.ts';

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const LBRACE = 0x7b;

/** RFC 9051 §9 atom-specials: "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]". */
const ATOM_SPECIALS = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) ATOM_SPECIALS[b] = 1;
for (let b = 0x7f; b < 256; b++) ATOM_SPECIALS[b] = 1; // CHAR is 7-bit
for (const c of '(){ %*"\\]') ATOM_SPECIALS[c.charCodeAt(0)] = 1;

export const isAtomChar = (b: number): boolean => ATOM_SPECIALS[b] === 0;
/** ASTRING-CHAR = ATOM-CHAR / "]". */
const isAStringChar = (b: number): boolean => b === 0x5d || isAtomChar(b);
/** list-char = ATOM-CHAR / list-wildcards / resp-specials. */
const isListChar = (b: number): boolean => b === 0x25 || b === 0x2a || isAStringChar(b);

/** The literal marker at the end of a line: "{n}" or "{n+}" (RFC 7888 §3). */
const LITERAL_MARKER = /\{([0-9]{1,12})(\+?)\}$/;

export function literalAtEnd(line: Buffer): { size: number; nonSync: boolean } | null {
  // Only the tail can hold the marker; avoid decoding a long line.
  const tail = line.subarray(Math.max(0, line.length - 16)).toString('latin1');
  const m = LITERAL_MARKER.exec(tail);
  if (!m) return null;
  return { size: Number(m[1]), nonSync: m[2] === '+' };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
export function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw bad(`${what} is not valid UTF-8`);
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** A parser over one command's segments (even index: a line; odd index: a literal's octets). */
export class ArgParser {
  private readonly segments: readonly Buffer[];
  private index = 0;
  private offset: number;

  constructor(segments: readonly Buffer[], offset = 0) {
    if (segments.length === 0) throw new Error('a command has at least one line');
    this.segments = segments;
    this.offset = offset;
  }

  private get line(): Buffer {
    return this.segments[this.index]!;
  }

  /** The next octet of the current line, or -1 at its end. */
  peek(): number {
    return this.offset < this.line.length ? this.line[this.offset]! : -1;
  }

  /** At the end of the whole command. */
  atEnd(): boolean {
    return this.offset >= this.line.length && this.index === this.segments.length - 1;
  }

  /** Whether the rest of the current line starts with a literal marker. */
  private atLiteral(): boolean {
    return this.peek() === LBRACE || (this.peek() === 0x7e && this.line[this.offset + 1] === LBRACE);
  }

  end(): void {
    if (!this.atEnd()) throw bad('Unexpected characters at the end of the command');
  }

  sp(): void {
    if (this.peek() !== SP) throw bad('Expected a space');
    this.offset++;
  }

  trySp(): boolean {
    if (this.peek() !== SP) return false;
    this.offset++;
    return true;
  }

  expect(char: string): void {
    if (this.peek() !== char.charCodeAt(0)) throw bad(`Expected "${char}"`);
    this.offset++;
  }

  tryChar(char: string): boolean {
    if (this.peek() !== char.charCodeAt(0)) return false;
    this.offset++;
    return true;
  }

  private run(test: (b: number) => boolean): Buffer {
    const start = this.offset;
    const line = this.line;
    while (this.offset < line.length && test(line[this.offset]!)) this.offset++;
    return line.subarray(start, this.offset);
  }

  /** An atom (RFC 3501 §9), as ASCII text. */
  atom(what = 'atom'): string {
    const bytes = this.run(isAtomChar);
    if (bytes.length === 0) throw bad(`Expected ${what}`);
    return bytes.toString('latin1');
  }

  /** The atom at the current position, upper-cased, without consuming it ('' when none). */
  peekKeyword(): string {
    const line = this.line;
    let end = this.offset;
    while (end < line.length && isAtomChar(line[end]!)) end++;
    return line.subarray(this.offset, end).toString('latin1').toUpperCase();
  }

  /** A keyword compared case-insensitively: returned upper-cased. */
  keyword(what = 'keyword'): string {
    return this.atom(what).toUpperCase();
  }

  /** Atom chars, "]" and "[" etc. as one run: for FETCH items like BODY[1.2]<0.10>. */
  takeWhile(test: (b: number) => boolean): string {
    return this.run(test).toString('latin1');
  }

  /** number = 1*DIGIT (32-bit unsigned). */
  number(what = 'number'): number {
    const digits = this.run((b) => b >= 0x30 && b <= 0x39).toString('latin1');
    if (digits === '' || digits.length > 10) throw bad(`Expected ${what}`);
    const n = Number(digits);
    if (n > 0xffffffff) throw bad(`${what} out of range`);
    return n;
  }

  nzNumber(what = 'number'): number {
    const n = this.number(what);
    if (n === 0) throw bad(`${what} must not be zero`);
    return n;
  }

  /** mod-sequence-value (RFC 7162 §7): 63-bit; Septet's stay below 2^53. */
  modSequence(what = 'mod-sequence'): number {
    const digits = this.run((b) => b >= 0x30 && b <= 0x39).toString('latin1');
    if (digits === '' || digits.length > 19) throw bad(`Expected ${what}`);
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) throw bad(`${what} out of range`);
    return n;
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE; "\" escapes only DQUOTE and "\" (RFC 3501 §9). */
  private quoted(): Buffer {
    this.offset++; // the opening quote
    const line = this.line;
    const out: number[] = [];
    let start = this.offset;
    let simple = true;
    for (;;) {
      if (this.offset >= line.length) throw bad('Unterminated quoted string');
      const b = line[this.offset]!;
      if (b === DQUOTE) {
        const result = simple ? line.subarray(start, this.offset) : Buffer.from(out);
        this.offset++;
        return result;
      }
      if (b === BACKSLASH) {
        const next = line[this.offset + 1];
        if (next !== DQUOTE && next !== BACKSLASH) throw bad('Invalid escape in quoted string');
        if (simple) {
          for (let i = start; i < this.offset; i++) out.push(line[i]!);
          simple = false;
        }
        out.push(next);
        this.offset += 2;
        continue;
      }
      if (b === 0) throw bad('NUL in quoted string');
      if (!simple) out.push(b);
      this.offset++;
    }
  }

  /** A literal: "{n}" or "{n+}" (or literal8 "~{n}") ending the line; its octets are the next segment. */
  literal(): Buffer {
    if (this.peek() === 0x7e) this.offset++;
    const rest = this.line.subarray(this.offset).toString('latin1');
    if (!/^\{[0-9]{1,12}\+?\}$/.test(rest)) throw bad('Malformed literal');
    const data = this.segments[this.index + 1];
    const next = this.segments[this.index + 2];
    if (data === undefined || next === undefined) throw bad('Literal data missing');
    this.index += 2;
    this.offset = 0;
    return data;
  }

  /** string = quoted / literal. */
  string(what = 'string'): Buffer {
    if (this.peek() === DQUOTE) return this.quoted();
    if (this.atLiteral()) return this.literal();
    throw bad(`Expected ${what} (a quoted string or a literal)`);
  }

  /** astring = 1*ASTRING-CHAR / string. */
  astring(what = 'string'): Buffer {
    if (this.peek() === DQUOTE || this.atLiteral()) return this.string(what);
    const bytes = this.run(isAStringChar);
    if (bytes.length === 0) throw bad(`Expected ${what}`);
    return bytes;
  }

  /** astring as UTF-8 text. */
  astringText(what = 'string'): string {
    return decodeUtf8(this.astring(what), what);
  }

  /** nstring = string / NIL. */
  nstring(what = 'string'): Buffer | null {
    if (this.peek() === DQUOTE || this.atLiteral()) return this.string(what);
    const word = this.atom(what);
    if (word.toUpperCase() !== 'NIL') throw bad(`Expected ${what} or NIL`);
    return null;
  }

  /** list-mailbox = 1*list-char / string (RFC 3501 §9): "%" and "*" are wildcards. */
  listMailbox(): Buffer {
    if (this.peek() === DQUOTE || this.atLiteral()) return this.string('mailbox pattern');
    const bytes = this.run(isListChar);
    if (bytes.length === 0) throw bad('Expected a mailbox pattern');
    return bytes;
  }

  /** flag = "\" atom / atom (and "\*" where the caller allows it, RFC 3501 §7.1 PERMANENTFLAGS). */
  flag(): string {
    if (this.tryChar('\\')) {
      if (this.tryChar('*')) return '\\*';
      return '\\' + this.atom('flag');
    }
    const keyword = this.atom('flag');
    // NIL is an atom by the grammar, but a flag list carrying it reads as nothing to clients.
    if (keyword.toUpperCase() === 'NIL') throw bad('NIL is not a keyword');
    return keyword;
  }

  /** flag-list = "(" [flag *(SP flag)] ")". */
  flagList(): string[] {
    this.expect('(');
    const flags: string[] = [];
    if (this.tryChar(')')) return flags;
    for (;;) {
      flags.push(this.flag());
      if (this.tryChar(')')) return flags;
      this.sp();
    }
  }

  /** Flags for STORE: a flag-list or flags separated by spaces (RFC 3501 §9 store-att-flags). */
  storeFlags(): string[] {
    if (this.peek() === LPAREN) return this.flagList();
    const flags = [this.flag()];
    while (this.peek() === SP && this.line[this.offset + 1] !== LPAREN) {
      this.offset++;
      flags.push(this.flag());
    }
    return flags;
  }

  sequenceSet(): SequenceSet {
    const text = this.run((b) => (b >= 0x30 && b <= 0x39) || b === 0x2c || b === 0x3a || b === 0x2a || b === 0x24).toString('latin1');
    const set = parseSequenceSet(text);
    if (!set) throw bad(text === '' ? 'Expected a message set' : `Invalid message set "${text}"`);
    return set;
  }

  /** Whether the next token looks like a sequence set (SEARCH keys). */
  atSequenceSet(): boolean {
    const b = this.peek();
    return (b >= 0x30 && b <= 0x39) || b === 0x2a || b === 0x24;
  }

  /** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE (RFC 3501 §9). */
  dateTime(): Date {
    if (this.peek() !== DQUOTE) throw bad('Expected a date-time in quotes');
    const text = this.quoted().toString('latin1');
    const m = /^([ 0-9]?[0-9])-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$/.exec(text);
    const month = m ? MONTHS.indexOf(m[2]!.toLowerCase()) : -1;
    if (!m || month < 0) throw bad(`Invalid date-time "${text}"`);
    const [day, year, hh, mm, ss, zh, zm] = [m[1]!, m[3]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!].map((s) => Number(s.trim()));
    const sign = m[7] === '-' ? -1 : 1;
    if (day! < 1 || day! > 31 || hh! > 23 || mm! > 59 || ss! > 60 || zm! > 59) throw bad(`Invalid date-time "${text}"`);
    const utc = Date.UTC(year!, month, day!, hh!, mm!, ss!) - sign * (zh! * 60 + zm!) * 60_000;
    const date = new Date(utc);
    if (new Date(Date.UTC(year!, month, day!)).getUTCDate() !== day) throw bad(`Invalid date-time "${text}"`);
    return date;
  }

  /** date = date-text / DQUOTE date-text DQUOTE (RFC 3501 §9); as midnight UTC of that day. */
  date(): { year: number; month: number; day: number } {
    const text = this.peek() === DQUOTE ? this.quoted().toString('latin1') : this.takeWhile((b) => isAtomChar(b));
    const m = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/.exec(text);
    const month = m ? MONTHS.indexOf(m[2]!.toLowerCase()) : -1;
    if (!m || month < 0) throw bad(`Invalid date "${text}"`);
    const day = Number(m[1]);
    const year = Number(m[3]);
    if (day < 1 || new Date(Date.UTC(year, month, day)).getUTCDate() !== day) throw bad(`Invalid date "${text}"`);
    return { year, month, day };
  }
}

export function monthName(index: number): string {
  const m = MONTHS[index]!;
  return m[0]!.toUpperCase() + m.slice(1);
}
