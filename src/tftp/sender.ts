// The data sender of one transfer (the server on RRQ, the client on put): sends a
// window of DATA blocks and moves on as ACKs come in.
//   - windowsize 1 is RFC 1350 lock-step; a duplicate ACK is ignored, never
//     answered with a retransmission (RFC 1123 §4.2.3.1, the Sorcerer's Apprentice).
//   - a larger window follows RFC 7440 §4: an ACK inside the window that is not its
//     last block means the receiver lost something, so the next window starts right
//     after that ACK; on timeout the window restarts after the last ACK.
// Block numbers are absolute here and wrap to 16 bits only on the wire.

import type { BlockSource } from './block-source.ts';

export type SendPacket = (buf: Buffer, offset: number, length: number) => void;
export type AckOutcome = 'progress' | 'ignored' | 'restarted' | 'done';

export class WindowSender {
  private readonly source: BlockSource;
  private readonly windowsize: number;
  private readonly send: SendPacket;
  private readonly fail: (error: unknown) => void;
  /** Oldest block not acknowledged. */
  private base = 1;
  /** Next block to send in the current window, and the window's last block. */
  private next = 1;
  private windowEnd = 0;
  /** Highest block sent so far. */
  private sentThrough = 0;
  /** A duplicate ACK may restart a window (windowsize > 1) once per window sent. */
  private restartArmed = false;
  private stopped = false;
  /** Payload octets acknowledged (for the log and progress). */
  ackedOctets = 0;

  constructor(source: BlockSource, windowsize: number, send: SendPacket, fail: (error: unknown) => void) {
    this.source = source;
    this.windowsize = windowsize;
    this.send = send;
    this.fail = fail;
  }

  start(): void {
    this.sendWindow(true);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Timeout: the window restarts from the oldest unacknowledged block. */
  retransmit(): void {
    this.sendWindow(true);
  }

  /** An ACK with its 16-bit block number. */
  onAck(block16: number): AckOutcome {
    const acked = this.base - 1;
    const d = (block16 - acked) & 0xffff;
    if (d === 0) {
      // A duplicate of the last ACK (RFC 1123 §4.2.3.1): never a retransmission in
      // lock-step; with a window it means the window's first block was lost.
      if (this.windowsize === 1 || !this.restartArmed) return 'ignored';
      this.sendWindow(false);
      return 'restarted';
    }
    if (d > this.sentThrough - acked) return 'ignored'; // an old ACK, or a block never sent
    const newlyAcked = acked + d;
    this.ackedOctets += this.octetsBetween(acked + 1, newlyAcked);
    this.base = newlyAcked + 1;
    this.source.release(this.base);
    if (this.source.lastBlock !== null && newlyAcked >= this.source.lastBlock) return 'done';
    // The whole window (next window), or a part of it (RFC 7440 §4: restart after it).
    this.sendWindow(true);
    return 'progress';
  }

  /** Payload octets of blocks first..last, all loaded or just released (full blocks but the final). */
  private octetsBetween(first: number, last: number): number {
    const bs = this.source.blockSize;
    if (this.source.lastBlock !== null && last >= this.source.lastBlock) return (last - first) * bs + this.source.finalLength;
    return (last - first + 1) * bs;
  }

  private sendWindow(armRestart: boolean): void {
    this.restartArmed = armRestart;
    this.next = this.base;
    this.windowEnd = this.base + this.windowsize - 1;
    this.pump();
  }

  /** Sends what is loaded of the current window; loads the rest, and the next window ahead. */
  private pump(): void {
    if (this.stopped) return;
    const source = this.source;
    while (this.next <= this.windowEnd && (source.lastBlock === null || this.next <= source.lastBlock)) {
      const area = source.areaOf(this.next);
      if (area === null) {
        source.loadNext().then(() => this.pump(), this.fail);
        return;
      }
      const last = Math.min(this.windowEnd, area.first + area.count - 1);
      for (let n = this.next; n <= last; n++) {
        this.send(area.buf, (n - area.first) * area.stride, 4 + source.payloadLength(area, n));
      }
      if (last > this.sentThrough) this.sentThrough = last;
      this.next = last + 1;
    }
    // Read ahead by a whole area: the blocks after this window are in memory before
    // its ACK arrives, so the ACK path never waits for the disk.
    if (!source.isLoading && !source.hasThrough(this.windowEnd + source.areaBlocks)) source.loadNext().catch(this.fail);
  }
}
