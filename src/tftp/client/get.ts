// The get (RRQ) strategy: DATA in, ACKs out, through the same window receiver as
// the server's WRQ. It asks only for a window its socket's receive buffer can hold,
// and for tsize 0 in octet mode (RFC 2349: the server then says the size).

import type { Writable } from 'node:stream';
import { FileSink } from '../file-sink.ts';
import { clientOptions, DEFAULT_BLKSIZE, type ClientAgreed, type ClientRequest } from '../options.ts';
import { WindowReceiver } from '../receiver.ts';
import { ErrorCode, Text } from '../replies.ts';
import { fitReceiveWindow } from '../udp.ts';
import { encodeRequest, Opcode, writeAck } from '../wire.ts';
import type { TftpClientOptions } from './client.ts';
import type { ClientConnection } from './connection.ts';
import { requestFor } from './request.ts';
import { StreamSink } from './stream-sink.ts';
import type { TransferControl, TransferStrategy } from './transfer.ts';

export class GetStrategy implements TransferStrategy {
  private readonly options: TftpClientOptions;
  private readonly remote: string;
  private readonly local: string | Writable;
  private readonly netascii: boolean;
  private readonly ack = Buffer.allocUnsafe(4);
  private connection: ClientConnection | null = null;
  private sink: FileSink | StreamSink | null = null;
  private receiver: WindowReceiver | null = null;
  private agreed: ClientAgreed | null = null;

  /** `local`: a path (written to a temporary file, renamed when complete) or a stream. */
  constructor(options: TftpClientOptions, remote: string, local: string | Writable) {
    this.options = options;
    this.remote = remote;
    this.local = local;
    this.netascii = (options.mode ?? 'octet') === 'netascii';
  }

  async attach(connection: ClientConnection): Promise<{ packet: Buffer; request: ClientRequest }> {
    const o = this.options;
    this.sink =
      typeof this.local === 'string'
        ? await FileSink.create({ path: this.local, netascii: this.netascii, maxBytes: Number.MAX_SAFE_INTEGER, mode: 0o644, sync: false })
        : new StreamSink(this.local, this.netascii);
    this.connection = connection;
    const windowsize = o.windowsize === undefined ? undefined : fitReceiveWindow(connection.socket, o.blksize ?? DEFAULT_BLKSIZE, o.windowsize);
    const request = requestFor({ ...o, windowsize }, 0);
    return { request, packet: encodeRequest(Opcode.RRQ, this.remote, o.mode ?? 'octet', clientOptions(request)) };
  }

  begin(agreed: ClientAgreed, oack: boolean, control: TransferControl): void {
    const connection = this.connection!;
    const sink = this.sink!;
    this.agreed = agreed;
    this.receiver = new WindowReceiver({
      blockSize: agreed.blksize,
      windowsize: agreed.windowsize,
      sink,
      sendAck: (block) => connection.send(writeAck(this.ack, block), 0, 4),
      repeatGapMs: (this.options.timeoutMs ?? 1000) / 2,
    });
    if (sink instanceof FileSink)
      sink.onError = (error) => {
        connection.sendError(ErrorCode.diskFull, Text.diskFull);
        control.fail(error);
      };
    if (oack) this.receiver.resendAck(); // ACK 0 (RFC 2347)
  }

  /** Without an OACK the first DATA is the reply (RFC 2347: the server ignored the options). */
  plainFirstReply(): 'begin-and-handle' {
    return 'begin-and-handle';
  }

  onPacket(opcode: number, msg: Buffer, control: TransferControl): void {
    const receiver = this.receiver;
    if (opcode !== Opcode.DATA || msg.length < 4 || receiver === null) return;
    const outcome = receiver.onData((msg[2]! << 8) | msg[3]!, msg.subarray(4));
    if (outcome === 'ignored') return;
    control.progress();
    this.options.onProgress?.(receiver.octets, this.agreed!.tsize);
    if (outcome !== 'final') return;
    receiver.resendAck();
    const sink = this.sink!;
    control.finish(sink.commit().then(() => sink.bytes));
  }

  retransmit(): void {
    this.receiver?.resendAck();
  }

  halt(): void {
    this.receiver?.stop();
  }

  async abort(): Promise<void> {
    await this.sink?.abort();
  }

  async close(): Promise<void> {}
}
