// NVT-ASCII (RFC 959 §3.1.1.1, RFC 854): lines end in CRLF on the wire and in LF on
// disk. A CR that is not part of a line end goes out as CR NUL (RFC 854: "CR NUL" is a
// bare carriage return), so a stored CR, or a stored CRLF, comes back unchanged. All
// state (a CR at the end of one chunk) is carried across chunk boundaries.

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/** Receives decoded text: pieces of a line, and line ends. */
export interface LineSink {
  segment(bytes: Buffer): void;
  newline(): void;
}

/**
 * Stored text → NVT-ASCII. With lineEnds, LF becomes CRLF (file structure); without,
 * LF is never passed in (record structure marks lines with EOR). CR becomes CR NUL.
 */
export function encodeNvt(bytes: Buffer, lineEnds: boolean): Buffer {
  let extra = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === CR || (lineEnds && b === LF)) extra++;
  }
  if (extra === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + extra);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === CR) {
      out[o++] = CR;
      out[o++] = NUL;
    } else if (lineEnds && b === LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else {
      out[o++] = b;
    }
  }
  return out;
}

/**
 * NVT-ASCII → stored text, incrementally. With lineEnds (file structure) CRLF is a
 * line end, and so is a bare LF (lenient, as every server is); without, only CR NUL
 * is decoded and LF is data.
 */
export class NvtDecoder {
  private readonly lineEnds: boolean;
  private pendingCr = false;

  constructor(lineEnds: boolean) {
    this.lineEnds = lineEnds;
  }

  decode(chunk: Buffer, sink: LineSink): void {
    let start = 0;
    let i = 0;
    if (this.pendingCr && chunk.length > 0) {
      this.pendingCr = false;
      const b = chunk[0]!;
      if (b === LF && this.lineEnds) {
        sink.newline();
        start = i = 1;
      } else if (b === NUL) {
        sink.segment(Buffer.from([CR]));
        start = i = 1;
      } else {
        // A CR followed by anything else is kept as it came.
        sink.segment(Buffer.from([CR]));
      }
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === LF && this.lineEnds) {
        if (i > start) sink.segment(chunk.subarray(start, i));
        sink.newline();
        start = i + 1;
      } else if (b === CR) {
        if (i > start) sink.segment(chunk.subarray(start, i));
        if (i + 1 >= chunk.length) {
          this.pendingCr = true;
          start = i + 1;
          break;
        }
        const next = chunk[i + 1]!;
        if (next === LF && this.lineEnds) {
          sink.newline();
          i++;
        } else if (next === NUL) {
          sink.segment(Buffer.from([CR]));
          i++;
        } else {
          sink.segment(Buffer.from([CR]));
        }
        start = i + 1;
      }
    }
    if (start < chunk.length) sink.segment(chunk.subarray(start));
  }

  /** The data ended: a CR still held is data. */
  end(sink: LineSink): void {
    if (this.pendingCr) sink.segment(Buffer.from([CR]));
    this.pendingCr = false;
  }
}
