// The SSH data types of RFC 4251 §5 (uint32, string, mpint) as the key formats use
// them: a bounds-checked reader that throws KeyFormatError, and writers.

import { KeyFormatError } from './errors.ts';

export class SshReader {
  private offset = 0;
  private readonly data: Buffer;
  private readonly what: string;
  constructor(data: Buffer, what = 'key blob') {
    this.data = data;
    this.what = what;
  }

  uint32(): number {
    if (this.offset + 4 > this.data.length) throw new KeyFormatError(`${this.what} is cut short`);
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** RFC 4251 §5 string: uint32 length, then that many octets. */
  string(): Buffer {
    const length = this.uint32();
    if (length > this.data.length - this.offset) throw new KeyFormatError(`${this.what} is cut short`);
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** A string that must be printable ASCII (algorithm and curve names). */
  name(): string {
    const value = this.string();
    if (value.length > 64 || !/^[\x21-\x7e]*$/.test(value.toString('latin1'))) throw new KeyFormatError(`${this.what} has no readable key type`);
    return value.toString('latin1');
  }

  /**
   * RFC 4251 §5 mpint, which must not be negative here: the magnitude, big-endian,
   * without leading zero octets (OpenSSH accepts a redundant leading zero too).
   */
  positiveMpint(): Buffer {
    const value = this.string();
    if (value.length > 0 && (value[0]! & 0x80) !== 0) throw new KeyFormatError(`${this.what} holds a negative number`);
    let start = 0;
    while (start < value.length && value[start] === 0) start++;
    return value.subarray(start);
  }

  get done(): boolean {
    return this.offset === this.data.length;
  }
}

export function sshUint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

export function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([sshUint32(bytes.length), bytes]);
}

/** A non-negative integer given as big-endian magnitude, as the shortest mpint (RFC 4251 §5). */
export function sshMpint(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  const body = bytes.length > 0 && (bytes[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return sshString(body);
}

/**
 * Base64 as the key formats hold it (RFC 4648 §4), strictly: only the alphabet, padding
 * only at the end (missing padding is tolerated), no stray bits. Whitespace must be removed first.
 */
export function decodeBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new KeyFormatError(`${what} is not base64`);
  const bare = text.replace(/=+$/, '');
  if (bare.length % 4 === 1) throw new KeyFormatError(`${what} is not base64 (wrong length)`);
  const decoded = Buffer.from(bare, 'base64');
  if (decoded.toString('base64').replace(/=+$/, '') !== bare) throw new KeyFormatError(`${what} is not canonical base64`);
  if (text.length !== bare.length && text.length % 4 !== 0) throw new KeyFormatError(`${what} has wrong base64 padding`);
  return decoded;
}
