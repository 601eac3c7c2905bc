// Septet's TFTP client: get (RRQ) and put (WRQ) with blksize, windowsize, timeout
// and tsize options. It uses the same window sender and receiver as the server.
// The first reply fixes the server's TID (RFC 1350 §4); packets from any other
// port get ERROR 5. Before the first reply the request itself is retransmitted.

import type { Socket, RemoteInfo } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { BlockSource } from './block-source.ts';
import { FileSink } from './file-sink.ts';
import { NetasciiDecoder } from './netascii.ts';
import { acceptOack, clientOptions, DEFAULT_BLKSIZE, type ClientAgreed, type ClientRequest } from './options.ts';
import { WindowReceiver, type DataSink } from './receiver.ts';
import { ErrorCode, TftpError, Text } from './replies.ts';
import { RetransmitTimer } from './retransmit-timer.ts';
import { WindowSender } from './sender.ts';
import { bindSocket, fitReceiveWindow, socketTypeFor, udpSocket } from './udp.ts';
import { encodeError, encodeRequest, Opcode, opcodeOf, parsePacket, writeAck } from './wire.ts';

export interface TftpClientOptions {
  host: string;
  port?: number;
  mode?: 'octet' | 'netascii';
  /** Asked for with the blksize option (RFC 2348); unset = 512 without the option. */
  blksize?: number;
  /** Asked for with the windowsize option (RFC 7440); unset = 1 without the option. */
  windowsize?: number;
  /** Retransmission timeout in milliseconds (default 1000); also sent as the timeout option when `sendTimeout`. */
  timeoutMs?: number;
  sendTimeout?: boolean;
  retries?: number;
  /** Called after each acknowledged window with octets done and the total when known. */
  onProgress?: (done: number, total: number | null) => void;
}

export interface TransferResult {
  octets: number;
  ms: number;
  blksize: number;
  windowsize: number;
}

/** A failure of the transfer; `code` is the TFTP error code when the server sent one. */
export class TftpClientError extends Error {
  readonly code: number | null;
  constructor(message: string, code: number | null) {
    super(message);
    this.name = 'TftpClientError';
    this.code = code;
  }
}

/** Writes to a stream (standard output), withholding ACKs while it is full. */
class StreamSink implements DataSink {
  private readonly stream: Writable;
  private readonly decoder: NetasciiDecoder | null;
  bytes = 0;
  constructor(stream: Writable, netascii: boolean) {
    this.stream = stream;
    this.decoder = netascii ? new NetasciiDecoder() : null;
  }
  get congested(): boolean {
    return this.stream.writableNeedDrain;
  }
  onDrain(callback: () => void): void {
    if (!this.congested) callback();
    else this.stream.once('drain', callback);
  }
  write(payload: Buffer): void {
    const data = this.decoder ? this.decoder.decode(payload) : payload;
    this.bytes += data.length;
    if (data.length > 0) this.stream.write(data); // dgram gives each packet a buffer of its own: no copy needed
  }
  async commit(): Promise<void> {
    if (this.decoder) {
      const tail = this.decoder.flush();
      if (tail.length > 0) this.stream.write(tail);
    }
  }
  async abort(): Promise<void> {}
}

interface Phase {
  /** The first reply has not come yet: the request is retransmitted. */
  awaitingReply: boolean;
}

/** One transfer's socket, server TID and timer. */
class ClientChannel {
  readonly socket: Socket;
  readonly address: string;
  readonly requestPort: number;
  peerPort: number | null = null;
  onPacket: (opcode: number, msg: Buffer) => void = () => {};
  onPeerError: (code: number, message: string) => void = () => {};

  constructor(socket: Socket, address: string, requestPort: number) {
    this.socket = socket;
    this.address = address;
    this.requestPort = requestPort;
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
  }

  static async open(host: string, port: number): Promise<ClientChannel> {
    const { address } = await lookup(host);
    const socket = udpSocket(socketTypeFor(address));
    await bindSocket(socket, undefined, 0);
    return new ClientChannel(socket, address, port);
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (rinfo.address !== this.address) return; // not the server at all
    if (this.peerPort === null) this.peerPort = rinfo.port;
    else if (rinfo.port !== this.peerPort) {
      if (opcodeOf(msg) !== Opcode.ERROR) this.socket.send(encodeError(ErrorCode.unknownTransferId, Text.unknownTid), rinfo.port, rinfo.address);
      return;
    }
    const opcode = opcodeOf(msg);
    if (opcode === Opcode.ERROR) {
      const packet = parsePacket(msg);
      if (packet.kind === 'error') this.onPeerError(packet.code, packet.message);
      else this.onPeerError(ErrorCode.notDefined, 'malformed ERROR');
      return;
    }
    this.onPacket(opcode, msg);
  }

