// Content-Type and Content-Disposition values: "type/subtype *(; name=value)"
// (RFC 2045 §5.1, RFC 2183 §2) with RFC 2231 continuations ("name*0=", "name*1=") and
// charset/language ("name*=utf-8'en'%E2%82%AC"). Lenient the way deployed readers
// are: comments anywhere, unquoted values with '=' or '/' (boundary=----=_Part_1),
// a missing ';' or '=' skips to the next parameter instead of failing.

import { decodeCharset } from './charset.ts';
import { decodeEncodedWords, isHex } from './encoded-words.ts';

/** A parameter with RFC 2231 continuations joined and its value decoded to Unicode. */
export interface MimeParam {
  /** Lowercased name without RFC 2231 markers ("filename", never "filename*"). */
  readonly name: string;
  readonly value: string;
}

/**
 * Parameters in the form Dovecot puts into BODYSTRUCTURE: plain parameters as written,
 * then RFC 2231 groups joined, the name with a trailing "*" and the value still
 * "charset'lang'%XX" encoded when any section was extended.
 */
export type RawParam = readonly [name: string, value: string];

export interface ParsedParams {
  readonly params: MimeParam[];
  readonly rawParams: RawParam[];
}

export interface ParsedContentType extends ParsedParams {
  /** As written (case kept); compare through `mediaType`. */
  readonly type: string;
  readonly subtype: string;
}

export interface ParsedDisposition extends ParsedParams {
  readonly type: string;
}

/** Content-Type (RFC 2045 §5.1); null when there is no "type/subtype" to read (§5.2: then text/plain). */
export function parseContentType(value: string): ParsedContentType | null {
  const lexer = new ValueLexer(value);
  lexer.skipCfws();
  const type = lexer.token();
  lexer.skipCfws();
  if (type === '' || !lexer.eat('/')) return null;
  lexer.skipCfws();
  const subtype = lexer.token();
  if (subtype === '') return null;
  return { type, subtype, ...parseParamList(lexer) };
}

/** Content-Disposition (RFC 2183 §2); null when it has no disposition type. */
export function parseContentDisposition(value: string): ParsedDisposition | null {
  const lexer = new ValueLexer(value);
  lexer.skipCfws();
  const type = lexer.token();
  if (type === '') return null;
  return { type, ...parseParamList(lexer) };
}

/** Content-Language (RFC 3282 §2): a comma-separated list of language tags. */
export function parseLanguageList(value: string): string[] {
  const lexer = new ValueLexer(value);
  const tags: string[] = [];
  for (;;) {
    lexer.skipCfws();
    if (lexer.done()) break;
    if (lexer.eat(',')) continue;
    const tag = lexer.token();
    if (tag === '') lexer.skipOne();
    else tags.push(tag);
  }
  return tags;
}

/** The first token of a value, comments removed (Content-Transfer-Encoding, RFC 2045 §6.1). */
export function parseSingleToken(value: string): string | null {
  const lexer = new ValueLexer(value);
  lexer.skipCfws();
  const token = lexer.token();
  return token === '' ? null : token;
}

interface Section {
  readonly base: string;
  readonly index: number;
  readonly extended: boolean;
  readonly value: string;
}

function parseParamList(lexer: ValueLexer): ParsedParams {
  const plain: RawParam[] = [];
  const sections: Section[] = [];
  for (;;) {
    lexer.skipCfws();
    if (lexer.done()) break;
    if (!lexer.eat(';')) {
      lexer.skipTo(';'); // garbage between parameters
      continue;
    }
    lexer.skipCfws();
    const name = lexer.token();
    lexer.skipCfws();
    if (name === '' || !lexer.eat('=')) {
      lexer.skipTo(';');
      continue;
    }
    lexer.skipCfws();
    const value = lexer.paramValue();
    const section = /^(.+?)\*(?:(\d{1,4})(\*)?|)$/.exec(name);
    if (section === null) plain.push([name, value]);
    else {
      const star = section[2] === undefined; // "name*": a single extended section
      sections.push({ base: section[1]!, index: star ? 0 : Number(section[2]), extended: star || section[3] === '*', value });
    }
  }
  return joinRfc2231(plain, sections);
}

