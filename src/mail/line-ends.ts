// Bare LF and bare CR → CRLF for bodies that do not come over SMTP DATA (stdin of
// `septet sendmail`): stored messages always have CRLF line ends (RFC 5322 §2.1), and a
// lone CR left in a stored header would become a line end on relay, where the checks
// made on this one line no longer hold (the submission header check refuses them too).

const CR = 0x0d;
const LF = 0x0a;

export class CrlfNormalizer {
  /** The previous chunk ended in CR: whether an LF follows is known only from the next one. */
  private pendingCr = false;

  push(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length * 2 + 2);
    let o = 0;
    let i = 0;
    if (this.pendingCr) {
      out[o++] = CR;
      out[o++] = LF;
      this.pendingCr = false;
      if (chunk[0] === LF) i = 1;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === CR) {
        if (i + 1 === chunk.length) {
          this.pendingCr = true;
          break;
        }
        out[o++] = CR;
        out[o++] = LF;
        if (chunk[i + 1] === LF) i++;
      } else if (b === LF) {
        out[o++] = CR;
        out[o++] = LF;
      } else out[o++] = b;
    }
    return out.subarray(0, o);
  }

  /** What is still held at the end of the input (a final CR, as CRLF). */
  end(): Buffer {
    if (!this.pendingCr) return Buffer.alloc(0);
    this.pendingCr = false;
    return Buffer.from('\r\n');
  }
}
