// Address lists (RFC 5322 §3.4, with the §4.4 obsolete forms: routes, phrases with
// dots, CFWS anywhere). Parsing never fails: what cannot be read as an address is
// skipped up to the next comma. Display names are returned as written (quotes and
// escapes removed, encoded words kept), which is what IMAP ENVELOPE sends; decode
// them for display with decodeEncodedWords().

export interface MailboxAddress {
  readonly kind: 'mailbox';
  /** Display name (phrase), or the last comment when there is no phrase ("a@b (Ann)"). */
  readonly name: string | null;
  /** Obsolete source route ("@a,@b"), RFC 5322 §4.4 obs-route. */
  readonly adl: string | null;
  /** Local part, unquoted; null when absent. */
  readonly mailbox: string | null;
  /** Domain, without brackets unless a domain literal; null when there is no "@". */
  readonly host: string | null;
}

export interface GroupAddress {
  readonly kind: 'group';
  readonly name: string;
  readonly members: MailboxAddress[];
}

export type AddressListItem = MailboxAddress | GroupAddress;

type Token =
  | { readonly t: 'word'; readonly v: string; readonly quoted: boolean }
  | { readonly t: 'literal'; readonly v: string }
  | { readonly t: 'special'; readonly v: string };

const SPECIALS = new Set('()<>[]:;@\\,."');

/** Tokens of a header value, with comments removed (the last one remembered per token run). */
function tokenize(text: string): { tokens: Token[]; comments: Map<number, string> } {
  const tokens: Token[] = [];
  const comments = new Map<number, string>(); // token index the comment follows -> comment
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      let depth = 0;
      let comment = '';
      while (i < text.length) {
        const d = text[i++]!;
        if (d === '\\' && i < text.length) comment += text[i++]!;
        else if (d === '(') {
          if (depth++ > 0) comment += d;
        } else if (d === ')') {
          if (--depth === 0) break;
          comment += d;
        } else comment += d;
      }
      comments.set(tokens.length, comment.trim());
    } else if (c === '"') {
      let v = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] !== '\r' && text[i] !== '\n') v += text[i];
        i++;
      }
      i++;
      tokens.push({ t: 'word', v, quoted: true });
    } else if (c === '[') {
      const close = text.indexOf(']', i);
      const end = close === -1 ? text.length : close + 1;
      tokens.push({ t: 'literal', v: text.slice(i, end).replace(/[\r\n]/g, '') });
      i = end;
    } else if (SPECIALS.has(c)) {
      tokens.push({ t: 'special', v: c });
      i++;
    } else {
      const start = i;
      while (i < text.length && !SPECIALS.has(text[i]!) && !' \t\r\n'.includes(text[i]!)) i++;
      tokens.push({ t: 'word', v: text.slice(start, i), quoted: false });
    }
  }
  return { tokens, comments };
}

/** Parses an address-list or mailbox-list field value (From, To, Cc, Bcc, Reply-To, Sender). */
export function parseAddressList(text: string): AddressListItem[] {
  return new AddressParser(text).list();
}

class AddressParser {
  private readonly tokens: Token[];
  private readonly comments: Map<number, string>;
  private pos = 0;

  constructor(text: string) {
    ({ tokens: this.tokens, comments: this.comments } = tokenize(text));
  }

  list(): AddressListItem[] {
    const items: AddressListItem[] = [];
    while (this.pos < this.tokens.length) {
      const before = this.pos;
      if (this.isSpecial(',') || this.isSpecial(';')) {
        this.pos++;
        continue;
      }
      const item = this.addressOrGroup(false);
      if (item !== null) items.push(item);
      if (this.pos === before) this.pos++; // never stall on garbage
    }
    return items;
  }

  private addressOrGroup(inGroup: boolean): AddressListItem | null {
    const start = this.pos;
    const phrase = this.phrase();
    if (!inGroup && this.isSpecial(':')) {
      this.pos++;
      const members: MailboxAddress[] = [];
      while (this.pos < this.tokens.length && !this.isSpecial(';')) {
        const before = this.pos;
        if (this.isSpecial(',')) {
          this.pos++;
          continue;
        }
        const member = this.addressOrGroup(true);
        if (member !== null && member.kind === 'mailbox') members.push(member);
        if (this.pos === before) this.pos++;
      }
      if (this.isSpecial(';')) this.pos++;
      return { kind: 'group', name: phrase ?? '', members };
    }
    if (this.isSpecial('<')) {
      this.pos++;
      const address = this.angleAddress(phrase);
      this.skipToSeparator();
      return address;
    }
    // A bare addr-spec: read it again from the start.
    this.pos = start;
    const spec = this.addrSpec();
    const comment = this.lastCommentBetween(start, this.pos);
    this.skipToSeparator();
    if (spec === null) return null;
    return { kind: 'mailbox', name: comment, adl: null, ...spec };
  }

  private angleAddress(name: string | null): MailboxAddress {
    let adl: string | null = null;
    // obs-route: "@a,@b:" before the addr-spec (RFC 5322 §4.4)
    if (this.isSpecial('@')) {
      const route: string[] = [];
      while (this.isSpecial('@') || this.isSpecial(',')) {
        if (this.isSpecial(',')) {
          this.pos++;
          continue;
        }
        this.pos++;
        route.push(`@${this.domain()}`);
      }
      if (this.isSpecial(':')) this.pos++;
      adl = route.join(',');
    }
    const spec = this.addrSpec() ?? { mailbox: null, host: null };
    if (this.isSpecial('>')) this.pos++;
    return { kind: 'mailbox', name, adl, ...spec };
  }

  /** local-part ["@" domain]; null when there is nothing address-like here. */
  private addrSpec(): { mailbox: string | null; host: string | null } | null {
    let local = '';
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos]!;
      if (token.t === 'word') local += token.v;
      else if (token.t === 'special' && token.v === '.') local += '.';
      else break;
      this.pos++;
    }
    let host: string | null = null;
    if (this.isSpecial('@')) {
      this.pos++;
      host = this.domain();
    }
    if (local === '' && (host === null || host === '')) return null;
    return { mailbox: local === '' ? null : local, host: host === '' ? null : host };
  }

  private domain(): string {
    let domain = '';
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos]!;
      if (token.t === 'word' || token.t === 'literal') domain += token.v;
      else if (token.t === 'special' && token.v === '.') domain += '.';
      else break;
      this.pos++;
    }
    return domain;
  }

  /** Words (atoms, quoted strings, obsolete dots) joined with single spaces; null when none. */
  private phrase(): string | null {
    let out: string | null = null;
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos]!;
      if (token.t === 'word') out = out === null ? token.v : `${out} ${token.v}`;
      else if (token.t === 'special' && token.v === '.') out = (out ?? '') + '.';
      else break;
      this.pos++;
    }
    return out;
  }

  private lastCommentBetween(from: number, to: number): string | null {
    let found: string | null = null;
    for (let i = from; i <= to; i++) {
      const comment = this.comments.get(i);
      if (comment !== undefined && comment !== '') found = comment;
    }
    return found;
  }

  /** Skips garbage after an address, up to the next "," (or ";" ending a group). */
  private skipToSeparator(): void {
    while (this.pos < this.tokens.length && !this.isSpecial(',') && !this.isSpecial(';')) this.pos++;
  }

  private isSpecial(v: string): boolean {
    const token = this.tokens[this.pos];
    return token !== undefined && token.t === 'special' && token.v === v;
  }
}
