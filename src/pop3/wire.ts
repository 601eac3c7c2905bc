// POP3 command framing and argument parsing, on bytes. RFC 1939 §3: a command is a
// case-insensitive keyword, optionally followed by arguments separated by single
// spaces, ended by CRLF. Nothing here knows what a command means.

import { Pop3Error, Text } from './replies.ts';

export interface CommandLine {
  /** Upper-cased keyword. */
  verb: string;
  /** Everything after the first space (PASS takes it whole: RFC 1939 §7 allows spaces). */
  rest: string;
}

export type ParsedLine = { kind: 'command'; line: CommandLine } | { kind: 'invalid'; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits one line (CRLF already removed) into keyword and the rest. Control octets
 * are refused; non-ASCII is accepted only as valid UTF-8 (user names, passwords).
 */
export function parseCommandLine(raw: Buffer): ParsedLine {
  if (raw.length === 0) return { kind: 'invalid', reason: Text.emptyCommand };
  for (const b of raw) {
    if (b < 0x20 || b === 0x7f) return { kind: 'invalid', reason: Text.badCharacters };
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { kind: 'invalid', reason: Text.badCharacters };
  }
  const space = text.indexOf(' ');
  const keyword = space < 0 ? text : text.slice(0, space);
  const rest = space < 0 ? '' : text.slice(space + 1);
  // RFC 1939 §3 keywords are 3-4 characters; extensions (RFC 2449 §9) stay alphabetic.
  if (!/^[A-Za-z]{1,20}$/.test(keyword)) return { kind: 'invalid', reason: Text.unknownCommand };
  return { kind: 'command', line: { verb: keyword.toUpperCase(), rest } };
}

/** Arguments split on single spaces; a doubled or trailing space is a syntax error. */
export function splitArguments(rest: string): string[] {
  if (rest === '') return [];
  const args = rest.split(' ');
  if (args.some((a) => a === '')) throw new Pop3Error('Arguments must be separated by single spaces');
  return args;
}

/** Exactly `count` arguments, or a clear -ERR naming the syntax. */
export function expectArguments(rest: string, min: number, max: number, syntax: string): string[] {
  const args = splitArguments(rest);
  if (args.length < min || args.length > max) throw new Pop3Error(`Syntax: ${syntax}`);
  return args;
}

/** The parse step of a command that takes no arguments. */
export function noArguments(syntax: string): (rest: string) => void {
  return (rest) => {
    expectArguments(rest, 0, 0, syntax);
  };
}

/**
 * RFC 1939 §3: a message number is a positive decimal integer. Whether it is at most
 * the number of messages in the maildrop is the maildrop's check (Maildrop.message).
 */
export function parseMessageNumber(arg: string): number {
  if (!/^[0-9]{1,10}$/.test(arg)) throw new Pop3Error('Message number must be a positive decimal integer');
  const n = Number(arg);
  if (n < 1) throw new Pop3Error(Text.noSuchMessage(n));
  return n;
}

/** An optional message number (LIST, UIDL): null when absent. */
export function parseOptionalMessageNumber(rest: string, syntax: string): number | null {
  const [arg] = expectArguments(rest, 0, 1, syntax);
  return arg === undefined ? null : parseMessageNumber(arg);
}

/** TOP's line count (RFC 1939 §7): a non-negative decimal integer. */
export function parseLineCount(arg: string): number {
  if (!/^[0-9]{1,10}$/.test(arg)) throw new Pop3Error('Line count must be a non-negative decimal integer');
  return Number(arg);
}
