// The control connection's framing (RFC 959 §4, RFC 854 Telnet): command lines end in
// CRLF; Telnet commands (IAC IP, IAC DM, ...) may come in band before an ABOR and are
// removed. Python's ftplib sends "ABOR\r\n" as TCP urgent data, which takes the last
// octet (the LF) out of the stream, so a pending "ABOR\r" with nothing after it counts
// as a whole line (recognised only when nothing else is buffered, as before). Also
// here: PORT/PASV/EPRT/EPSV host-port syntax.

import { isIP } from 'node:net';
import type { ByteReader } from '../core/net/byte-reader.ts';
import { LineTooLongError } from '../core/net/byte-reader.ts';

const IAC = 0xff;
const DM = 0xf2;
const CR = 0x0d;
const LF = 0x0a;
const ABOR_CR = Buffer.from('ABOR\r');
const EMPTY = Buffer.alloc(0);

/**
 * Splits the control connection into command lines (CRLF and Telnet commands
 * removed). It takes whatever the connection has buffered in one piece and finds
 * the line ends with indexOf: reading octet by octet cost a promise per octet.
 * Bytes after a line end stay here for the next call; `discardBuffered` drops them
 * (AUTH TLS: nothing sent before the handshake may count as a command).
 */
export class CommandLineReader {
  private readonly reader: ByteReader;
  private readonly limit: number;
  private buffered: Buffer = EMPTY;

  constructor(reader: ByteReader, limit: number) {
    this.reader = reader;
    this.limit = limit;
  }

  /** Octets received and not yet returned as lines, here and in the connection. */
  get pending(): number {
    return this.buffered.length + this.reader.pending;
  }

  discardBuffered(): number {
    const dropped = this.buffered.length;
    this.buffered = EMPTY;
    return dropped;
  }

  /**
   * The next command line, or null at the end of input. A line longer than the limit
   * is skipped up to its LF and reported as LineTooLongError.
   */
  async next(): Promise<Buffer | null> {
    let overflow = false;
    for (;;) {
      const lf = this.buffered.indexOf(LF);
      if (lf >= 0) {
        const raw = this.buffered.subarray(0, lf);
        this.buffered = this.buffered.subarray(lf + 1);
        const line = raw[raw.length - 1] === CR ? raw.subarray(0, -1) : raw;
        if (overflow || line.length > this.limit) throw new LineTooLongError(this.limit);
        return stripTelnet(line);
      }
      if (this.buffered.length > this.limit + 1) {
        // Too long: forget what we have and keep skipping to the line's end.
        overflow = true;
        this.buffered = EMPTY;
      }
      // ftplib's abort(): "ABOR\r" and then nothing (the LF went out of band).
      if (!overflow && this.reader.pending === 0 && endsWithUrgentAbor(this.buffered)) {
        this.buffered = EMPTY;
        return Buffer.from('ABOR');
      }
      // Wait for at least one octet, then take everything else that is buffered too.
      const first = await this.reader.readExact(1);
      if (first === null) {
        if (overflow) throw new LineTooLongError(this.limit);
        const rest = this.buffered;
        this.buffered = EMPTY;
        return rest.length > 0 ? stripTelnet(rest) : null;
      }
      const more = this.reader.pending > 0 ? await this.reader.readExact(this.reader.pending) : null;
      this.buffered = this.buffered.length === 0 && !more ? first : Buffer.concat(more ? [this.buffered, first, more] : [this.buffered, first]);
    }
  }
}

/** "ABOR\r" with nothing after it, also behind Telnet IP/DM commands. */
function endsWithUrgentAbor(pending: Buffer): boolean {
  if (pending.length < ABOR_CR.length || pending[pending.length - 1] !== CR) return false;
  return stripTelnet(pending).equals(ABOR_CR);
}

/**
 * RFC 854: IAC IAC is a data 0xFF; IAC with a command (240-254) is dropped; IAC
 * followed by an ordinary octet means the command octet was lost (urgent data), so
 * the octet is kept. A lone DM at the start is what is left of "IAC DM" whose IAC
 * went out of band.
 */
export function stripTelnet(line: Buffer): Buffer {
  const startsWithDm = line[0] === DM;
  if (!startsWithDm && line.indexOf(IAC) < 0) return line;
  const out: number[] = [];
  for (let i = startsWithDm ? 1 : 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== IAC) {
      if (!(c === DM && out.length === 0)) out.push(c);
      continue;
    }
    const next = line[++i];
    if (next === undefined) break;
    if (next === IAC || next < 0xf0) out.push(next);
  }
  return Buffer.from(out);
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
