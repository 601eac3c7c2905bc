// The put (WRQ) strategy: DATA out through the same window sender as the server's
// RRQ, ACKs in. Without an OACK the server's ACK 0 starts the transfer (RFC 1350 §4).
// tsize carries the file's size in octet mode (RFC 2349).

import { open, stat, type FileHandle } from 'node:fs/promises';
import { BlockSource } from '../block-source.ts';
import { clientOptions, type ClientAgreed, type ClientRequest } from '../options.ts';
import { ErrorCode } from '../replies.ts';
import { WindowSender } from '../sender.ts';
import { encodeRequest, Opcode } from '../wire.ts';
import type { TftpClientOptions } from './client.ts';
import type { ClientConnection } from './connection.ts';
import { requestFor } from './request.ts';
import type { TransferControl, TransferStrategy } from './transfer.ts';

export class PutStrategy implements TransferStrategy {
  private readonly options: TftpClientOptions;
  private readonly remote: string;
  private readonly file: FileHandle;
  private readonly size: number;
  private readonly netascii: boolean;
  private connection: ClientConnection | null = null;
  private sender: WindowSender | null = null;

  private constructor(options: TftpClientOptions, remote: string, file: FileHandle, size: number) {
    this.options = options;
    this.remote = remote;
    this.file = file;
    this.size = size;
    this.netascii = (options.mode ?? 'octet') === 'netascii';
  }

  /** Opens the file at `local` before anything is sent. */
  static async open(options: TftpClientOptions, remote: string, local: string): Promise<PutStrategy> {
    const size = (await stat(local)).size;
    return new PutStrategy(options, remote, await open(local, 'r'), size);
  }

  async attach(connection: ClientConnection): Promise<{ packet: Buffer; request: ClientRequest }> {
    this.connection = connection;
    const request = requestFor(this.options, this.size);
    return { request, packet: encodeRequest(Opcode.WRQ, this.remote, this.options.mode ?? 'octet', clientOptions(request)) };
  }

  begin(agreed: ClientAgreed, _oack: boolean, control: TransferControl): void {
    const connection = this.connection!;
    const source = new BlockSource(this.file, { blockSize: agreed.blksize, windowsize: agreed.windowsize, netascii: this.netascii });
    this.sender = new WindowSender(source, agreed.windowsize, (buf, offset, length) => connection.send(buf, offset, length), (error) => {
      connection.sendError(ErrorCode.notDefined, 'client read error');
      control.fail(error);
    });
    this.sender.start();
  }

  plainFirstReply(opcode: number, msg: Buffer): 'begin' | 'ignore' {
    return opcode === Opcode.ACK && msg.length >= 4 && msg.readUInt16BE(2) === 0 ? 'begin' : 'ignore';
  }

  onPacket(opcode: number, msg: Buffer, control: TransferControl): void {
    const sender = this.sender;
    if (opcode !== Opcode.ACK || msg.length < 4 || sender === null) return;
    const outcome = sender.onAck(msg.readUInt16BE(2));
    if (outcome === 'progress') {
      control.progress();
      this.options.onProgress?.(sender.ackedOctets, this.netascii ? null : this.size);
    } else if (outcome === 'done') {
      this.options.onProgress?.(sender.ackedOctets, this.netascii ? null : this.size);
      control.finish(sender.ackedOctets);
    }
  }

  retransmit(): void {
    this.sender?.retransmit();
  }

  halt(): void {
    this.sender?.stop();
  }

  async abort(): Promise<void> {}

  async close(): Promise<void> {
    await this.file.close();
  }
}
