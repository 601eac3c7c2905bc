// Bare LF → CRLF for bodies that do not come over SMTP DATA (stdin of `septet
// sendmail`): stored messages always have CRLF line ends (RFC 5322 §2.1).

const CR = 0x0d;
const LF = 0x0a;

export class CrlfNormalizer {
  private lastWasCr = false;

  push(chunk: Buffer): Buffer {
    let bare = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === LF && !(i === 0 ? this.lastWasCr : chunk[i - 1] === CR)) bare++;
    }
    let out = chunk;
    if (bare > 0) {
      out = Buffer.allocUnsafe(chunk.length + bare);
      let o = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === LF && !(i === 0 ? this.lastWasCr : chunk[i - 1] === CR)) out[o++] = CR;
        out[o++] = b;
      }
    }
    if (chunk.length > 0) this.lastWasCr = chunk[chunk.length - 1] === CR;
    return out;
  }
}
