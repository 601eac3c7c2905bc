// The control connection's framing (RFC 959 §4, RFC 854 Telnet): command lines end in
// CRLF; Telnet commands (IAC IP, IAC DM, ...) may come in band before an ABOR and are
// removed. Python's ftplib sends "ABOR\r\n" as TCP urgent data, which takes the last
// octet (the LF) out of the stream, so "ABOR\r" at the start of a line counts as a
// whole line when nothing follows it yet, or when what follows is not its LF; a LF
// arriving later is dropped, so the lines never depend on how the input was chunked
// (the fuzz test checks this). Also here: PORT/PASV/EPRT/EPSV host-port syntax.

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
  /** An urgent "ABOR\r" was taken with nothing after it: its LF, if it comes in band, is dropped. */
  private dropLf = false;

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
    this.dropLf = false;
    return dropped;
  }

  /**
   * The next command line, or null at the end of input. A line longer than the limit
   * is skipped up to its LF and reported as LineTooLongError.
   */
  async next(): Promise<Buffer | null> {
    let overflow = false;
    for (;;) {
      if (this.dropLf && this.buffered.length > 0) {
        this.dropLf = false;
        if (this.buffered[0] === LF) this.buffered = this.buffered.subarray(1);
      }
      // ftplib's abort(): "ABOR\r", its LF out of band. Whether anything follows it in
      // this read or a later one, the line is the same.
      const abor = overflow ? 0 : urgentAborLength(this.buffered);
      if (abor > 0 && (this.buffered.length > abor || this.reader.pending === 0)) {
        this.dropLf = this.buffered.length === abor;
        this.buffered = this.buffered.subarray(abor);
        return Buffer.from('ABOR');
      }
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
      // Wait for at least one octet, then take everything else that is buffered too.
      const first = await this.reader.readExact(1);
      if (first === null) {
        // The end of input ends the last line too; the same limit applies to it.
        const rest = this.buffered[this.buffered.length - 1] === CR ? this.buffered.subarray(0, -1) : this.buffered;
        this.buffered = EMPTY;
        if (overflow || rest.length > this.limit) throw new LineTooLongError(this.limit);
        return rest.length > 0 ? stripTelnet(rest) : null;
      }
      const more = this.reader.pending > 0 ? await this.reader.readExact(this.reader.pending) : null;
      this.buffered = this.buffered.length === 0 && !more ? first : Buffer.concat(more ? [this.buffered, first, more] : [this.buffered, first]);
    }
  }
}

/**
 * The octets "ABOR\r" takes at the start of `line` (Telnet IP/DM and other commands
 * around its letters allowed, as stripTelnet removes them), provided the next octet
 * is not a LF (then it is an ordinary line); 0 if the line does not start so.
 */
function urgentAborLength(line: Buffer): number {
  let matched = 0;
  for (let i = 0; i < line.length; i++) {
    let c = line[i]!;
    if (c === DM && matched === 0) continue; // what is left of "IAC DM"
    if (c === IAC) {
      const next = line[i + 1];
      if (next === undefined) return 0; // a command cut in two: wait for the rest
      i++;
      if (next !== IAC && next >= 0xf0) continue; // a Telnet command: removed
      c = next;
    }
    if (c !== ABOR_CR[matched]) return 0;
    if (++matched === ABOR_CR.length) return line[i + 1] === LF ? 0 : i + 1;
  }
  return 0;
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
