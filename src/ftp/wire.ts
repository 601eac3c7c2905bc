// The control connection's framing (RFC 959 §4, RFC 854 Telnet): command lines end in
// CRLF; Telnet commands (IAC IP, IAC DM, ...) may come in band before an ABOR and are
// removed. Python's ftplib sends "ABOR\r\n" as TCP urgent data, which takes the last
// octet (the LF) out of the stream, so a pending "ABOR\r" with nothing after it counts
// as a whole line. Also here: PORT/PASV/EPRT/EPSV host-port syntax.

import { isIP } from 'node:net';
import type { ByteReader } from '../core/net/byte-reader.ts';
import { LineTooLongError } from '../core/net/byte-reader.ts';

const IAC = 0xff;
const CR = 0x0d;
const LF = 0x0a;
const ABOR_CR = Buffer.from('ABOR\r');

/**
 * The next command line as octets (CRLF and Telnet commands removed), or null at the
 * end of input. Reads octet by octet so that a line whose LF never comes can still be
 * recognised; control lines are short, so this costs little.
 */
export async function readCommandLine(reader: ByteReader, limit: number): Promise<Buffer | null> {
  const line: number[] = [];
  let overflow = false;
  let iac = false;
  for (;;) {
    const b = await reader.readExact(1);
    if (b === null) return line.length > 0 ? Buffer.from(line) : null;
    const c = b[0]!;
    if (iac) {
      iac = false;
      // IAC IAC is a data 0xFF; IAC with a command (240-254) is dropped; IAC followed
      // by an ordinary octet means the command octet was lost (urgent data): keep it.
      if (c === IAC) line.push(IAC);
      else if (c < 0xf0) line.push(c);
      continue;
    }
    if (c === IAC) {
      iac = true;
      continue;
    }
    if (c === 0xf2 && line.length === 0) continue; // a lone DM whose IAC went out of band
    if (c === LF) {
      if (line[line.length - 1] === CR) line.pop();
      if (overflow) throw new LineTooLongError(limit);
      return Buffer.from(line);
    }
    if (line.length >= limit + 1) overflow = true;
    else line.push(c);
    // ftplib's abort(): "ABOR\r" and then nothing (the LF went out of band).
    if (c === CR && reader.pending === 0 && line.length === 5 && Buffer.from(line).equals(ABOR_CR)) {
      return Buffer.from(line.slice(0, 4));
    }
  }
}

export interface CommandLine {
  verb: string;
  /** Everything after the verb and one space (paths may contain spaces). */
  argument: string;
}

/** Splits a line; the verb is case-insensitive (RFC 959 §5.3). UTF-8 per RFC 2640. */
export function parseCommand(raw: Buffer): CommandLine | null {
  const text = raw.toString('utf8');
  const trimmed = text.replace(/^\s+/, '');
  if (trimmed === '') return null;
  const space = trimmed.indexOf(' ');
  const verb = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
  const argument = space < 0 ? '' : trimmed.slice(space + 1);
  return { verb, argument };
}

export interface HostPort {
  host: string;
  port: number;
}

/** RFC 959 §4.1.2 PORT h1,h2,h3,h4,p1,p2. */
export function parsePortArgument(arg: string): HostPort | null {
  const parts = arg.trim().split(',');
  if (parts.length !== 6) return null;
  const n = parts.map((p) => (/^\d{1,3}$/.test(p.trim()) ? Number(p.trim()) : -1));
  if (n.some((x) => x < 0 || x > 255)) return null;
  return { host: n.slice(0, 4).join('.'), port: n[4]! * 256 + n[5]! };
}

/** RFC 959 §4.1.2 / §4.2: the 227 reply's "h1,h2,h3,h4,p1,p2". */
export function formatPasv(host: string, port: number): string {
  return `${host.split('.').join(',')},${port >> 8},${port & 0xff}`;
}

/** RFC 2428 §2 EPRT |proto|address|port| (any delimiter in 33-126). */
export function parseEprtArgument(arg: string): HostPort | null {
  const d = arg[0];
  if (!d || d.charCodeAt(0) < 33 || d.charCodeAt(0) > 126) return null;
  const parts = arg.split(d);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return null;
  const [, proto, host, portText] = parts as [string, string, string, string, string];
  const family = isIP(host);
  if ((proto === '1' && family !== 4) || (proto === '2' && family !== 6) || (proto !== '1' && proto !== '2')) return null;
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { host, port };
}
