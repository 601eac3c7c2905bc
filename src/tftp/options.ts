// Option negotiation (RFC 2347): blksize (RFC 2348), timeout and tsize (RFC 2349),
// windowsize (RFC 7440). Unknown options are left out of the OACK, as RFC 2347
// says; a known option with a value that cannot be honoured is refused with
// ERROR 8. The server may lower blksize and windowsize, never raise them.

import { ErrorCode, TftpError, Text } from './replies.ts';
import type { RequestOptions } from './wire.ts';

export const DEFAULT_BLKSIZE = 512;
/** RFC 2348: "between 8 and 65464 octets, inclusive". */
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
/** RFC 7440 §3: 1 to 65535 blocks. */
export const MAX_WINDOWSIZE = 65535;
/** RFC 2349: 1 to 255 seconds. */
export const MAX_TIMEOUT_S = 255;

export interface Negotiated {
  blksize: number;
  windowsize: number;
  /** From the timeout option; null = the server's own (with backoff). */
  timeoutMs: number | null;
  /** What goes in the OACK, in the order the client asked; empty = no OACK (RFC 1350 behaviour). */
  oack: [string, string][];
}

export interface NegotiationLimits {
  maxBlksize: number;
  maxWindowsize: number;
  maxFileSize: number;
}

export type Direction = 'read' | 'write';

/** A decimal option value, or null when it is not one (no sign, no spaces, at most 15 digits). */
export function parseDecimal(value: string): number | null {
  return /^[0-9]{1,15}$/.test(value) ? Number(value) : null;
}

function refuse(name: string, value: string): TftpError {
  return new TftpError(ErrorCode.optionRefused, `${Text.optionRefused}: ${name} ${value.slice(0, 40)}`);
}

/**
 * The server's answer to a request's options. `fileSize` is the size of the file
 * being read (for tsize); tsize is answered only in octet mode, since the netascii
 * size differs from the file's (as tftpd-hpa does).
 */
export function negotiate(options: RequestOptions, direction: Direction, mode: string, fileSize: number | null, limits: NegotiationLimits): Negotiated {
  const result: Negotiated = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutMs: null, oack: [] };
  for (const [name, value] of options) {
    const n = parseDecimal(value);
    switch (name) {
      case 'blksize': {
        if (n === null || n < MIN_BLKSIZE) throw refuse(name, value);
        result.blksize = Math.min(n, limits.maxBlksize, MAX_BLKSIZE);
        result.oack.push([name, String(result.blksize)]);
        break;
      }
      case 'windowsize': {
        if (n === null || n < 1 || n > MAX_WINDOWSIZE) throw refuse(name, value);
        result.windowsize = Math.min(n, limits.maxWindowsize);
        result.oack.push([name, String(result.windowsize)]);
        break;
      }
      case 'timeout': {
        if (n === null || n < 1 || n > MAX_TIMEOUT_S) throw refuse(name, value);
        result.timeoutMs = n * 1000;
        result.oack.push([name, String(n)]);
        break;
      }
      case 'tsize': {
        if (n === null) throw refuse(name, value);
        if (direction === 'write') {
          // RFC 2349: the size of a WRQ lets the server refuse a file too large up front.
          if (n > limits.maxFileSize) throw new TftpError(ErrorCode.diskFull, Text.tooLarge, `tsize ${n} > ${limits.maxFileSize}`);
          result.oack.push([name, String(n)]);
        } else if (mode === 'octet' && fileSize !== null) {
          result.oack.push([name, String(fileSize)]);
        }
        break;
      }
      default:
        break; // RFC 2347: unknown options are ignored
    }
  }
  return result;
}

export interface ClientRequest {
  blksize?: number | undefined;
  windowsize?: number | undefined;
  timeoutS?: number | undefined;
  tsize?: number | undefined;
}

export interface ClientAgreed {
  blksize: number;
  windowsize: number;
  timeoutMs: number | null;
  tsize: number | null;
}

/** The options a client sends, in wire form. */
export function clientOptions(request: ClientRequest): [string, string][] {
  const out: [string, string][] = [];
  if (request.blksize !== undefined) out.push(['blksize', String(request.blksize)]);
  if (request.windowsize !== undefined) out.push(['windowsize', String(request.windowsize)]);
  if (request.timeoutS !== undefined) out.push(['timeout', String(request.timeoutS)]);
  if (request.tsize !== undefined) out.push(['tsize', String(request.tsize)]);
  return out;
}

/**
 * Checks a server's OACK against what was asked (RFC 2347: the server may only
 * acknowledge options the client sent; RFC 2348/7440: only with values not larger).
 * Throws an option-refused TftpError otherwise; the client then sends ERROR 8.
 */
export function acceptOack(request: ClientRequest, oack: RequestOptions): ClientAgreed {
  const agreed: ClientAgreed = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutMs: null, tsize: null };
  for (const [name, value] of oack) {
    const n = parseDecimal(value);
    if (n === null) throw refuse(name, value);
    switch (name) {
      case 'blksize':
        if (request.blksize === undefined || n < MIN_BLKSIZE || n > request.blksize) throw refuse(name, value);
        agreed.blksize = n;
        break;
      case 'windowsize':
        if (request.windowsize === undefined || n < 1 || n > request.windowsize) throw refuse(name, value);
        agreed.windowsize = n;
        break;
      case 'timeout':
        if (request.timeoutS === undefined || n < 1 || n > MAX_TIMEOUT_S) throw refuse(name, value);
        agreed.timeoutMs = n * 1000;
        break;
      case 'tsize':
        if (request.tsize === undefined) throw refuse(name, value);
        agreed.tsize = n;
        break;
      default:
        throw refuse(name, value);
    }
  }
  return agreed;
}
