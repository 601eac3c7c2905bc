// Building response data: strings as quoted or literal (RFC 3501 §4.3), NIL, flag
// lists, mailbox names in modified UTF-7 or UTF-8, and dates. Text that may carry
// octets a quoted string cannot hold always goes out as a literal.
//
// Convention: response text is a "binary string", one character per octet (latin1),
// and goes on the wire with Buffer.from(text, 'latin1'). That keeps raw 8-bit header
// octets exact; UTF-8 text enters through binary().

import { encodeModifiedUtf7 } from './mutf7.ts';
import { monthName } from './wire.ts';

/** Longest value sent as a quoted string; longer ones go as literals. */
const MAX_QUOTED = 1000;

/** Whether every octet can appear in a quoted string (TEXT-CHAR, and 8-bit only when allowed). */
function quotable(bytes: Buffer, allow8bit: boolean): boolean {
  if (bytes.length > MAX_QUOTED) return false;
  for (const b of bytes) {
    if (b === 0x0d || b === 0x0a || b === 0) return false;
    if (b >= 0x80 && !allow8bit) return false;
  }
  return true;
}

/**
 * A string as quoted or literal. `utf8` allows raw UTF-8 inside quotes (IMAP4rev2 and
 * UTF8=ACCEPT, RFC 9051 §4.3); otherwise 8-bit octets force a literal.
 */
export function imapString(value: string | Buffer, utf8 = false): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (quotable(bytes, utf8)) {
    const text = bytes.toString('latin1');
    return `"${text.replace(/[\\"]/g, (c) => '\\' + c)}"`;
  }
  return `{${bytes.length}}\r\n${bytes.toString('latin1')}`;
}

/** UTF-8 text as a binary string (one character per octet). */
export function binary(text: string): string {
  // Fast path: pure ASCII is already its own encoding.
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

export function nstring(value: string | Buffer | null | undefined, utf8 = false): string {
  return value === null || value === undefined ? 'NIL' : imapString(value, utf8);
}

/** A mailbox name on the wire: modified UTF-7 for IMAP4rev1, UTF-8 when enabled (RFC 9051 §5.1). */
export function mailboxName(name: string, utf8: boolean): string {
  return imapString(utf8 ? name : encodeModifiedUtf7(name), utf8);
}

export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/** date-time (RFC 3501 §9): "dd-Mon-yyyy hh:mm:ss +0000", in UTC. */
export function imapDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `"${day}-${monthName(date.getUTCMonth())}-${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000"`;
}
