// Mailbox names as clients send them and as Septet stores them: the hierarchy
// delimiter "/", INBOX case-insensitive (RFC 3501 §5.1), modified UTF-7 from IMAP4rev1
// clients and UTF-8 from IMAP4rev2 / UTF8=ACCEPT ones (RFC 9051 §5.1), and LIST
// patterns with "*" and "%" (RFC 3501 §6.3.8).

import { decodeModifiedUtf7 } from './mutf7.ts';
import { Code, no } from './replies.ts';
import type { ArgParser } from './wire.ts';

export const DELIMITER = '/';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Client octets → a name: UTF-8 as is when the client speaks UTF-8 (RFC 6855 §3,
 * RFC 9051 §5.1), otherwise modified UTF-7 (RFC 3501 §5.1.3). A name that is not valid
 * in the client's encoding is a well-formed argument the server refuses: NO, as
 * Dovecot answers, not BAD. Raw 8-bit names before ENABLE UTF8=ACCEPT are refused
 * too (mbsync sends them): taking them would list them back in modified UTF-7 under
 * another spelling than the client created.
 */
export function decodeMailboxName(bytes: Buffer, client: { readonly utf8: boolean }): string {
  const name = decodeName(bytes, client);
  if (typeof name !== 'string') throw no(name.refusal);
  return name;
}

/** A LIST/LSUB reference or pattern; null when it is not valid in the client's encoding (it then matches nothing). */
export function decodeListPattern(bytes: Buffer, client: { readonly utf8: boolean }): string | null {
  const name = decodeName(bytes, client);
  return typeof name === 'string' ? name : null;
}

function decodeName(bytes: Buffer, client: { readonly utf8: boolean }): string | { refusal: string } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { refusal: 'Mailbox name is not valid UTF-8' };
  }
  if (!client.utf8) {
    if (!/^[\x20-\x7e]*$/.test(text)) return { refusal: 'Mailbox name has 8-bit characters: use modified UTF-7 or ENABLE UTF8=ACCEPT first (RFC 3501 section 5.1.3, RFC 6855 section 3)' };
    if (text.includes('&')) {
      const decoded = decodeModifiedUtf7(text);
      if (decoded === null) return { refusal: 'Mailbox name is not valid modified UTF-7 (RFC 3501 section 5.1.3)' };
      text = decoded;
    }
  }
  return canonicalInbox(text);
}

/** "inbox" in any case, and "inbox/x", name INBOX (RFC 3501 §5.1). */
export function canonicalInbox(name: string): string {
  if (name.length >= 5 && name.slice(0, 5).toUpperCase() === 'INBOX' && (name.length === 5 || name[5] === DELIMITER)) return 'INBOX' + name.slice(5);
  return name;
}

/** Reads a mailbox argument (astring). */
export function mailboxArg(args: ArgParser, client: { readonly utf8: boolean }): string {
  return decodeMailboxName(args.astring('mailbox name'), client);
}

/** The parse step of a command whose one argument is a mailbox: SP mailbox. */
export function oneMailbox(args: ArgParser, client: { readonly utf8: boolean }): string {
  args.sp();
  const name = mailboxArg(args, client);
  args.end();
  return name;
}

/** Rules for a name that is to be created: no empty levels, wildcards or controls. */
export function checkNewName(name: string): void {
  if (name === '' || name.startsWith(DELIMITER) || name.includes(DELIMITER + DELIMITER)) throw no('Invalid mailbox name: empty hierarchy level', Code.cannot);
  if (/[%*\x00-\x1f\x7f]/.test(name)) throw no('Invalid mailbox name: wildcards and control characters are not allowed', Code.cannot);
  if (Buffer.byteLength(name) > 512 || name.split(DELIMITER).length > 32) throw no('Mailbox name too long', Code.cannot);
}

/** Every ancestor of a name: "a/b/c" → ["a", "a/b"]. */
export function ancestors(name: string): string[] {
  const out: string[] = [];
  let i = name.indexOf(DELIMITER);
  while (i > 0) {
    out.push(name.slice(0, i));
    i = name.indexOf(DELIMITER, i + 1);
  }
  return out;
}

/**
 * A LIST pattern as a matcher (RFC 3501 §6.3.8): "*" matches anything, "%" anything
 * but the delimiter. INBOX matches case-insensitively.
 */
export function patternMatcher(reference: string, pattern: string): (name: string) => boolean {
  // RFC 3501 §6.3.8: the reference is prefixed to the pattern (a leading delimiter in the pattern replaces it).
  const full = pattern.startsWith(DELIMITER) || reference === '' ? pattern : reference.endsWith(DELIMITER) ? reference + pattern : reference + pattern;
  const body = [...full].map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const exact = new RegExp(`^${body}$`, 's');
  const folded = canonicalInbox(full);
  const inboxBody = folded === full ? null : new RegExp(`^${[...folded].map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 's');
  return (name) => exact.test(name) || (inboxBody !== null && inboxBody.test(name));
}
