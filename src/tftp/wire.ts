// TFTP packet codec (RFC 1350 §5, RFC 2347 OACK). Parsing never throws: a packet
// that does not follow the grammar comes back as { kind: 'malformed' } with the
// reason, and the caller decides between ERROR 4 and silence.

import { schema, type Config } from '../core/config/schema.ts';

/** RFC 1350 §5 and RFC 2347 (OACK = 6). */
export const Opcode = {
  RRQ: 1,
  WRQ: 2,
  DATA: 3,
  ACK: 4,
  ERROR: 5,
  OACK: 6,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

export type TransferMode = 'octet' | 'netascii' | 'mail';

/** RFC 2347 §"Option Format": the names are case-insensitive; kept in lower case here. */
export type RequestOptions = Map<string, string>;

export interface Request {
  kind: 'request';
  opcode: typeof Opcode.RRQ | typeof Opcode.WRQ;
  filename: string;
  /** Lower case, as sent (RFC 1350: "any combination of upper and lower case"). */
  mode: string;
  options: RequestOptions;
}

export type Packet =
  | Request
  | { kind: 'data'; block: number; payload: Buffer }
  | { kind: 'ack'; block: number }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'oack'; options: RequestOptions }
  | { kind: 'malformed'; reason: string };

/** What parsing reads at most (tftp.max_string, tftp.max_options in the configuration). */
export interface WireLimits {
  /** Longest text (filename, mode, option, message) accepted from the wire. */
  maxString: number;
  /** RFC 2347: option pairs read; the rest are ignored. */
  maxOptions: number;
}

export function wireLimits(config: Pick<Config['tftp'], 'max_string' | 'max_options'>): WireLimits {
  return { maxString: config.max_string, maxOptions: config.max_options };
}

/** The configuration's defaults: for the client and for tests. */
export const defaultWireLimits: WireLimits = wireLimits({ max_string: schema.tftp.max_string.default, max_options: schema.tftp.max_options.default });

/** The opcode of a packet, or 0 if it is too short to have one. Used on the hot path. */
export function opcodeOf(msg: Buffer): number {
  return msg.length >= 2 ? (msg[0]! << 8) | msg[1]! : 0;
}

export function parsePacket(msg: Buffer, limits: WireLimits = defaultWireLimits): Packet {
  if (msg.length < 2) return malformed('packet shorter than an opcode');
  const opcode = opcodeOf(msg);
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ:
      return parseRequest(msg, opcode, limits);
    case Opcode.DATA:
      if (msg.length < 4) return malformed('DATA without a block number');
      return { kind: 'data', block: msg.readUInt16BE(2), payload: msg.subarray(4) };
    case Opcode.ACK:
      if (msg.length < 4) return malformed('ACK without a block number');
      return { kind: 'ack', block: msg.readUInt16BE(2) };
    case Opcode.ERROR: {
      if (msg.length < 4) return malformed('ERROR without a code');
      // A missing NUL is tolerated here: an error ends the transfer either way.
      const end = msg.indexOf(0, 4);
      return { kind: 'error', code: msg.readUInt16BE(2), message: msg.toString('utf8', 4, end < 0 ? Math.min(msg.length, 4 + limits.maxString) : end) };
    }
    case Opcode.OACK: {
      const strings = splitStrings(msg, 2, limits.maxString);
      if (strings === null) return malformed('OACK not NUL-terminated');
      return { kind: 'oack', options: optionsFrom(strings, 0, limits.maxOptions) };
    }
    default:
      return malformed(`unknown opcode ${opcode}`);
  }
}

function parseRequest(msg: Buffer, opcode: typeof Opcode.RRQ | typeof Opcode.WRQ, limits: WireLimits): Request | { kind: 'malformed'; reason: string } {
  const strings = splitStrings(msg, 2, limits.maxString);
  if (strings === null) return malformed('request not NUL-terminated');
  const [filename, mode] = strings;
  if (filename === undefined || mode === undefined) return malformed('request without filename and mode');
  if (filename.length === 0) return malformed('empty filename');
  return { kind: 'request', opcode, filename, mode: mode.toLowerCase(), options: optionsFrom(strings, 2, limits.maxOptions) };
}

/** NUL-terminated strings from `start` to the end; null when the last one lacks its NUL. */
function splitStrings(msg: Buffer, start: number, maxString: number): string[] | null {
  if (msg.length > start && msg[msg.length - 1] !== 0) return null;
  const out: string[] = [];
  let at = start;
  while (at < msg.length) {
    const end = msg.indexOf(0, at);
    if (end - at > maxString) return null;
    out.push(msg.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}

/** RFC 2347: name/value pairs after the mode; the first of a repeated name wins, a dangling name is ignored. */
function optionsFrom(strings: string[], from: number, maxOptions: number): RequestOptions {
  const options: RequestOptions = new Map();
  for (let i = from; i + 1 < strings.length && options.size < maxOptions; i += 2) {
    const name = strings[i]!.toLowerCase();
    if (name.length === 0) continue; // padding some clients add
    if (!options.has(name)) options.set(name, strings[i + 1]!);
  }
  return options;
}

function malformed(reason: string): { kind: 'malformed'; reason: string } {
  return { kind: 'malformed', reason };
}

// ---- encoders -------------------------------------------------------------

function encodeStrings(opcode: Opcode, strings: string[]): Buffer {
  const parts = strings.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.allocUnsafe(2 + parts.reduce((n, p) => n + p.length + 1, 0));
  out.writeUInt16BE(opcode, 0);
  let at = 2;
  for (const part of parts) {
    part.copy(out, at);
    at += part.length;
    out[at++] = 0;
  }
  return out;
}

export function encodeRequest(opcode: typeof Opcode.RRQ | typeof Opcode.WRQ, filename: string, mode: string, options: Iterable<[string, string]> = []): Buffer {
  const strings = [filename, mode];
  for (const [name, value] of options) strings.push(name, value);
  return encodeStrings(opcode, strings);
}

export function encodeOack(options: Iterable<[string, string]>): Buffer {
  const strings: string[] = [];
  for (const [name, value] of options) strings.push(name, value);
  return encodeStrings(Opcode.OACK, strings);
}

export function encodeError(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const out = Buffer.allocUnsafe(5 + text.length);
  out.writeUInt16BE(Opcode.ERROR, 0);
  out.writeUInt16BE(code, 2);
  text.copy(out, 4);
  out[4 + text.length] = 0;
  return out;
}

export function encodeAck(block: number): Buffer {
  return writeAck(Buffer.allocUnsafe(4), block);
}

/** Writes an ACK into a buffer of at least 4 octets (preallocated on the hot path). */
export function writeAck(into: Buffer, block: number): Buffer {
  into[0] = 0;
  into[1] = Opcode.ACK;
  into[2] = (block >>> 8) & 0xff;
  into[3] = block & 0xff;
  return into;
}

export function encodeData(block: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  writeDataHeader(out, 0, block);
  payload.copy(out, 4);
  return out;
}

/** The 4-octet DATA header at `offset`; the block number wraps at 65536 (RFC 1350 has 16 bits). */
export function writeDataHeader(into: Buffer, offset: number, block: number): void {
  into[offset] = 0;
  into[offset + 1] = Opcode.DATA;
  into[offset + 2] = (block >>> 8) & 0xff;
  into[offset + 3] = block & 0xff;
}
