// Incremental decoder for a dot-terminated body (RFC 5321 §4.5.2 transparency,
// RFC 1939 §3 for POP3's multi-line responses in the other direction). It works on
// chunks as they arrive, so a body of any size streams through in constant memory.
//
// The end of the body is <CRLF>.<CRLF> and nothing else (RFC 5321 §4.1.1.4, §2.3.8):
// the line before the "." must end in CRLF (or the body is empty) and so must the
// "." line. Anything looser ("\n.\n", "\n.\r\n", "\r\n.\n") is how SMTP smuggling
// works (CVE-2023-51764/51765): a relay that passes bare LF ends the message where
// we do not, or the other way round, and the rest becomes a forged transaction.
//
// A bare LF or bare CR is a line end in the output (stored as CRLF, what Postfix's
// "normalize" does) but never part of the terminator; a "." line next to one is data
// and kept as ".". `bareNewline` records that one was seen, so the session can refuse
// the message (the default) after reading it to its real end.

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CRLF_DOT_CRLF_DATA = Buffer.from('.\r\n');

/** Where the decoder stands inside the current line. */
type LineState =
  | 'start' // at the first octet of a line
  | 'dot' // the line so far is a single "."
  | 'dot-cr' // the line so far is ".\r"
  | 'in-line' // somewhere inside a line
  | 'after-cr'; // the last octet was a CR inside a line (held back: CRLF or bare?)

export class DotDecoder {
  private state: LineState = 'start';
  /** The current line began after a CRLF (or the body start): only then can "." end the body. */
  private cleanStart = true;
  private finished = false;
  /** A CR not followed by LF, or an LF not preceded by CR, was seen (RFC 5321 §2.3.8). */
  bareNewline = false;

  /**
   * Decodes one chunk. `consumed` is how many input octets belong to the body
   * (including the terminator); the rest belongs to what follows (pipelining).
   */
  decode(input: Buffer): { body: Buffer; consumed: number; done: boolean } {
    if (this.finished) return { body: Buffer.alloc(0), consumed: 0, done: true };
    // Each input octet gives at most two (a bare CR or LF becomes CRLF), plus a held ".\r".
    const out = Buffer.allocUnsafe(input.length * 2 + 3);
    let o = 0;
    let i = 0;
    while (i < input.length) {
      if (this.state === 'in-line') {
        // Fast path: copy up to the next CR or LF natively instead of octet by octet.
        const stop = nextLineOctet(input, i);
        o += input.copy(out, o, i, stop);
        i = stop;
        if (i >= input.length) break;
        if (input[i] === CR && input[i + 1] === LF) {
          out[o++] = CR;
          out[o++] = LF;
          i += 2;
          this.lineEnd(true);
          continue;
        }
      }
      const b = input[i]!;
      switch (this.state) {
        case 'start':
          if (b === DOT) {
            this.state = 'dot';
            i++;
            continue;
          }
          break;
        case 'dot':
          if (b === CR) {
            this.state = 'dot-cr';
            i++;
            continue;
          }
          if (b === LF) {
            // ".\n": a bare-LF "." line is data, never the end.
            o += CRLF_DOT_CRLF_DATA.copy(out, o);
            this.bare();
            i++;
            continue;
          }
          // A stuffed line: the leading dot is dropped, the octet is handled below.
          this.state = 'in-line';
          break;
        case 'dot-cr':
          if (b === LF) {
            if (this.cleanStart) return this.finish(out, o, i + 1);
            // ".\r\n" after a bare line end: data; the next line starts clean.
            o += CRLF_DOT_CRLF_DATA.copy(out, o);
            this.lineEnd(true);
            i++;
            continue;
          }
          // ".\r" and something else: the "." line ended in a bare CR; data.
          o += CRLF_DOT_CRLF_DATA.copy(out, o);
          this.bare();
          continue; // b is looked at again at the start of the next line
        case 'after-cr':
          out[o++] = CR;
          out[o++] = LF;
          if (b === LF) {
            this.lineEnd(true);
            i++;
          } else this.bare(); // b is looked at again at the start of the next line
          continue;
        case 'in-line':
          break;
      }
      // Any octet inside a line (or the first one of it).
      if (b === CR) this.state = 'after-cr';
      else if (b === LF) {
        out[o++] = CR;
        out[o++] = LF;
        this.bare();
      } else {
        out[o++] = b;
        this.state = 'in-line';
      }
      i++;
    }
    return { body: out.subarray(0, o), consumed: i, done: false };
  }

  private lineEnd(crlf: boolean): void {
    this.state = 'start';
    this.cleanStart = crlf;
  }

  private bare(): void {
    this.bareNewline = true;
    this.lineEnd(false);
  }

  private finish(out: Buffer, length: number, consumed: number) {
    this.finished = true;
    return { body: out.subarray(0, length), consumed, done: true };
  }
}

/** Index of the next CR or LF at or after `from`, or input.length. */
function nextLineOctet(input: Buffer, from: number): number {
  const lf = input.indexOf(LF, from);
  const end = lf < 0 ? input.length : lf;
  // Only look for a CR before that LF: searching the whole rest of the chunk for each
  // line would be quadratic on input with many bare LFs and no CR.
  const cr = input.subarray(from, end).indexOf(CR);
  return cr >= 0 ? from + cr : end;
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
    // Where lines start with "." (found with indexOf, not a loop over every octet: a
    // RETR of a 4 KiB message has a handful of lines and usually no dot at all).
    const dotted: number[] = [];
    if (this.atLineStart && input[0] === DOT) dotted.push(0);
    for (let lf = input.indexOf(LF); lf >= 0 && lf + 1 < input.length; lf = input.indexOf(LF, lf + 1)) {
      if (input[lf + 1] === DOT) dotted.push(lf + 1);
    }
    let out = input;
    if (dotted.length > 0) {
      out = Buffer.allocUnsafe(input.length + dotted.length);
      let from = 0;
      let o = 0;
      for (const at of dotted) {
        o += input.copy(out, o, from, at);
        out[o++] = DOT;
        from = at;
      }
      input.copy(out, o, from);
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
