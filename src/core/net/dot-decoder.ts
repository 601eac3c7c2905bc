// Incremental decoder for a dot-terminated body (RFC 5321 §4.5.2 transparency,
// RFC 1939 §3 for POP3's multi-line responses in the other direction). It works on
// chunks as they arrive, so a body of any size streams through in constant memory.
//
// Line ends are normalised to CRLF: a bare LF becomes CRLF (what Postfix and Dovecot
// store), a bare CR is kept as it is. The terminating line is "." followed by CRLF (or LF).

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** Where the decoder stands inside the current line. */
type LineState =
  | 'line-start' // at the first octet of a line
  | 'after-dot' // the line so far is a single "."
  | 'after-dot-cr' // the line so far is ".\r"
  | 'in-line' // somewhere inside a line
  | 'after-cr'; // the last octet was a CR inside a line

export class DotDecoder {
  private state: LineState = 'line-start';
  private finished = false;

  /**
   * Decodes one chunk. `consumed` is how many input octets belong to the body
   * (including the terminator); the rest belongs to what follows (pipelining).
   */
  decode(input: Buffer): { body: Buffer; consumed: number; done: boolean } {
    if (this.finished) return { body: Buffer.alloc(0), consumed: 0, done: true };
    // The output is at most input plus one extra CR per LF and a held-back "." / "\r".
    const out = Buffer.allocUnsafe(input.length * 2 + 2);
    let o = 0;
    let i = 0;
    for (; i < input.length; i++) {
      if (this.state === 'in-line') {
        // Fast path for the common case, a line that ends in CRLF with no other CR:
        // find its end natively and copy it whole instead of octet by octet.
        const lf = input.indexOf(LF, i);
        const end = lf < 0 ? input.length : lf;
        const cr = input.indexOf(CR, i);
        const crInside = cr >= 0 && cr < end - 1;
        if (!crInside) {
          if (lf < 0) {
            // The line goes on in the next chunk; a trailing CR is handled below.
            const stop = end > i && input[end - 1] === CR ? end - 1 : end;
            o += input.copy(out, o, i, stop);
            i = stop;
            if (i >= input.length) break;
          } else if (lf > i && input[lf - 1] === CR) {
            o += input.copy(out, o, i, lf + 1);
            this.state = 'line-start';
            i = lf;
            continue;
          } else {
            // A bare LF: store it as CRLF.
            o += input.copy(out, o, i, lf);
            out[o++] = CR;
            out[o++] = LF;
            this.state = 'line-start';
            i = lf;
            continue;
          }
        }
      }
      const b = input[i]!;
      switch (this.state) {
        case 'line-start':
          if (b === DOT) {
            this.state = 'after-dot';
            continue;
          }
          break;
        case 'after-dot':
          if (b === CR) {
            this.state = 'after-dot-cr';
            continue;
          }
          if (b === LF) return this.finish(out, o, i + 1);
          // A stuffed line: the leading dot is dropped, the octet is kept.
          this.state = 'in-line';
          break;
        case 'after-dot-cr':
          if (b === LF) return this.finish(out, o, i + 1);
          // ".\r" followed by something else: the dot was stuffing, the CR is data.
          out[o++] = CR;
          this.state = 'in-line';
          break;
        case 'after-cr':
          if (b === LF) {
            out[o++] = LF;
            this.state = 'line-start';
            continue;
          }
          this.state = 'in-line';
          break;
        case 'in-line':
          break;
      }
      // Generic octet handling inside a line.
      if (b === CR) {
        out[o++] = CR;
        this.state = 'after-cr';
      } else if (b === LF) {
        out[o++] = CR;
        out[o++] = LF;
        this.state = 'line-start';
      } else {
        out[o++] = b;
        this.state = 'in-line';
      }
    }
    return { body: out.subarray(0, o), consumed: i, done: false };
  }

  private finish(out: Buffer, length: number, consumed: number) {
    this.finished = true;
    return { body: out.subarray(0, length), consumed, done: true };
  }
}

/**
 * The reverse: stuffs a CRLF body for sending as a dot-terminated multi-line
 * response (RFC 1939 §3: lines that begin with "." get another "."). Keeps state
 * across chunks; `end()` returns the terminator, adding a CRLF first if the body
 * did not end with one.
 */
export class DotEncoder {
  private atLineStart = true;
  private lastWasCr = false;

  encode(input: Buffer): Buffer {
    let dots = 0;
    let start = this.atLineStart;
    for (let i = 0; i < input.length; i++) {
      if (start && input[i] === DOT) dots++;
      start = input[i] === LF;
    }
    const out = dots === 0 ? input : Buffer.allocUnsafe(input.length + dots);
    if (dots > 0) {
      let o = 0;
      start = this.atLineStart;
      for (let i = 0; i < input.length; i++) {
        const b = input[i]!;
        if (start && b === DOT) out[o++] = DOT;
        out[o++] = b;
        start = b === LF;
      }
    }
    if (input.length > 0) {
      this.atLineStart = input[input.length - 1] === LF;
      this.lastWasCr = input[input.length - 1] === CR;
    }
    return out;
  }

  end(): Buffer {
    if (this.atLineStart) return Buffer.from('.\r\n');
    return Buffer.from(this.lastWasCr ? '\n.\r\n' : '\r\n.\r\n');
  }
}
