// RRQ: the server sends the file. With options it first sends an OACK and waits
// for ACK 0 (RFC 2347); without, DATA 1 goes out at once (RFC 1350).

import type { FileHandle } from 'node:fs/promises';
import { countTransfer } from '../core/metrics/hooks.ts';
import { BlockSource } from './block-source.ts';
import type { Negotiated } from './options.ts';
import { ErrorCode, TftpError, Text } from './replies.ts';
import { WindowSender } from './sender.ts';
import { Transfer, type TransferContext, type TransferEnd } from './transfer.ts';
import { encodeOack, Opcode } from './wire.ts';

export class ReadTransfer extends Transfer {
  private readonly file: FileHandle;
  private readonly oack: Buffer | null;
  private readonly sender: WindowSender;
  private phase: 'oack' | 'data' = 'data';
  private readonly filename: string;
  private readonly negotiated: Negotiated;

  constructor(ctx: TransferContext, file: FileHandle, filename: string, negotiated: Negotiated, netascii: boolean) {
    super(ctx);
    this.file = file;
    this.filename = filename;
    this.negotiated = negotiated;
    this.oack = negotiated.oack.length > 0 ? encodeOack(negotiated.oack) : null;
    const socket = ctx.socket;
    const source = new BlockSource(file, { blockSize: negotiated.blksize, windowsize: negotiated.windowsize, netascii, sendIdle: () => socket.getSendQueueCount() === 0 });
    this.sender = new WindowSender(source, negotiated.windowsize, (buf, offset, length) => this.send(buf, offset, length), (error) => this.fail(error));
  }

  begin(): void {
    this.timer.progress();
    if (this.oack) {
      this.phase = 'oack';
      this.send(this.oack, 0, this.oack.length);
    } else {
      this.sender.start();
    }
  }

  protected onPacket(opcode: number, msg: Buffer): void {
    if (this.isEnded) return;
    if (opcode !== Opcode.ACK) throw new TftpError(ErrorCode.illegalOperation, Text.unexpected, `opcode ${opcode} during RRQ`);
    if (msg.length < 4) return; // a truncated ACK: as if lost
    const block = (msg[2]! << 8) | msg[3]!;
    if (this.phase === 'oack') {
      if (block !== 0) return;
      this.phase = 'data';
      this.timer.progress();
      this.sender.start();
      return;
    }
    const outcome = this.sender.onAck(block);
    if (outcome === 'progress') this.timer.progress();
    else if (outcome === 'done') {
      countTransfer('tftp', 'download', this.sender.ackedOctets);
      this.log.info(
        { op: 'RRQ', file: this.filename, octets: this.sender.ackedOctets, ms: Date.now() - this.startedAt, blksize: this.negotiated.blksize, windowsize: this.negotiated.windowsize },
        'transfer complete',
      );
      this.end('complete');
    }
  }

  protected onTimeout(): void {
    if (this.phase === 'oack' && this.oack) this.send(this.oack, 0, this.oack.length);
    else this.sender.retransmit();
  }

  protected async cleanup(_end: TransferEnd): Promise<void> {
    this.sender.stop();
    await this.file.close();
  }
}
