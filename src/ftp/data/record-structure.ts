// Record structure in stream mode (RFC 959 §3.4.1): EOR and EOF are two-byte control
// codes, an all-ones escape byte (0xFF) followed by 1 (EOR), 2 (EOF) or 3 (both); a
// data byte 0xFF is sent twice. EOF must be explicit, so a connection that closes
// without it lost data.

import { DataFormatError, TruncatedTransferError, type DataEvent } from './events.ts';

const ESC = 0xff;
const EOR = 1;
const EOF = 2;

export class RecordStreamEncoder {
  private eorPending = false;

  encode(event: DataEvent): Buffer[] {
    const out: Buffer[] = [];
    if (event.kind === 'eof') {
      // "EOR and EOF may be indicated together on the last byte transmitted".
      out.push(Buffer.from([ESC, this.eorPending ? EOR | EOF : EOF]));
      this.eorPending = false;
      return out;
    }
    if (this.eorPending) out.push(Buffer.from([ESC, EOR]));
    this.eorPending = false;
    if (event.kind === 'eor') this.eorPending = true;
    else if (event.kind === 'data') out.push(escapeData(event.bytes));
    // Restart markers do not exist in stream mode (RFC 959 §3.5).
    return out;
  }
}

function escapeData(bytes: Buffer): Buffer {
  let count = 0;
  for (let i = bytes.indexOf(ESC); i >= 0; i = bytes.indexOf(ESC, i + 1)) count++;
  if (count === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + count);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[o++] = b;
    if (b === ESC) out[o++] = ESC;
  }
  return out;
}

export class RecordStreamDecoder {
  private escapePending = false;
  private ended = false;

  decode(chunk: Buffer): DataEvent[] {
    const events: DataEvent[] = [];
    let start = 0;
    let i = 0;
    const flush = (end: number) => {
      if (end > start) events.push({ kind: 'data', bytes: chunk.subarray(start, end) });
    };
    if (this.ended) {
      if (chunk.length > 0) throw new DataFormatError('data after end of file');
      return events;
    }
    if (this.escapePending && chunk.length > 0) {
      this.escapePending = false;
      i = start = 1;
      this.control(chunk[0]!, events);
    }
    for (; i < chunk.length && !this.ended; i++) {
      if (chunk[i] !== ESC) continue;
      flush(i);
      if (i + 1 >= chunk.length) {
        this.escapePending = true;
        start = chunk.length;
        break;
      }
      this.control(chunk[i + 1]!, events);
      i++;
      start = i + 1;
    }
    if (this.ended) {
      if (start < chunk.length) throw new DataFormatError('data after end of file');
    } else flush(chunk.length);
    return events;
  }

  private control(code: number, events: DataEvent[]): void {
    if (code === ESC) {
      events.push({ kind: 'data', bytes: Buffer.from([ESC]) });
      return;
    }
    if (code === 0 || code > 3) throw new DataFormatError(`unknown stream-mode control code ${code}`);
    if (code & EOR) events.push({ kind: 'eor' });
    if (code & EOF) {
      events.push({ kind: 'eof' });
      this.ended = true;
    }
  }

  /** The connection closed: fine only after EOF. */
  end(): DataEvent[] {
    if (!this.ended) throw new TruncatedTransferError('record-structured stream ended without EOF');
    return [];
  }
}
