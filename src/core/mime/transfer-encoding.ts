// Content-Transfer-Encoding encoders for mail Septet sends (the relay's 8bit ->
// quoted-printable downgrade, RFC 6152 §3; bounces and S/MIME bodies in base64).

import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const EQ = 0x3d;
const HEX = '0123456789ABCDEF';
/** RFC 2045 §6.7 rule 5: encoded lines are at most 76 characters, the soft-break "=" included. */
const QP_LINE = 76;

/**
 * Quoted-printable (RFC 2045 §6.7). CRLF in the input is a hard line break and stays
 * CRLF; a lone CR or LF is data and is encoded (=0D, =0A). Blanks are literal except
 * before a line break or at the end, where they are encoded (rule 3). Lines are
 * soft-broken with "=" CRLF to stay within 76 characters.
 */
export class QuotedPrintableEncodeState {
  private lineLength = 0;
  private crPending = false;
  /** A blank not yet written: literal if more text follows on its line, encoded if the line ends. */
  private heldBlank = -1;

  update(chunk: Uint8Array): Buffer {
    const out: string[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.crPending) {
        this.crPending = false;
        if (b === LF) {
          this.releaseBlank(out, true);
          out.push('\r\n');
          this.lineLength = 0;
          continue;
        }
        this.releaseBlank(out, false);
        this.emit(out, '=0D');
      }
      if (b === CR) {
        this.crPending = true;
        continue;
      }
      this.releaseBlank(out, false);
      if (b === SP || b === HT) this.heldBlank = b;
      else if (b >= 33 && b <= 126 && b !== EQ) this.emit(out, String.fromCharCode(b));
      else this.emit(out, `=${HEX[b >> 4]}${HEX[b & 15]}`);
    }
    return Buffer.from(out.join(''), 'latin1');
  }

  finish(): Buffer {
    const out: string[] = [];
    if (this.crPending) {
      this.releaseBlank(out, false);
      this.emit(out, '=0D');
      this.crPending = false;
    }
    this.releaseBlank(out, true);
    return Buffer.from(out.join(''), 'latin1');
  }

  private releaseBlank(out: string[], lineEnds: boolean): void {
    if (this.heldBlank < 0) return;
    const b = this.heldBlank;
    this.heldBlank = -1;
    this.emit(out, lineEnds ? `=${HEX[b >> 4]}${HEX[b & 15]}` : String.fromCharCode(b));
  }

  private emit(out: string[], token: string): void {
    // Leave room for the soft-break "=" on every line.
    if (this.lineLength + token.length > QP_LINE - 1) {
      out.push('=\r\n');
      this.lineLength = 0;
    }
    out.push(token);
    this.lineLength += token.length;
  }
}

export class QuotedPrintableEncoder extends Transform {
  private readonly state = new QuotedPrintableEncodeState();

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

/** RFC 2045 §6.8: 76-character lines, i.e. 57 octets per line. */
const BASE64_LINE_OCTETS = 57;

/** Base64 in CRLF-terminated lines of 76 characters (the last line may be shorter). */
export class Base64LineEncoder extends Transform {
  private carry: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = data.length - (data.length % BASE64_LINE_OCTETS);
    if (whole > 0) this.push(encodeBase64Lines(data.subarray(0, whole)));
    this.carry = Buffer.from(data.subarray(whole));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.carry.length > 0) this.push(encodeBase64Lines(this.carry));
    done();
  }
}

/** Base64 of `data` as CRLF-terminated 76-character lines. */
export function encodeBase64Lines(data: Uint8Array): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += BASE64_LINE_OCTETS) {
    lines.push(Buffer.from(data.buffer, data.byteOffset + i, Math.min(BASE64_LINE_OCTETS, data.length - i)).toString('base64'));
  }
  return Buffer.from(lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`, 'latin1');
}

/** Quoted-printable of a whole in-memory text. */
export function encodeQuotedPrintable(data: Uint8Array): Buffer {
  const state = new QuotedPrintableEncodeState();
  return Buffer.concat([state.update(data), state.finish()]);
}