  send(buf: Buffer, offset: number, length: number): void {
    this.socket.send(buf, offset, length, this.peerPort ?? this.requestPort, this.address);
  }

  sendError(code: number, message: string): void {
    const packet = encodeError(code, message);
    this.send(packet, 0, packet.length);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

function requestFor(o: TftpClientOptions, tsize: number | undefined): ClientRequest {
  const timeoutMs = o.timeoutMs ?? 1000;
  return {
    blksize: o.blksize,
    windowsize: o.windowsize,
    timeoutS: o.sendTimeout ? Math.max(1, Math.min(255, Math.round(timeoutMs / 1000))) : undefined,
    tsize: (o.mode ?? 'octet') === 'octet' ? tsize : undefined,
  };
}

const noOptions: ClientAgreed = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutMs: null, tsize: null };

/**
 * Downloads REMOTE into `local`: a path (written to a temporary file, renamed when
 * complete) or a stream.
 */
export async function tftpGet(o: TftpClientOptions, remote: string, local: string | Writable): Promise<TransferResult> {
  const netascii = (o.mode ?? 'octet') === 'netascii';
  const channel = await ClientChannel.open(o.host, o.port ?? 69);
  let sink: FileSink | StreamSink;
  try {
    sink = typeof local === 'string' ? await FileSink.create({ path: local, netascii, maxBytes: Number.MAX_SAFE_INTEGER, mode: 0o644, sync: false }) : new StreamSink(local, netascii);
  } catch (error) {
    channel.close();
    throw error;
  }
  // Ask only for a window our receive buffer can hold.
  const windowsize = o.windowsize === undefined ? undefined : fitReceiveWindow(channel.socket, o.blksize ?? DEFAULT_BLKSIZE, o.windowsize);
  const request = requestFor({ ...o, windowsize }, 0);
  const options = clientOptions(request);
  const packet = encodeRequest(Opcode.RRQ, remote, o.mode ?? 'octet', options);
  const startedAt = Date.now();
  const timeoutMs = o.timeoutMs ?? 1000;
  const ack = Buffer.allocUnsafe(4);
  let agreed = noOptions;
  let receiver: WindowReceiver | null = null;
  const phase: Phase = { awaitingReply: true };

  try {
    return await new Promise<TransferResult>((resolve, reject) => {
      const fail = (error: unknown) => {
        timer.stop();
        reject(error);
      };
      const timer = new RetransmitTimer({
        timeoutMs,
        backoff: true,
        retries: o.retries ?? 5,
        onTimeout: () => {
          if (phase.awaitingReply) channel.send(packet, 0, packet.length);
          else receiver?.resendAck();
        },
        onGiveUp: () => fail(new TftpClientError(phase.awaitingReply ? 'no answer from the server' : 'transfer timed out', null)),
      });
      const startReceiving = (a: ClientAgreed) => {
        agreed = a;
        receiver = new WindowReceiver({
          blockSize: a.blksize,
          windowsize: a.windowsize,
          sink,
          sendAck: (block) => channel.send(writeAck(ack, block), 0, 4),
          repeatGapMs: timeoutMs / 2,
        });
      };
      channel.onPeerError = (code, message) => fail(new TftpClientError(`server: ${message} (error ${code})`, code));
      channel.onPacket = (opcode, msg) => {
        try {
          if (phase.awaitingReply) {
            phase.awaitingReply = false;
            if (opcode === Opcode.OACK) {
              const oack = parsePacket(msg);
              if (oack.kind !== 'oack') throw new TftpError(ErrorCode.optionRefused, Text.optionRefused);
              const accepted = acceptOack(request, oack.options);
              startReceiving(accepted);
              receiver!.resendAck(); // ACK 0 (RFC 2347)
              timer.progress();
              return;
            }
            startReceiving(noOptions); // no OACK: the server ignored the options (RFC 2347)
          }
          if (opcode !== Opcode.DATA || msg.length < 4 || receiver === null) return;
          const outcome = receiver.onData((msg[2]! << 8) | msg[3]!, msg.subarray(4));
          if (outcome === 'ignored') return;
          timer.progress();
          o.onProgress?.(receiver.octets, agreed.tsize);
          if (outcome === 'final') {
            receiver.resendAck();
            timer.stop();
            sink.commit().then(
              () => resolve({ octets: sink.bytes, ms: Date.now() - startedAt, blksize: agreed.blksize, windowsize: agreed.windowsize }),
              reject,
            );
          }
        } catch (error) {
          const e = error instanceof TftpError ? error : new TftpError(ErrorCode.notDefined, (error as Error).message);
          channel.sendError(e.code, e.message);
          fail(new TftpClientError(e.message, null));
        }
      };
      if (sink instanceof FileSink) sink.onError = (error) => {
        channel.sendError(ErrorCode.diskFull, Text.diskFull);
        fail(error);
      };
      channel.send(packet, 0, packet.length);
      timer.progress();
    });
  } catch (error) {
    await sink.abort();
    throw error;
  } finally {
    (receiver as WindowReceiver | null)?.stop();
    channel.close();
  }
}

/** Uploads the file at `local` as REMOTE. */
export async function tftpPut(o: TftpClientOptions, remote: string, local: string): Promise<TransferResult> {
  const netascii = (o.mode ?? 'octet') === 'netascii';
  const size = (await stat(local)).size;
  const file: FileHandle = await open(local, 'r');
  const request = requestFor(o, size);
  const packet = encodeRequest(Opcode.WRQ, remote, o.mode ?? 'octet', clientOptions(request));
  const timeoutMs = o.timeoutMs ?? 1000;
  let channel: ClientChannel | null = null;
  let sender: WindowSender | null = null;
  const startedAt = Date.now();
  try {
    channel = await ClientChannel.open(o.host, o.port ?? 69);
    const ch = channel;
    return await new Promise<TransferResult>((resolve, reject) => {
      let agreed = noOptions;
      const phase: Phase = { awaitingReply: true };
      const fail = (error: unknown) => {
        timer.stop();
        sender?.stop();
        reject(error);
      };
      const timer = new RetransmitTimer({
        timeoutMs,
        backoff: true,
        retries: o.retries ?? 5,
        onTimeout: () => {
          if (phase.awaitingReply) ch.send(packet, 0, packet.length);
          else sender?.retransmit();
        },
        onGiveUp: () => fail(new TftpClientError(phase.awaitingReply ? 'no answer from the server' : 'transfer timed out', null)),
      });
      const startSending = (a: ClientAgreed) => {
        agreed = a;
        const source = new BlockSource(file, { blockSize: a.blksize, windowsize: a.windowsize, netascii });
        sender = new WindowSender(source, a.windowsize, (buf, offset, length) => ch.send(buf, offset, length), (error) => {
          ch.sendError(ErrorCode.notDefined, 'client read error');
          fail(error);
        });
        timer.progress();
        sender.start();
      };
      ch.onPeerError = (code, message) => fail(new TftpClientError(`server: ${message} (error ${code})`, code));
      ch.onPacket = (opcode, msg) => {
        try {
          if (phase.awaitingReply) {
            if (opcode === Opcode.OACK) {
              phase.awaitingReply = false;
              const oack = parsePacket(msg);
              if (oack.kind !== 'oack') throw new TftpError(ErrorCode.optionRefused, Text.optionRefused);
              startSending(acceptOack(request, oack.options));
              return;
            }
            if (opcode === Opcode.ACK && msg.length >= 4 && msg.readUInt16BE(2) === 0) {
              phase.awaitingReply = false;
              startSending(noOptions);
            }
            return;
          }
          if (opcode !== Opcode.ACK || msg.length < 4 || sender === null) return;
          const outcome = (sender as WindowSender).onAck(msg.readUInt16BE(2));
          if (outcome === 'progress') {
            timer.progress();
            o.onProgress?.((sender as WindowSender).ackedOctets, netascii ? null : size);
          } else if (outcome === 'done') {
            timer.stop();
            const octets = (sender as WindowSender).ackedOctets;
            o.onProgress?.(octets, netascii ? null : size);
            resolve({ octets, ms: Date.now() - startedAt, blksize: agreed.blksize, windowsize: agreed.windowsize });
          }
        } catch (error) {
          const e = error instanceof TftpError ? error : new TftpError(ErrorCode.notDefined, (error as Error).message);
          ch.sendError(e.code, e.message);
          fail(new TftpClientError(e.message, null));
        }
      };
      ch.send(packet, 0, packet.length);
      timer.progress();
    });
  } finally {
    (sender as WindowSender | null)?.stop();
    channel?.close();
    await file.close();
  }
}
