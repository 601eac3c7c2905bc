// The message body on the wire (RFC 5321 §4.5.2): a line starting with "." gets
// another "." in front, and the data ends with CRLF "." CRLF. Works across chunk
// boundaries, streams (no buffering of the message).
//
// Every line end goes out as CRLF: a bare LF or a bare CR in what we relay (a stored
// message should have none, but an imported or locally submitted one might) becomes
// CRLF, and the line after it is dot-stuffed like any other. RFC 5321 §2.3.8 forbids
// sending them; a receiver that reads a bare LF as a line end but we do not (or the
// other way round) is how SMTP smuggling works (CVE-2023-51764), so Septet never
// sends one and can never be the relay that smuggles.

import { Transform, type TransformCallback } from 'node:stream';

const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;
const CRLF = Buffer.from('\r\n');

export class DotStuffer extends Transform {
  /** The next octet starts a line (the body start, or after a CRLF we sent). */
  private atLineStart = true;
  /** The last chunk ended in a CR: CRLF if the next octet is LF, otherwise a bare CR. */
  private pendingCr = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.push(this.stuff(chunk));
    done();
  }

  override _flush(done: TransformCallback): void {
    let tail = '';
    if (this.pendingCr) {
      tail = '\r\n';
      this.atLineStart = true;
    }
    // The terminator needs the body to end with CRLF; add one if it does not.
    this.push(Buffer.from(tail + (this.atLineStart ? '.\r\n' : '\r\n.\r\n')));
    done();
  }

  /** One chunk, normalised and stuffed; state carries over to the next. */
  stuff(chunk: Buffer): Buffer {
    // At most two octets out per octet in (a bare CR or LF, or a "." that starts a
    // line), plus the CRLF of a CR held back from the last chunk.
    const out = Buffer.allocUnsafe(chunk.length * 2 + 2);
    let o = 0;
    let i = 0;
    if (this.pendingCr && chunk.length > 0) {
      this.pendingCr = false;
      o += CRLF.copy(out, o);
      this.atLineStart = true;
      if (chunk[0] === LF) i = 1;
    }
    while (i < chunk.length) {
      const b = chunk[i]!;
      if (b === CR || b === LF) {
        if (b === CR && i + 1 === chunk.length) {
          this.pendingCr = true;
          i++;
          break;
        }
        o += CRLF.copy(out, o);
        i += b === CR && chunk[i + 1] === LF ? 2 : 1;
        this.atLineStart = true;
        continue;
      }
      if (this.atLineStart && b === DOT) out[o++] = DOT;
      this.atLineStart = false;
      // Copy the rest of the line natively, up to the next CR or LF.
      const stop = nextLineOctet(chunk, i);
      o += chunk.copy(out, o, i, stop);
      i = stop;
    }
    return out.subarray(0, o);
  }
}

/** Index of the next CR or LF at or after `from`, or input.length. */
function nextLineOctet(input: Buffer, from: number): number {
  const lf = input.indexOf(LF, from);
  const end = lf < 0 ? input.length : lf;
  // Only before that LF: a search of the whole chunk per line would be quadratic.
  const cr = input.subarray(from, end).indexOf(CR);
  return cr >= 0 ? from + cr : end;
}
