// Content-Transfer-Encoding decoders (RFC 2045 §6.7 quoted-printable, §6.8 base64)
// as streaming Transforms that accept any chunking and never fail on bad input:
// base64 skips characters outside its alphabet; quoted-printable keeps a malformed
// "=" sequence literally (§6.7 note 1 recommends exactly that).

import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const EQ = 0x3d;

/** Base64 alphabet lookup: value, or -1 for anything to skip (line ends, '=', garbage). */
const B64 = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));
// base64url characters turn up in broken senders; decode them rather than drop them.
B64[0x2d] = 62;
B64[0x5f] = 63;

/** Synchronous base64 decoding state: update() per chunk; leftover bits are padding. */
export class Base64DecodeState {
  private bits = 0;
  private bitCount = 0;

  update(chunk: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(Math.ceil((chunk.length * 3) / 4) + 3);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const v = B64[chunk[i]!]!;
      if (v < 0) continue;
      this.bits = ((this.bits << 6) | v) & 0xffffff;
      this.bitCount += 6;
      if (this.bitCount >= 8) {
        this.bitCount -= 8;
        out[n++] = (this.bits >> this.bitCount) & 0xff;
      }
    }
    return out.subarray(0, n);
  }
}

export class Base64Decoder extends Transform {
  private readonly state = new Base64DecodeState();

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const out = this.state.update(chunk);
    if (out.length > 0) this.push(out);
    done();
  }
}

type QpState = 'text' | 'equals' | 'hex' | 'softBreak' | 'equalsBlank';

/** Synchronous quoted-printable decoding state: update() per chunk, finish() at the end. */
export class QuotedPrintableDecodeState {
  private state: QpState = 'text';
  private firstHex = 0;
  /** Blanks not yet written: dropped if the line ends right after them (§6.7 rule 3). */
  private blanks: number[] = [];
  private crPending = false;

  update(chunk: Uint8Array): Buffer {
    const out = new ByteSink(chunk.length + this.blanks.length + 4);
    for (let i = 0; i < chunk.length; i++) this.step(chunk[i]!, out);
    return out.result();
  }

  finish(): Buffer {
    const out = new ByteSink(this.blanks.length + 4);
    if (this.crPending) out.byte(CR);
    if (this.state === 'hex') out.bytes([EQ, this.firstHex]);
    else if (this.state === 'equalsBlank') out.byte(EQ);
    // A lone '=' at the very end is a soft break; trailing blanks at EOF are dropped.
    this.state = 'text';
    this.crPending = false;
    this.blanks = [];
    return out.result();
  }

  private step(b: number, out: ByteSink): void {
    switch (this.state) {
      case 'text':
        if (this.crPending) {
          this.crPending = false;
          if (b === LF) {
            this.blanks = [];
            out.bytes([CR, LF]);
            return;
          }
          out.bytes(this.blanks);
          this.blanks = [];
          out.byte(CR);
        }
        if (b === SP || b === HT) this.blanks.push(b);
        else if (b === CR) this.crPending = true;
        else if (b === LF) {
          this.blanks = [];
          out.byte(LF);
        } else {
          out.bytes(this.blanks);
          this.blanks = [];
          if (b === EQ) this.state = 'equals';
          else out.byte(b);
        }
        return;
      case 'equals':
        if (isHexDigit(b)) {
          this.firstHex = b;
          this.state = 'hex';
        } else if (b === CR) this.state = 'softBreak';
        else if (b === LF) this.state = 'text';
        else if (b === SP || b === HT) {
          this.blanks.push(b);
          this.state = 'equalsBlank';
        } else {
          out.byte(EQ);
          this.state = 'text';
          this.step(b, out);
        }
        return;
      case 'hex':
        this.state = 'text';
        if (isHexDigit(b)) out.byte((hexValue(this.firstHex) << 4) | hexValue(b));
        else {
          out.bytes([EQ, this.firstHex]);
          this.step(b, out);
        }
        return;
      case 'softBreak':
        this.state = 'text';
        if (b !== LF) this.step(b, out); // "=" CR without LF: still a soft break
        return;
      case 'equalsBlank':
        // "=" then blanks then a line end is a soft break with transport padding.
        if (b === SP || b === HT) this.blanks.push(b);
        else if (b === CR || b === LF) {
          this.blanks = [];
          this.state = b === CR ? 'softBreak' : 'text';
        } else {
          out.byte(EQ);
          out.bytes(this.blanks);
          this.blanks = [];
          this.state = 'text';
          this.step(b, out);
        }
        return;
    }
  }
}

export class QuotedPrintableDecoder extends Transform {
  private readonly state = new QuotedPrintableDecodeState();

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const out = this.state.update(chunk);
    if (out.length > 0) this.push(out);
    done();
  }

  override _flush(done: TransformCallback): void {
    const out = this.state.finish();
    if (out.length > 0) this.push(out);
    done();
  }
}

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

function hexValue(b: number): number {
  return b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10;
}

/** A growable output buffer for one transform call. */
class ByteSink {
  private buf: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(16, capacity));
  }

  byte(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }

  bytes(list: readonly number[]): void {
    for (const b of list) this.byte(b);
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  private grow(extra: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}

/** A decoder for a Content-Transfer-Encoding value, or null for identity (7bit, 8bit, binary, unknown). */
export function transferDecoder(encoding: string | null): Transform | null {
  switch (encoding?.toLowerCase()) {
    case 'base64':
      return new Base64Decoder();
    case 'quoted-printable':
      return new QuotedPrintableDecoder();
    default:
      return null;
  }
}

/** Decodes a whole in-memory body (small parts, SEARCH, tests). */
export function decodeTransfer(body: Uint8Array, encoding: string | null): Buffer {
  switch (encoding?.toLowerCase()) {
    case 'base64':
      return new Base64DecodeState().update(body);
    case 'quoted-printable': {
      const state = new QuotedPrintableDecodeState();
      return Buffer.concat([state.update(body), state.finish()]);
    }
    default:
      return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
}
