// Block mode (RFC 959 §3.4.2): every block has a three-byte header, a descriptor
// (128 EOR, 64 EOF, 32 suspect data, 16 restart marker) and a 16-bit byte count.
// The encoder keeps the last data block back for one event, so that an EOR or EOF
// that follows is flagged on it rather than sent as an empty block.

import { DataFormatError, TruncatedTransferError, type DataEvent } from './events.ts';

export const BLOCK_EOR = 128;
export const BLOCK_EOF = 64;
export const BLOCK_SUSPECT = 32;
export const BLOCK_RESTART = 16;
const MAX_COUNT = 0xffff;

function header(descriptor: number, count: number): Buffer {
  return Buffer.from([descriptor, count >> 8, count & 0xff]);
}

export class BlockEncoder {
  private held: Buffer | null = null;

  encode(event: DataEvent): Buffer[] {
    const out: Buffer[] = [];
    if (event.kind === 'data') {
      if (event.bytes.length === 0) return out;
      this.release(0, out);
      let bytes = event.bytes;
      while (bytes.length > MAX_COUNT) {
        out.push(header(0, MAX_COUNT), bytes.subarray(0, MAX_COUNT));
        bytes = bytes.subarray(MAX_COUNT);
      }
      this.held = bytes;
    } else if (event.kind === 'eor') {
      this.release(BLOCK_EOR, out, true);
    } else if (event.kind === 'eof') {
      this.release(BLOCK_EOF, out, true);
    } else {
      this.release(0, out);
      const marker = Buffer.from(event.marker, 'latin1');
      out.push(header(BLOCK_RESTART, marker.length), marker);
    }
    return out;
  }

  /** Sends the held block with `flags`; with `always`, an empty block if none is held. */
  private release(flags: number, out: Buffer[], always = false): void {
    const held = this.held;
    this.held = null;
    if (held) out.push(header(flags, held.length), held);
    else if (always) out.push(header(flags, 0));
  }
}

export class BlockDecoder {
  private headerBuf = Buffer.alloc(3);
  private headerHave = 0;
  private descriptor = 0;
  private left = 0;
  private inBlock = false;
  private markerParts: Buffer[] = [];
  private ended = false;

  decode(chunk: Buffer): DataEvent[] {
    const events: DataEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.ended) throw new DataFormatError('data after the EOF block');
      if (!this.inBlock) {
        const take = Math.min(3 - this.headerHave, chunk.length - i);
        chunk.copy(this.headerBuf, this.headerHave, i, i + take);
        this.headerHave += take;
        i += take;
        if (this.headerHave < 3) break;
        this.headerHave = 0;
        this.descriptor = this.headerBuf[0]!;
        this.left = (this.headerBuf[1]! << 8) | this.headerBuf[2]!;
        this.inBlock = true;
        if ((this.descriptor & 0x0f) !== 0) throw new DataFormatError(`unknown block descriptor ${this.descriptor}`);
      }
      const take = Math.min(this.left, chunk.length - i);
      if (take > 0) {
        const bytes = chunk.subarray(i, i + take);
        if (this.descriptor & BLOCK_RESTART) this.markerParts.push(bytes);
        else events.push({ kind: 'data', bytes });
        i += take;
        this.left -= take;
      }
      if (this.left === 0) this.finishBlock(events);
    }
    return events;
  }

  private finishBlock(events: DataEvent[]): void {
    this.inBlock = false;
    if (this.descriptor & BLOCK_RESTART) {
      events.push({ kind: 'mark', marker: Buffer.concat(this.markerParts).toString('latin1') });
      this.markerParts = [];
    }
    if (this.descriptor & BLOCK_EOR) events.push({ kind: 'eor' });
    if (this.descriptor & BLOCK_EOF) {
      events.push({ kind: 'eof' });
      this.ended = true;
    }
  }

  end(): DataEvent[] {
    if (!this.ended) throw new TruncatedTransferError('block-mode data ended without an EOF block');
    return [];
  }
}
