// The message body on the wire (RFC 5321 §4.5.2): a line starting with "." gets
// another "." in front, and the data ends with CRLF "." CRLF. Works across chunk
// boundaries, streams (no buffering of the message).

import { Transform, type TransformCallback } from 'node:stream';

const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;

export class DotStuffer extends Transform {
  private atLineStart = true;
  private lastTwo: [number, number] = [CR, LF];

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let from = 0;
    const parts: Buffer[] = [];
    for (let i = 0; i < chunk.length; i++) {
      if (this.atLineStart && chunk[i] === DOT) {
        parts.push(chunk.subarray(from, i), Buffer.from('.'));
        from = i;
      }
      this.atLineStart = chunk[i] === LF;
    }
    parts.push(chunk.subarray(from));
    if (chunk.length >= 2) this.lastTwo = [chunk[chunk.length - 2]!, chunk[chunk.length - 1]!];
    else if (chunk.length === 1) this.lastTwo = [this.lastTwo[1], chunk[0]!];
    this.push(Buffer.concat(parts));
    done();
  }

  override _flush(done: TransformCallback): void {
    // The terminator needs the body to end with CRLF; add one if it does not.
    const endsWithCrlf = this.lastTwo[0] === CR && this.lastTwo[1] === LF;
    this.push(Buffer.from(endsWithCrlf ? '.\r\n' : '\r\n.\r\n'));
    done();
  }
}
