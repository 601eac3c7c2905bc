// Compressed mode (RFC 959 §3.4.3): a byte string is 0nnnnnnn and n data bytes
// (n = 1..127), a replicated byte is 10nnnnnn and the byte (n = 1..63), a filler string
// is 11nnnnnn alone (the filler is the type's space, or zero for I and L), and an
// escape is 0x00 followed by a block-mode descriptor: EOR (0x80), EOF (0x40), or a
// restart marker (0x10) whose marker is the byte string that follows.
//
// Septet's encoder sends runs of 2 or more filler bytes as filler strings and runs of
// 3 or more other bytes as replications (shorter runs cost no less than literals).

import { BLOCK_EOF, BLOCK_EOR, BLOCK_RESTART } from './block-mode.ts';
import { DataFormatError, TruncatedTransferError, type DataEvent } from './events.ts';

const MAX_STRING = 127;
const MAX_RUN = 63;

export function compressBytes(bytes: Buffer, filler: number): Buffer {
  // Worst case: one header per 127 literals.
  const out = Buffer.allocUnsafe(bytes.length + Math.ceil(bytes.length / MAX_STRING) + 2);
  let o = 0;
  let literalStart = -1;
  const flushLiterals = (end: number) => {
    while (literalStart >= 0 && literalStart < end) {
      const n = Math.min(MAX_STRING, end - literalStart);
      out[o++] = n;
      bytes.copy(out, o, literalStart, literalStart + n);
      o += n;
      literalStart += n;
    }
    literalStart = -1;
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let run = 1;
    while (i + run < bytes.length && bytes[i + run] === b) run++;
    if ((b === filler && run >= 2) || run >= 3) {
      flushLiterals(i);
      let left = run;
      while (left > 0) {
        const n = Math.min(MAX_RUN, left);
        if (b === filler) out[o++] = 0xc0 | n;
        else {
          out[o++] = 0x80 | n;
          out[o++] = b;
        }
        left -= n;
      }
    } else if (literalStart < 0) {
      literalStart = i;
    }
    i += run;
  }
  flushLiterals(bytes.length);
  return out.subarray(0, o);
}

export class CompressedEncoder {
  private readonly filler: number;
  private eorPending = false;

  constructor(filler: number) {
    this.filler = filler;
  }

  encode(event: DataEvent): Buffer[] {
    const out: Buffer[] = [];
    if (event.kind === 'eof') {
      out.push(Buffer.from([0, (this.eorPending ? BLOCK_EOR : 0) | BLOCK_EOF]));
      this.eorPending = false;
      return out;
    }
    if (this.eorPending) out.push(Buffer.from([0, BLOCK_EOR]));
    this.eorPending = event.kind === 'eor';
    if (event.kind === 'data' && event.bytes.length > 0) out.push(compressBytes(event.bytes, this.filler));
    if (event.kind === 'mark') {
      const marker = Buffer.from(event.marker, 'latin1');
      out.push(Buffer.from([0, BLOCK_RESTART, marker.length]), marker);
    }
    return out;
  }
}

type DecodeState =
  | { name: 'header' }
  | { name: 'string'; left: number }
  | { name: 'replicate'; count: number }
  | { name: 'escape' }
  | { name: 'marker-header' }
  | { name: 'marker'; left: number; parts: Buffer[] };

export class CompressedDecoder {
  private readonly filler: number;
  private state: DecodeState = { name: 'header' };
  private ended = false;

  constructor(filler: number) {
    this.filler = filler;
  }

  decode(chunk: Buffer): DataEvent[] {
    const events: DataEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.ended) throw new DataFormatError('data after end of file');
      const s = this.state;
      if (s.name === 'header') {
        const h = chunk[i++]!;
        if (h === 0) this.state = { name: 'escape' };
        else if ((h & 0x80) === 0) this.state = { name: 'string', left: h };
        else if ((h & 0xc0) === 0x80) this.state = { name: 'replicate', count: h & 0x3f };
        else events.push({ kind: 'data', bytes: Buffer.alloc(h & 0x3f, this.filler) });
      } else if (s.name === 'string') {
        const take = Math.min(s.left, chunk.length - i);
        events.push({ kind: 'data', bytes: chunk.subarray(i, i + take) });
        i += take;
        s.left -= take;
        if (s.left === 0) this.state = { name: 'header' };
      } else if (s.name === 'replicate') {
        events.push({ kind: 'data', bytes: Buffer.alloc(s.count, chunk[i++]!) });
        this.state = { name: 'header' };
      } else if (s.name === 'escape') {
        const d = chunk[i++]!;
        if ((d & 0x0f) !== 0) throw new DataFormatError(`unknown compressed-mode descriptor ${d}`);
        if (d & BLOCK_EOR) events.push({ kind: 'eor' });
        if (d & BLOCK_EOF) {
          events.push({ kind: 'eof' });
          this.ended = true;
        }
        this.state = d & BLOCK_RESTART ? { name: 'marker-header' } : { name: 'header' };
      } else if (s.name === 'marker-header') {
        const h = chunk[i++]!;
        if (h === 0 || (h & 0x80) !== 0) throw new DataFormatError('a restart marker must be a byte string');
        this.state = { name: 'marker', left: h, parts: [] };
      } else {
        const take = Math.min(s.left, chunk.length - i);
        s.parts.push(chunk.subarray(i, i + take));
        i += take;
        s.left -= take;
        if (s.left === 0) {
          events.push({ kind: 'mark', marker: Buffer.concat(s.parts).toString('latin1') });
          this.state = { name: 'header' };
        }
      }
    }
    return events;
  }

  end(): DataEvent[] {
    if (!this.ended) throw new TruncatedTransferError('compressed-mode data ended without EOF');
    return [];
  }
}
