// WRQ: the client sends the file. The server answers ACK 0, or an OACK when options
// were negotiated (RFC 2347), then acknowledges DATA. The final ACK goes out only
// once the file is stored and renamed into place; after it the socket dallies for
// a while to acknowledge a repeated final DATA (RFC 1350 §6).

import { countTransfer } from '../core/metrics/hooks.ts';
import type { FileSink } from './file-sink.ts';
import type { Negotiated } from './options.ts';
import { WindowReceiver } from './receiver.ts';
import { ErrorCode, TftpError, Text } from './replies.ts';
import { Transfer, type TransferContext, type TransferEnd } from './transfer.ts';
import { encodeOack, Opcode, writeAck } from './wire.ts';

export class WriteTransfer extends Transfer {
  private readonly sink: FileSink;
  private readonly receiver: WindowReceiver;
  private readonly oack: Buffer | null;
  private readonly ackPacket = Buffer.allocUnsafe(4);
  private phase: 'receiving' | 'storing' | 'stored' = 'receiving';
  private readonly filename: string;
  private readonly negotiated: Negotiated;

  constructor(ctx: TransferContext, sink: FileSink, filename: string, negotiated: Negotiated) {
    super(ctx);
    this.sink = sink;
    this.filename = filename;
    this.negotiated = negotiated;
    this.oack = negotiated.oack.length > 0 ? encodeOack(negotiated.oack) : null;
    this.receiver = new WindowReceiver({
      blockSize: negotiated.blksize,
      windowsize: negotiated.windowsize,
      sink,
      sendAck: (block) => this.send(writeAck(this.ackPacket, block), 0, 4),
      repeatGapMs: ctx.timeoutMs / 2,
    });
    sink.onError = (error) => this.fail(error);
  }

  begin(): void {
    this.timer.progress();
    this.sendFirst();
  }

  /** ACK 0, or the OACK that stands for it. */
  private sendFirst(): void {
    if (this.oack) this.send(this.oack, 0, this.oack.length);
    else this.receiver.resendAck();
  }

  protected onPacket(opcode: number, msg: Buffer): void {
    if (this.phase === 'storing') return; // the final ACK waits for the disk
    if (opcode !== Opcode.DATA) {
      if (this.isEnded) return;
      throw new TftpError(ErrorCode.illegalOperation, Text.unexpected, `opcode ${opcode} during WRQ`);
    }
    if (msg.length < 4) return; // a truncated DATA: as if lost
    const block = (msg[2]! << 8) | msg[3]!;
    if (this.phase === 'stored') {
      // Dallying: the final ACK was lost, the client sent its last block again.
      this.receiver.onData(block, msg.subarray(4));
      return;
    }
    const outcome = this.receiver.onData(block, msg.subarray(4));
    if (outcome === 'progress') this.timer.progress();
    else if (outcome === 'final') this.store();
  }

  private store(): void {
    this.phase = 'storing';
    this.timer.stop();
    this.sink.commit().then(
      () => {
        this.phase = 'stored';
        countTransfer('tftp', 'upload', this.sink.bytes);
        this.receiver.resendAck();
        this.log.info(
          { op: 'WRQ', file: this.filename, octets: this.sink.bytes, ms: Date.now() - this.startedAt, blksize: this.negotiated.blksize, windowsize: this.negotiated.windowsize },
          'transfer complete',
        );
        this.end('complete', Math.max(this.timeoutMs * 2, 100));
      },
      (error: unknown) => this.fail(error),
    );
  }

  protected onTimeout(): void {
    if (this.receiver.lastInOrder === 0) this.sendFirst();
    else this.receiver.resendAck();
  }

  protected async cleanup(end: TransferEnd): Promise<void> {
    this.receiver.stop();
    if (end !== 'complete') await this.sink.abort();
  }
}
