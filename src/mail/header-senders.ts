// The author fields a reader sees (From:, Sender:) read strictly, for the submission
// sender binding (RFC 6409 §6.1 applied to the header). A lenient parser that skips
// what it cannot read (core/mime/address.ts, right for IMAP ENVELOPE) would let
// "From: x <alice@d> <boris@d>" pass as alice while a mail reader shows boris, so
// here anything outside the RFC 5322 §3.4 grammar (with the §4.4 obsolete forms
// MUAs still write: dots in phrases, routes, empty list elements, and RFC 6854
// groups in From/Sender) makes the field unreadable, and the message is refused.

import { decodeEncodedWords } from '../core/mime/encoded-words.ts';
import { parseHeaderFields } from '../core/mime/header.ts';

export type AuthorFieldName = 'From' | 'Sender';

export interface AuthorField {
  name: AuthorFieldName;
  /** addr-specs in the field, local part unquoted ("a b"@d → a b@d), domain as written. */
  addresses: string[];
  /**
   * Address-like text in display names, group names and comments, after RFC 2047
   * decoding: what a reader may take for the author ("boris@d" <alice@d>).
   */
  shownAddresses: string[];
}

export type HeaderSendersProblem =
  /** RFC 5322 §3.6: From and Sender occur at most once. */
  | { kind: 'repeated'; field: AuthorFieldName; count: number }
  | { kind: 'unparseable'; field: AuthorFieldName; reason: string }
  | { kind: 'empty'; field: AuthorFieldName }
  | { kind: 'missing'; field: 'From' };

export type HeaderSenders = { ok: true; fields: AuthorField[] } | { ok: false; problem: HeaderSendersProblem };

const FIELD_NAMES: Record<string, AuthorFieldName> = { from: 'From', sender: 'Sender' };

/** Reads From: (required, RFC 5322 §3.6) and Sender: (optional) of a header block. */
export function extractHeaderSenders(header: Buffer): HeaderSenders {
  const byName = new Map<AuthorFieldName, string[]>();
  for (const field of parseHeaderFields(header)) {
    // A name written with blanks around it still names the field for some readers.
    const name = FIELD_NAMES[field.lowerName.trim()];
    if (name) byName.set(name, [...(byName.get(name) ?? []), field.value]);
  }
  const fields: AuthorField[] = [];
  for (const name of ['From', 'Sender'] as const) {
    const values = byName.get(name);
    if (!values) {
      if (name === 'From') return { ok: false, problem: { kind: 'missing', field: 'From' } };
      continue;
    }
    if (values.length > 1) return { ok: false, problem: { kind: 'repeated', field: name, count: values.length } };
    let parsed: ParsedList;
    try {
      parsed = parseAuthorList(values[0]!);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return { ok: false, problem: { kind: 'unparseable', field: name, reason: error.message } };
    }
    if (parsed.addresses.length === 0) return { ok: false, problem: { kind: 'empty', field: name } };
    fields.push({ name, addresses: parsed.addresses, shownAddresses: addressesIn(parsed.shownText) });
  }
  return { ok: true, fields };
}

/** Something@host.tld in free text: how an address shows in a display name. */
const ADDRESS_LIKE = /[^\s"<>()[\],;:@]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/giu;

function addressesIn(texts: string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) for (const m of decodeEncodedWords(text).matchAll(ADDRESS_LIKE)) found.add(m[0]);
  return [...found];
}

// ---------------------------------------------------------------------------
// RFC 5322 §3.2-3.4 tokens: comments are taken out (their text kept, §3.2.2).

type Token =
  | { t: 'atom'; v: string }
  | { t: 'quoted'; v: string }
  | { t: 'literal'; v: string }
  | { t: 'special'; v: '.' | '@' | '<' | '>' | ',' | ':' | ';' };

/** RFC 5322 §3.2.3 atext, plus non-ASCII (RFC 6532 §3.2). */
const ATEXT = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]/u;

function tokenize(text: string): { tokens: Token[]; comments: string[] } {
  const tokens: Token[] = [];
  const comments: string[] = [];
  const chars = [...text];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      let depth = 0;
      let comment = '';
      for (;;) {
        if (i >= chars.length) throw new SyntaxError('unterminated comment');
        const d = chars[i++]!;
        if (d === '\\') {
          if (i >= chars.length) throw new SyntaxError('unterminated comment');
          comment += chars[i++]!;
        } else if (d === '(') {
          if (depth++ > 0) comment += d;
        } else if (d === ')') {
          if (--depth === 0) break;
          comment += d;
        } else comment += d;
      }
      comments.push(comment);
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= chars.length) throw new SyntaxError('unterminated quoted string');
        const d = chars[i++]!;
        if (d === '"') break;
        if (d === '\\') {
          if (i >= chars.length) throw new SyntaxError('unterminated quoted string');
          v += chars[i++]!;
        } else v += d;
      }
      tokens.push({ t: 'quoted', v });
    } else if (c === '[') {
      let v = c;
      i++;
      for (;;) {
        if (i >= chars.length) throw new SyntaxError('unterminated domain literal');
        const d = chars[i++]!;
        if (d === '[' || d === '\\') throw new SyntaxError('bad domain literal');
        v += d;
        if (d === ']') break;
      }
      tokens.push({ t: 'literal', v });
    } else if ('.@<>,:;'.includes(c)) {
      tokens.push({ t: 'special', v: c as '.' });
      i++;
    } else if (ATEXT.test(c)) {
      let v = '';
      while (i < chars.length && ATEXT.test(chars[i]!)) v += chars[i++]!;
      tokens.push({ t: 'atom', v });
    } else {
      throw new SyntaxError(`unexpected ${JSON.stringify(c)}`);
    }
  }
  return { tokens, comments };
}

