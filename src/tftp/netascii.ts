// Netascii (RFC 1350 §1 and Appendix, after the Telnet NVT of RFC 764): lines end
// with CR LF, and a bare CR travels as CR NUL. The local form is Unix: lines end
// with LF. Both directions work chunk by chunk; the decoder keeps a CR that ends
// a chunk until it sees the next octet.

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/** Local → netascii: LF becomes CR LF, CR becomes CR NUL. Stateless. */
export function encodeNetascii(chunk: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (b === LF || b === CR) extra++;
  }
  if (extra === 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length + extra);
  let o = 0;
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (b === LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else if (b === CR) {
      out[o++] = CR;
      out[o++] = NUL;
    } else {
      out[o++] = b;
    }
  }
  return out;
}

/** Netascii → local: CR LF becomes LF, CR NUL becomes CR; a CR before anything else is kept as is. */
export class NetasciiDecoder {
  private pendingCr = false;

  decode(chunk: Buffer): Buffer {
    if (!this.pendingCr && chunk.indexOf(CR) < 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let o = 0;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk.length === 0) {
        this.pendingCr = true;
        return chunk;
      }
      const next = chunk[0]!;
      if (next === LF) {
        out[o++] = LF;
        i = 1;
      } else if (next === NUL) {
        out[o++] = CR;
        i = 1;
      } else {
        out[o++] = CR; // lenient: a bare CR followed by text
      }
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b !== CR) {
        out[o++] = b;
        continue;
      }
      if (i + 1 === chunk.length) {
        this.pendingCr = true;
        break;
      }
      const next = chunk[i + 1]!;
      if (next === LF) {
        out[o++] = LF;
        i++;
      } else if (next === NUL) {
        out[o++] = CR;
        i++;
      } else {
        out[o++] = CR;
      }
    }
    return out.subarray(0, o);
  }

  /** The end of the transfer: a CR still held is written as it came. */
  flush(): Buffer {
    if (!this.pendingCr) return Buffer.alloc(0);
    this.pendingCr = false;
    return Buffer.from([CR]);
  }
}
