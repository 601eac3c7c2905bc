// The representation-and-structure layer (RFC 959 §3.1): stored bytes ↔ data events.
// Text types (A, E) and record structure see the stored file as lines ending in LF:
// - TYPE A puts CRLF on the wire (file structure), TYPE E puts NL (0x15) and converts
//   the characters to EBCDIC 037; form control C adds or removes the ASA column;
// - STRU R sends each line as a record (its line end becomes EOR, RFC 959 §3.1.2) and
//   turns every EOR it receives back into a line end. RFC 959 §3.4 wants every record
//   ended by EOR, the last one too, so a stored file whose last line has no LF gains
//   one after a round trip in record structure; everything else round-trips exactly.
// TYPE I and L 8 in file structure are bytes as they are.

import { encodeNvt, NvtDecoder, type LineSink } from './ascii.ts';
import { EBCDIC_NL, fromEbcdic, toEbcdic } from './ebcdic.ts';
import type { DataEvent, TransferParams } from './events.ts';
import { AsaDecoder, AsaEncoder } from './format-control.ts';

const LF = 0x0a;
const CRLF = Buffer.from('\r\n');
const NL = Buffer.from([EBCDIC_NL]);

/** Stored bytes → data events. */
export class RepresentationEncoder {
  private readonly params: TransferParams;
  private readonly lines: LineSink;
  private events: DataEvent[] = [];
  private parts: Buffer[] = [];
  private lineOpen = false;

  constructor(params: TransferParams) {
    this.params = params;
    const wire: LineSink = {
      segment: (bytes) => {
        this.lineOpen = true;
        this.parts.push(this.encodeCharacters(bytes));
      },
      newline: () => {
        this.lineOpen = false;
        if (params.structure === 'R') {
          this.flushParts();
          this.events.push({ kind: 'eor' });
        } else {
          this.parts.push(params.type === 'E' ? NL : CRLF);
        }
      },
    };
    this.lines = params.form === 'C' && isText(params) ? new AsaEncoder(wire) : wire;
  }

  /** True between lines: a restart marker placed here resumes cleanly. */
  get atLineStart(): boolean {
    return !this.lineOpen;
  }

  push(chunk: Buffer): DataEvent[] {
    const p = this.params;
    if (p.structure === 'F' && !isText(p)) return [{ kind: 'data', bytes: chunk }];
    // The common text case in one pass.
    if (p.structure === 'F' && p.type === 'A' && p.form !== 'C') {
      this.lineOpen = chunk[chunk.length - 1] !== LF;
      return [{ kind: 'data', bytes: encodeNvt(chunk, true) }];
    }
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, start);
      if (lf < 0) break;
      if (lf > start) this.lines.segment(chunk.subarray(start, lf));
      this.lines.newline();
      start = lf + 1;
    }
    if (start < chunk.length) this.lines.segment(chunk.subarray(start));
    return this.take();
  }

  end(): DataEvent[] {
    // RFC 959 §3.4: every record ends with an explicit EOR, including the last.
    if (this.params.structure === 'R' && this.lineOpen) this.lines.newline();
    const events = this.take();
    events.push({ kind: 'eof' });
    return events;
  }

  private encodeCharacters(bytes: Buffer): Buffer {
    const p = this.params;
    if (p.type === 'A') return encodeNvt(bytes, false);
    if (p.type === 'E') return toEbcdic(bytes);
    return bytes;
  }

  private flushParts(): void {
    if (this.parts.length === 0) return;
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    if (bytes.length > 0) this.events.push({ kind: 'data', bytes });
  }

  private take(): DataEvent[] {
    this.flushParts();
    const events = this.events;
    this.events = [];
    return events;
  }
}

/** Data events → stored bytes. */
export class RepresentationDecoder {
  private readonly params: TransferParams;
  private readonly stored: LineSink;
  private readonly lines: LineSink;
  private readonly nvt: NvtDecoder | null;
  private out: Buffer[] = [];

  constructor(params: TransferParams) {
    this.params = params;
    this.stored = {
      segment: (bytes) => this.out.push(bytes),
      newline: () => this.out.push(Buffer.from([LF])),
    };
    this.lines = params.form === 'C' && isText(params) ? new AsaDecoder(this.stored) : this.stored;
    this.nvt = params.type === 'A' ? new NvtDecoder(params.structure === 'F') : null;
  }

  /** Stored bytes for one event (empty at EOF and for markers). */
  accept(event: DataEvent): Buffer[] {
    const p = this.params;
    if (event.kind === 'data') {
      if (p.structure === 'F' && !isText(p)) return [event.bytes];
      if (this.nvt) this.nvt.decode(event.bytes, this.lines);
      else if (p.type === 'E') this.decodeEbcdic(event.bytes);
      else this.lines.segment(event.bytes);
    } else if (event.kind === 'eor') {
      this.nvt?.end(this.lines);
      this.lines.newline();
    } else if (event.kind === 'eof') {
      this.nvt?.end(this.lines);
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private decodeEbcdic(bytes: Buffer): void {
    if (this.params.structure === 'R') {
      this.lines.segment(fromEbcdic(bytes));
      return;
    }
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(EBCDIC_NL, start);
      if (nl < 0) break;
      if (nl > start) this.lines.segment(fromEbcdic(bytes.subarray(start, nl)));
      this.lines.newline();
      start = nl + 1;
    }
    if (start < bytes.length) this.lines.segment(fromEbcdic(bytes.subarray(start)));
  }
}

function isText(p: TransferParams): boolean {
  return p.type === 'A' || p.type === 'E';
}