// ---------------------------------------------------------------------------
// address-list = (mailbox / group) *("," ...); groups per RFC 6854 §2.

interface ParsedList {
  addresses: string[];
  /** Display names, group names and comments, as written (encoded words not yet decoded). */
  shownText: string[];
}

function parseAuthorList(value: string): ParsedList {
  const { tokens, comments } = tokenize(value);
  const parser = new StrictListParser(tokens);
  parser.list();
  return { addresses: parser.addresses, shownText: [...parser.names, ...comments] };
}

class StrictListParser {
  readonly addresses: string[] = [];
  readonly names: string[] = [];
  private readonly tokens: Token[];
  private pos = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  list(): void {
    while (this.pos < this.tokens.length) {
      if (this.eat(',')) continue; // RFC 5322 §4.4 obs-mbox-list: empty elements
      this.item(true);
      if (this.pos < this.tokens.length && !this.eat(',')) throw new SyntaxError('expected "," between addresses');
    }
  }

  private item(groupAllowed: boolean): void {
    if (this.peekSpecial('<')) return this.angleAddress();
    const start = this.pos;
    const phrase = this.phrase();
    if (phrase !== null && this.peekSpecial('<')) {
      this.names.push(phrase);
      return this.angleAddress();
    }
    if (phrase !== null && this.peekSpecial(':')) {
      if (!groupAllowed) throw new SyntaxError('group inside a group');
      this.pos++;
      this.names.push(phrase);
      while (!this.eat(';')) {
        if (this.pos >= this.tokens.length) throw new SyntaxError('group without ";"');
        if (this.eat(',')) continue;
        this.item(false);
        if (!this.peekSpecial(';') && !this.eat(',')) throw new SyntaxError('expected "," or ";" in group');
      }
      return;
    }
    this.pos = start;
    this.addresses.push(this.addrSpec());
  }

  /** "<" [obs-route] addr-spec ">" (RFC 5322 §3.4, §4.4). */
  private angleAddress(): void {
    this.expect('<');
    if (this.peekSpecial('@')) {
      // obs-route "@a,@b:" (RFC 5322 §4.4): readers ignore it; the addr-spec after it is the address.
      for (;;) {
        if (this.eat('@')) this.domain();
        else if (!this.eat(',')) break;
      }
      this.expect(':');
    }
    this.addresses.push(this.addrSpec());
    this.expect('>');
  }

  /** local-part "@" domain; the local part may be dotted words (obs-local-part). */
  private addrSpec(): string {
    let local = this.word();
    while (this.eat('.')) local += `.${this.word()}`;
    this.expect('@');
    return `${local}@${this.domain()}`;
  }

  private domain(): string {
    const token = this.tokens[this.pos];
    if (token?.t === 'literal') {
      this.pos++;
      return token.v;
    }
    let domain = this.atom();
    while (this.eat('.')) domain += `.${this.atom()}`;
    return domain;
  }

  /** 1*word with obsolete dots (RFC 5322 §4.1 obs-phrase); null when there is no word. */
  private phrase(): string | null {
    const words: string[] = [];
    for (;;) {
      const token = this.tokens[this.pos];
      if (token?.t === 'atom' || token?.t === 'quoted') words.push(token.v);
      else if (token?.t === 'special' && token.v === '.' && words.length > 0) words.push('.');
      else break;
      this.pos++;
    }
    return words.length === 0 ? null : words.join(' ');
  }

  private word(): string {
    const token = this.tokens[this.pos];
    if (token?.t !== 'atom' && token?.t !== 'quoted') throw new SyntaxError('expected a word');
    this.pos++;
    return token.v;
  }

  private atom(): string {
    const token = this.tokens[this.pos];
    if (token?.t !== 'atom') throw new SyntaxError('expected a domain');
    this.pos++;
    return token.v;
  }

  private peekSpecial(v: string): boolean {
    const token = this.tokens[this.pos];
    return token?.t === 'special' && token.v === v;
  }

  private eat(v: string): boolean {
    if (!this.peekSpecial(v)) return false;
    this.pos++;
    return true;
  }

  private expect(v: string): void {
    if (!this.eat(v)) throw new SyntaxError(`expected "${v}"`);
  }
}
