// The SMTP command grammar (RFC 5321 §4.1), separate from what commands mean: the
// verb, the paths of MAIL FROM and RCPT TO (§4.1.2) and ESMTP parameters (§4.1.2
// Mail-parameters, RFC 3461 §4 xtext). Everything here is pure: bytes or text in,
// parsed values or an SmtpError out.

import { Replies, SmtpError } from './replies.ts';

export interface CommandLine {
  /** Upper-cased verb ("MAIL"). */
  verb: string;
  /** The rest of the line after the verb and one space, as sent. */
  args: string;
}

export interface Mailbox {
  /** Local part without quoting ("john smith" for "\"john smith\""). */
  localPart: string;
  /** Domain as sent (a domain name, or an address literal with its brackets). */
  domain: string;
  /** Canonical form: local part quoted only when it must be, domain lower-cased. */
  address: string;
  /** True when the local part or the domain holds non-ASCII characters (RFC 6531). */
  utf8: boolean;
}

export interface PathResult {
  /** null for the null reverse-path "<>" (RFC 5321 §4.5.5). */
  mailbox: Mailbox | null;
  params: Map<string, string | null>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Splits a command line (without CRLF) into verb and arguments. RFC 5321 §4.1.1. */
export function parseCommandLine(line: Buffer): CommandLine {
  let text: string;
  try {
    text = utf8.decode(line);
  } catch {
    throw new SmtpError(Replies.syntaxError, 'Command line is not valid UTF-8');
  }
  // Some clients add trailing spaces; §4.1.1 commands never end in significant blanks.
  text = text.replace(/[ \t]+$/, '');
  const space = text.indexOf(' ');
  const verb = space < 0 ? text : text.slice(0, space);
  if (!/^[A-Za-z]{1,16}$/.test(verb)) throw new SmtpError(Replies.syntaxError);
  return { verb: verb.toUpperCase(), args: space < 0 ? '' : text.slice(space + 1) };
}

/** "FROM:<path> params" (RFC 5321 §4.1.1.2). */
export function parseMailFrom(args: string): PathResult {
  return parsePathArgument(args, 'FROM:', true);
}

/** "TO:<path> params" (RFC 5321 §4.1.1.3); "<Postmaster>" without a domain is allowed. */
export function parseRcptTo(args: string): PathResult {
  return parsePathArgument(args, 'TO:', false);
}

function parsePathArgument(args: string, keyword: string, reverse: boolean): PathResult {
  if (args.slice(0, keyword.length).toUpperCase() !== keyword) {
    throw new SmtpError(Replies.badArguments, `Syntax: ${reverse ? 'MAIL FROM:<address>' : 'RCPT TO:<address>'}`);
  }
  // Not in the grammar, but widely sent ("MAIL FROM: <a@b>"); Postfix accepts it too.
  let rest = args.slice(keyword.length).replace(/^ +/, '');
  if (!rest.startsWith('<')) throw new SmtpError(Replies.badAddress, 'Address must be enclosed in <>');
  const close = findPathEnd(rest);
  if (close < 0) throw new SmtpError(Replies.badAddress, 'Missing > at end of address');
  const inner = rest.slice(1, close);
  rest = rest.slice(close + 1);
  if (rest !== '' && !rest.startsWith(' ')) throw new SmtpError(Replies.badArguments, 'Expected a space after the address');
  const params = parseParams(rest);
  if (inner === '') {
    if (!reverse) throw new SmtpError(Replies.badAddress, 'Empty recipient address');
    return { mailbox: null, params };
  }
  if (!reverse && inner.toLowerCase() === 'postmaster') {
    return { mailbox: { localPart: 'postmaster', domain: '', address: 'postmaster', utf8: false }, params };
  }
  return { mailbox: parseMailbox(stripSourceRoute(inner)), params };
}

/** Index of the ">" that closes the path, skipping quoted strings. -1 if none. */
function findPathEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '>') return i;
  }
  return -1;
}

/** RFC 5321 §4.1.2 A-d-l ("@a,@b:user@c"): §3.3 and §F.2 say ignore the route. */
function stripSourceRoute(path: string): string {
  if (!path.startsWith('@')) return path;
  const colon = path.indexOf(':');
  if (colon < 0) throw new SmtpError(Replies.badAddress, 'Bad source route');
  const route = path.slice(0, colon).split(',');
  for (const hop of route) {
    if (!hop.startsWith('@') || !isDomain(hop.slice(1))) throw new SmtpError(Replies.badAddress, 'Bad source route');
  }
  return path.slice(colon + 1);
}

// RFC 5321 §4.1.2: atext of RFC 5322 §3.2.3; RFC 6531 §3.3 adds UTF8-non-ascii.
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+$/u;
const NON_ASCII = /[^\x00-\x7f]/;

