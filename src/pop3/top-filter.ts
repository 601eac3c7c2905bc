// RFC 1939 §7 TOP n k: the header, the blank line after it, then k lines of the body.
// Works chunk by chunk so a large message is never held in memory, and says when it
// has seen enough so the caller can stop reading the blob early.

const CR = 0x0d;
const LF = 0x0a;

type LineState = 'start' | 'cr' | 'text';

export class TopFilter {
  private inHeader = true;
  private line: LineState = 'start';
  private bodyLinesLeft: number;
  private finished = false;

  constructor(bodyLines: number) {
    this.bodyLinesLeft = bodyLines;
  }

  get done(): boolean {
    return this.finished;
  }

  /** The part of `chunk` to send; after `done` is true nothing more is wanted. */
  push(chunk: Buffer): Buffer {
    if (this.finished) return chunk.subarray(0, 0);
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.inHeader) {
        if (b === LF) {
          // An empty line (or "\r\n" alone) ends the header (RFC 5322 §2.1).
          if (this.line !== 'text') {
            this.inHeader = false;
            if (this.bodyLinesLeft === 0) return this.finish(chunk, i);
          }
          this.line = 'start';
        } else if (b === CR && this.line === 'start') {
          this.line = 'cr';
        } else {
          this.line = 'text';
        }
      } else if (b === LF) {
        this.bodyLinesLeft--;
        if (this.bodyLinesLeft === 0) return this.finish(chunk, i);
      }
    }
    return chunk;
  }

  private finish(chunk: Buffer, lastIndex: number): Buffer {
    this.finished = true;
    return chunk.subarray(0, lastIndex + 1);
  }
}
