// The data receiver of one transfer (the server on WRQ, the client on get).
//   - Each new block in sequence is stored once; a duplicate is acknowledged again
//     (RFC 1350 §2: that is how a lost ACK is repaired), never written twice.
//   - windowsize > 1 (RFC 7440 §4): the ACK comes after the window's last block, or
//     at once, for the last block received in order, when a block is missing. Such
//     "sequence error" ACKs are sent once per burst: one lost block makes the rest
//     of the window arrive out of order, and one ACK is enough to restart it.
//   - A block shorter than blksize ends the transfer; the session sends the final
//     ACK (the server only once the file is stored, so a full disk is reported).

import { ErrorCode, TftpError, Text } from './replies.ts';

export interface DataSink {
  write(payload: Buffer): void;
  readonly congested: boolean;
  onDrain(callback: () => void): void;
}

export type DataOutcome = 'progress' | 'ignored' | 'final';

export interface WindowReceiverOptions {
  blockSize: number;
  windowsize: number;
  sink: DataSink;
  sendAck: (block16: number) => void;
  /** A second sequence-error ACK for the same block waits this long (half the sender's timeout). */
  repeatGapMs: number;
}

export class WindowReceiver {
  private readonly o: WindowReceiverOptions;
  /** Absolute number of the last block received in order. */
  lastInOrder = 0;
  private sinceAck = 0;
  private repeatAckFor = -1;
  private repeatAckAt = 0;
  private ackPending = false;
  private stopped = false;
  finished = false;
  /** Payload octets received (before any netascii decoding). */
  octets = 0;

  constructor(options: WindowReceiverOptions) {
    this.o = options;
  }

  stop(): void {
    this.stopped = true;
  }

  /** A DATA packet's block number and payload. Throws TftpError for an oversized block. */
  onData(block16: number, payload: Buffer): DataOutcome {
    if (!this.finished && block16 === ((this.lastInOrder + 1) & 0xffff)) {
      if (payload.length > this.o.blockSize) throw new TftpError(ErrorCode.illegalOperation, Text.malformed, `DATA of ${payload.length} octets > blksize ${this.o.blockSize}`);
      this.o.sink.write(payload);
      this.lastInOrder++;
      this.octets += payload.length;
      if (payload.length < this.o.blockSize) {
        this.finished = true;
        return 'final';
      }
      if (++this.sinceAck >= this.o.windowsize) this.ackInOrder();
      return 'progress';
    }
    // A duplicate or a block out of sequence.
    if (this.o.windowsize === 1) {
      if (block16 === (this.lastInOrder & 0xffff)) this.resendAck();
      return 'ignored';
    }
    const now = Date.now();
    if (this.repeatAckFor === this.lastInOrder && now - this.repeatAckAt < this.o.repeatGapMs) return 'ignored';
    this.repeatAckFor = this.lastInOrder;
    this.repeatAckAt = now;
    this.resendAck();
    return 'ignored';
  }

  /** The ACK of the last block in order (timeout, duplicates, the final block). */
  resendAck(): void {
    this.sinceAck = 0;
    this.o.sendAck(this.lastInOrder & 0xffff);
  }

  /** End of a window: acknowledged once the sink can take more. */
  private ackInOrder(): void {
    this.sinceAck = 0;
    if (!this.o.sink.congested) return this.o.sendAck(this.lastInOrder & 0xffff);
    if (this.ackPending) return;
    this.ackPending = true;
    this.o.sink.onDrain(() => {
      this.ackPending = false;
      if (!this.stopped) this.o.sendAck(this.lastInOrder & 0xffff);
    });
  }
}

/** A sink that only counts (tests, benchmarks to /dev/null). */
export class DiscardSink implements DataSink {
  bytes = 0;
  readonly congested = false;
  write(payload: Buffer): void {
    this.bytes += payload.length;
  }
  onDrain(callback: () => void): void {
    callback();
  }
}
