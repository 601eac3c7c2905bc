// Format control C (RFC 959 §3.1.1.5.3): ASA / Fortran carriage control. The first
// character of every line is not printed but moves the paper: ' ' one line, '0' two
// lines, '1' a new page, '+' no advance (overprint). Septet stores plain text, so on
// the way out a line after a form feed starts with '1' (the form feed dropped) and
// every other line with ' '; on the way in '1' becomes a form feed, '0' an extra empty
// line and '+' a CR. What Septet sends therefore comes back byte for byte.

import type { LineSink } from './ascii.ts';

const FF = 0x0c;
const SPACE = 0x20;

/** Stored lines → ASA lines (works on stored bytes, before the character set). */
export class AsaEncoder implements LineSink {
  private readonly out: LineSink;
  private atLineStart = true;

  constructor(out: LineSink) {
    this.out = out;
  }

  segment(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.atLineStart) {
      this.atLineStart = false;
      if (bytes[0] === FF) {
        this.out.segment(Buffer.from('1'));
        if (bytes.length > 1) this.out.segment(bytes.subarray(1));
        return;
      }
      this.out.segment(Buffer.from(' '));
    }
    this.out.segment(bytes);
  }

  newline(): void {
    // An empty line is a line that only advances the paper.
    if (this.atLineStart) this.out.segment(Buffer.from(' '));
    this.atLineStart = true;
    this.out.newline();
  }
}

/** ASA lines → stored lines (works on stored bytes, after the character set). */
export class AsaDecoder implements LineSink {
  private readonly out: LineSink;
  private atLineStart = true;

  constructor(out: LineSink) {
    this.out = out;
  }

  segment(bytes: Buffer): void {
    if (bytes.length === 0) return;
    let rest = bytes;
    if (this.atLineStart) {
      this.atLineStart = false;
      const control = bytes[0]!;
      rest = bytes.subarray(1);
      if (control === 0x30 /* '0' */) this.out.newline();
      else if (control === 0x31 /* '1' */) this.out.segment(Buffer.from([FF]));
      else if (control === 0x2b /* '+' */) this.out.segment(Buffer.from([0x0d]));
      else if (control !== SPACE) rest = bytes; // not a control character: keep it
    }
    if (rest.length > 0) this.out.segment(rest);
  }

  newline(): void {
    this.atLineStart = true;
    this.out.newline();
  }
}
