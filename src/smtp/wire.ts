// The SMTP command grammar (RFC 5321 §4.1), separate from what commands mean: the
// verb, the paths of MAIL FROM and RCPT TO (§4.1.2) and their ESMTP parameters
// (§4.1.2 Mail-parameters, RFC 3461 §4 xtext) as typed options (MailOptions,
// RcptOptions: go-smtp's shape). Everything here is pure: bytes or text in, parsed
// values or an SmtpError out. Policy (limits from the config, who may send) is the
// commands' business.

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

/** MAIL FROM with the parameters Septet offers (RFC 5321 §4.1.1.2). */
export interface MailOptions {
  /** null for the null reverse-path "<>" (RFC 5321 §4.5.5). */
  mailbox: Mailbox | null;
  /** Any parameter given: they need EHLO (RFC 5321 §4.1.1.11). */
  hasParameters: boolean;
  /** RFC 1870 SIZE= as declared, or null. */
  size: number | null;
  /** RFC 6152 BODY=. */
  body: '7BIT' | '8BITMIME';
  /** RFC 6531 §3.4 SMTPUTF8. */
  smtputf8: boolean;
  /** RFC 3461 §4.3 RET=. */
  ret: 'FULL' | 'HDRS' | null;
  /** RFC 3461 §4.4 ENVID=, xtext decoded. */
  envid: string | null;
  /** RFC 4954 §5 AUTH=, xtext decoded: the original submitter as claimed, never trusted. */
  auth: string | null;
}

/** RCPT TO with the DSN parameters (RFC 5321 §4.1.1.3, RFC 3461 §4.1-4.2). */
export interface RcptOptions {
  mailbox: Mailbox;
  /** NOTIFY=: NEVER, or a comma list of SUCCESS, FAILURE, DELAY (upper-cased). */
  notify: string | null;
  /** ORCPT=: addr-type ";" address, the address xtext decoded. */
  orcpt: string | null;
}

/** RFC 3461 §4.4: ENVID is at most 100 characters. */
const ENVID_MAX = 100;

/** "FROM:<path> params" into MailOptions; 501 for bad values, 555 for unknown parameters. */
export function parseMailCommand(args: string): MailOptions {
  const { mailbox, params } = parseMailFrom(args);
  const options: MailOptions = { mailbox, hasParameters: params.size > 0, size: null, body: '7BIT', smtputf8: false, ret: null, envid: null, auth: null };
  for (const [key, value] of params) parseMailParameter(options, key, value);
  return options;
}

function parseMailParameter(options: MailOptions, key: string, value: string | null): void {
  switch (key) {
    case 'SIZE':
      options.size = parseSizeParam(value);
      return;
    case 'BODY': {
      const body = value?.toUpperCase();
      if (body !== '7BIT' && body !== '8BITMIME') throw new SmtpError(Replies.badArguments, 'BODY must be 7BIT or 8BITMIME');
      options.body = body;
      return;
    }
    case 'SMTPUTF8':
      if (value !== null) throw new SmtpError(Replies.badArguments, 'SMTPUTF8 takes no value'); // RFC 6531 §3.4
      options.smtputf8 = true;
      return;
    case 'RET': {
      const ret = value?.toUpperCase();
      if (ret !== 'FULL' && ret !== 'HDRS') throw new SmtpError(Replies.badArguments, 'RET must be FULL or HDRS');
      options.ret = ret;
      return;
    }
    case 'ENVID':
      if (value === null || value.length > ENVID_MAX) throw new SmtpError(Replies.badArguments, `ENVID needs a value of at most ${ENVID_MAX} characters`);
      options.envid = decodeXtext(value);
      return;
    case 'AUTH':
      if (value === null) throw new SmtpError(Replies.badArguments, 'AUTH= needs a value');
      options.auth = decodeXtext(value);
      return;
    default:
      throw new SmtpError(Replies.unknownParameter, `Parameter not recognized: ${key}`);
  }
}

/** "TO:<path> params" into RcptOptions; NOTIFY and ORCPT are the only parameters (DSN is advertised). */
export function parseRcptCommand(args: string): RcptOptions {
  const { mailbox, params } = parseRcptTo(args);
  if (!mailbox) throw new SmtpError(Replies.badAddress); // parseRcptTo already refuses "<>"
  const options: RcptOptions = { mailbox, notify: null, orcpt: null };
  for (const [key, value] of params) {
    if (key === 'NOTIFY') options.notify = parseNotify(value);
    else if (key === 'ORCPT') options.orcpt = parseOrcpt(value);
    else throw new SmtpError(Replies.unknownParameter, `Parameter not recognized: ${key}`);
  }
  return options;
}

/** RFC 3461 §4.1: NEVER alone, or any of SUCCESS, FAILURE, DELAY. */
function parseNotify(value: string | null): string {
  const keywords = (value ?? '').toUpperCase().split(',');
  const valid = keywords.every((k) => k === 'SUCCESS' || k === 'FAILURE' || k === 'DELAY') || (keywords.length === 1 && keywords[0] === 'NEVER');
  if (!value || !valid) throw new SmtpError(Replies.badArguments, 'NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY');
  return keywords.join(',');
}

/** RFC 3461 §4.2: addr-type ";" xtext; only the address is xtext-encoded. */
function parseOrcpt(value: string | null): string {
  const semi = value?.indexOf(';') ?? -1;
  if (!value || semi <= 0) throw new SmtpError(Replies.badArguments, 'ORCPT must be addr-type;address');
  return `${value.slice(0, semi)};${decodeXtext(value.slice(semi + 1))}`;
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
  const { localPart, rest } = text.startsWith('"') ? splitQuotedLocalPart(text) : splitDotStringLocalPart(text);
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

/** Quoted-string (§4.1.2): the local part unquoted, and what follows the closing quote. */
function splitQuotedLocalPart(text: string): { localPart: string; rest: string } {
  let localPart = '';
  for (let i = 1; ; i++) {
    if (i >= text.length) throw new SmtpError(Replies.badAddress, 'Unterminated quoted local part');
    const c = text[i]!;
    if (c === '"') return { localPart, rest: text.slice(i + 1) };
    if (c === '\\') {
      const next = text[++i];
      // quoted-pairSMTP = %d92 %d32-126
      if (next === undefined || next < ' ' || next > '~') throw new SmtpError(Replies.badAddress);
      localPart += next;
    } else if ((c >= ' ' && c <= '~') || c > '\x7f') {
      localPart += c; // qtextSMTP, or UTF-8 under RFC 6531
    } else throw new SmtpError(Replies.badAddress);
  }
}

/** Dot-string (§4.1.2): everything before the last "@". */
function splitDotStringLocalPart(text: string): { localPart: string; rest: string } {
  const at = text.lastIndexOf('@');
  if (at < 0) throw new SmtpError(Replies.badAddress, 'Address must have a domain');
  const localPart = text.slice(0, at);
  if (!isDotString(localPart)) throw new SmtpError(Replies.badAddress, 'Bad local part');
  return { localPart, rest: text.slice(at) };
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