/** RFC 2231 §3 and §4: join sections by index, decode the extended ones. */
function joinRfc2231(plain: RawParam[], sections: Section[]): ParsedParams {
  const rawParams: RawParam[] = [...plain];
  const decoded = new Map<string, string>();
  for (const [name, value] of plain) {
    const key = name.toLowerCase();
    if (!decoded.has(key)) decoded.set(key, decodeEncodedWords(value));
  }
  const sorted = [...sections].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.index - b.index));
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    const base = sorted[i]!.base;
    while (j < sorted.length && sorted[j]!.base.toLowerCase() === base.toLowerCase()) j++;
    const group = sorted.slice(i, j);
    i = j;
    const contiguous = group.every((s, k) => s.index === k);
    if (!contiguous) {
      // Missing sections: keep them as the plain parameters they claim to be (as Dovecot does).
      for (const s of group) rawParams.push([`${s.base}*${s.index}${s.extended ? '*' : ''}`, s.value]);
      continue;
    }
    const anyExtended = group.some((s) => s.extended);
    let raw = anyExtended && !group[0]!.extended ? "''" : '';
    for (const s of group) raw += anyExtended && !s.extended ? s.value.replace(/%/g, '%25') : s.value;
    rawParams.push([anyExtended ? `${base}*` : base, raw]);
    // The joined, decoded form wins over a plain parameter of the same name (§4.1 senders send both).
    decoded.set(base.toLowerCase(), anyExtended ? decodeExtended(group) : group.map((s) => s.value).join(''));
  }
  const params = [...decoded].map(([name, value]) => ({ name, value }));
  return { params, rawParams };
}

function decodeExtended(group: Section[]): string {
  let charset: string | null = null;
  const bytes: Buffer[] = [];
  group.forEach((s, k) => {
    let text = s.value;
    if (s.extended && k === 0) {
      // charset'language'value; a value without the two quotes is taken as plain octets
      const first = text.indexOf("'");
      const second = first === -1 ? -1 : text.indexOf("'", first + 1);
      if (second !== -1) {
        charset = text.slice(0, first) || null;
        text = text.slice(second + 1);
      }
    }
    bytes.push(s.extended ? percentDecode(text) : Buffer.from(text, 'utf8'));
  });
  return decodeCharset(Buffer.concat(bytes), charset);
}

function percentDecode(text: string): Buffer {
  const out = Buffer.alloc(Buffer.byteLength(text, 'utf8'));
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      n += out.write(text[i]!, n, 'utf8');
    }
  }
  return out.subarray(0, n);
}

// RFC 2045 §5.1 tspecials, plus space and controls, end a token.
const TSPECIALS = new Set('()<>@,;:\\"/[]?= \t\r\n');

/** A cursor over a structured header value (RFC 5322 §3.2.2 CFWS, RFC 2045 tokens). */
class ValueLexer {
  private pos = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  eat(ch: string): boolean {
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  skipOne(): void {
    this.pos++;
  }

  skipTo(ch: string): void {
    while (this.pos < this.text.length && this.text[this.pos] !== ch) {
      if (this.text[this.pos] === '"') this.quoted();
      else this.pos++;
    }
  }

  /** Blanks, line ends and (nested) comments. */
  skipCfws(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.pos++;
      else if (c === '(') this.comment();
      else break;
    }
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !TSPECIALS.has(this.text[this.pos]!) && this.text.charCodeAt(this.pos) >= 0x20) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A quoted string, or a lenient bare value running to ';', a blank or a comment. */
  paramValue(): string {
    if (this.text[this.pos] === '"') return this.quoted();
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === ';' || c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '(') break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  private quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === '"') return out;
      if (c === '\\' && this.pos < this.text.length) out += this.text[this.pos++]!;
      else if (c !== '\r' && c !== '\n') out += c;
    }
    return out; // unterminated: what there is
  }

  private comment(): void {
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === '\\') this.pos++;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return;
    }
  }
}