/** Mailbox = Local-part "@" ( Domain / address-literal ). RFC 5321 §4.1.2. */
export function parseMailbox(text: string): Mailbox {
  let localPart: string;
  let rest: string;
  if (text.startsWith('"')) {
    let i = 1;
    localPart = '';
    for (;; i++) {
      if (i >= text.length) throw new SmtpError(Replies.badAddress, 'Unterminated quoted local part');
      const c = text[i]!;
      if (c === '"') break;
      if (c === '\\') {
        const next = text[++i];
        // quoted-pairSMTP = %d92 %d32-126
        if (next === undefined || next < ' ' || next > '~') throw new SmtpError(Replies.badAddress);
        localPart += next;
      } else if ((c >= ' ' && c <= '~') || c > '\x7f') {
        localPart += c; // qtextSMTP, or UTF-8 under RFC 6531
      } else throw new SmtpError(Replies.badAddress);
    }
    rest = text.slice(i + 1);
  } else {
    const at = text.lastIndexOf('@');
    if (at < 0) throw new SmtpError(Replies.badAddress, 'Address must have a domain');
    localPart = text.slice(0, at);
    rest = text.slice(at);
    if (!isDotString(localPart)) throw new SmtpError(Replies.badAddress, 'Bad local part');
  }
  if (!rest.startsWith('@')) throw new SmtpError(Replies.badAddress, 'Address must have a domain');
  const domain = rest.slice(1);
  if (!isDomain(domain) && !isAddressLiteral(domain)) throw new SmtpError(Replies.badAddress, 'Bad domain');
  if (localPart.length > 64 * 4 || domain.length > 255) throw new SmtpError(Replies.badAddress, 'Address too long'); // §4.5.3.1.1-2 (UTF-8 leeway)
  const local = isDotString(localPart) ? localPart : `"${localPart.replace(/(["\\])/g, '\\$1')}"`;
  return {
    localPart,
    domain,
    address: `${local}@${domain.toLowerCase()}`,
    utf8: NON_ASCII.test(localPart) || NON_ASCII.test(domain),
  };
}

function isDotString(text: string): boolean {
  return text.split('.').every((atom) => ATEXT.test(atom));
}

/** Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (U-labels allowed). */
function isDomain(text: string): boolean {
  if (text === '') return false;
  return text.split('.').every((label) => /^[A-Za-z0-9\u0080-\u{10FFFF}]([A-Za-z0-9\u0080-\u{10FFFF}-]*[A-Za-z0-9\u0080-\u{10FFFF}])?$/u.test(label));
}

/** "[192.0.2.1]", "[IPv6:...]" or a General-address-literal (§4.1.3). */
function isAddressLiteral(text: string): boolean {
  return /^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(text);
}

/** Mail-parameters = esmtp-param *(SP esmtp-param) (RFC 5321 §4.1.2). Keys upper-cased. */
export function parseParams(text: string): Map<string, string | null> {
  const params = new Map<string, string | null>();
  for (const item of text.split(' ')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? null : item.slice(eq + 1);
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key)) throw new SmtpError(Replies.badArguments, `Bad parameter: ${item}`);
    // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 under RFC 6531 §3.3
    if (value !== null && !/^[\x21-\x3c\x3e-\x7e\u0080-\u{10FFFF}]+$/u.test(value)) {
      throw new SmtpError(Replies.badArguments, `Bad value of parameter ${key}`);
    }
    if (params.has(key)) throw new SmtpError(Replies.badArguments, `Duplicate parameter ${key}`);
    params.set(key, value);
  }
  return params;
}

/** xtext (RFC 3461 §4): "+" followed by two upper-case hex digits stands for one octet. */
export function decodeXtext(text: string): string {
  return text.replace(/\+([0-9A-F]{2})|\+/g, (match, hex: string | undefined) => {
    if (hex === undefined) throw new SmtpError(Replies.badArguments, 'Bad xtext encoding');
    return String.fromCharCode(parseInt(hex, 16));
  });
}

/** The SIZE parameter value (RFC 1870 §3: 1*20DIGIT). */
export function parseSizeParam(value: string | null): number {
  if (value === null || !/^[0-9]{1,20}$/.test(value)) throw new SmtpError(Replies.badArguments, 'SIZE needs a number');
  return Number(value);
}

/** Parses "<size> [LAST]" of BDAT (RFC 3030 §2). */
export function parseBdatArgs(args: string): { size: number; last: boolean } {
  const m = /^([0-9]{1,15})( +LAST)?$/i.exec(args.trim());
  if (!m) throw new SmtpError(Replies.badArguments, 'Syntax: BDAT <size> [LAST]');
  return { size: Number(m[1]), last: m[2] !== undefined };
}
