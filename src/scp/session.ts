// One legacy SCP exec request: the state of the transfer, the reader over the
// channel's input, the status octets both ends exchange, and back-pressure on output.

import { once } from 'node:events';
import type { ByteChannel, ChannelPeer } from '../core/service/byte-channel.ts';
import { ByteReader, LineTooLongError } from '../core/net/byte-reader.ts';
import type { FileArea } from '../files/file-area.ts';
import type { TransferLog } from '../files/transfer-log.ts';
import { ACK_FATAL, ACK_OK, ACK_WARNING, formatStatus, parseRecord, SCP_LIMITS, ScpProtocolError, sanitizeMessage, type ScpCommand, type ScpRecord } from './wire.ts';

export type ScpState =
  | { name: 'starting' }
  | { name: 'receiving'; target: string }
  | { name: 'sending'; path: string }
  | { name: 'finished'; status: number };

/** The peer closed the channel or its input ended mid-transfer. */
export class PeerGoneError extends Error {
  constructor() {
    super('the peer went away');
    this.name = 'PeerGoneError';
  }
}

/** A status octet the peer sent in answer to ours: ok, or a warning/fatal message. */
export type PeerStatus = { ok: true } | { ok: false; fatal: boolean; message: string };

export interface ScpSessionOptions {
  fsync: boolean;
}

export class ScpSession {
  state: ScpState = { name: 'starting' };
  /** Warnings sent or received: the exit status is 1 when there was any (scp.c's errs). */
  errors = 0;
  readonly reader = new ByteReader();
  readonly command: ScpCommand;
  readonly channel: ByteChannel;
  readonly peer: ChannelPeer;
  readonly area: FileArea;
  readonly transfers: TransferLog;
  readonly options: ScpSessionOptions;

  constructor(command: ScpCommand, channel: ByteChannel, peer: ChannelPeer, area: FileArea, transfers: TransferLog, options: ScpSessionOptions) {
    this.command = command;
    this.channel = channel;
    this.peer = peer;
    this.area = area;
    this.transfers = transfers;
    this.options = options;
    const input = channel.input;
    input.on('data', (chunk: Buffer) => this.reader.push(chunk));
    input.on('end', () => this.reader.end());
    input.on('close', () => this.reader.end());
    input.on('error', (error) => this.reader.fail(error));
    channel.signal.addEventListener('abort', () => this.reader.fail(new PeerGoneError()), { once: true });
    this.reader.onSatiated = () => input.pause();
    this.reader.onDemand = () => input.resume();
  }

  /** Writes to the peer, waiting while the channel's window is full. */
  async write(data: Buffer): Promise<void> {
    if (this.channel.signal.aborted) throw new PeerGoneError();
    if (this.channel.output.write(data)) return;
    await once(this.channel.output, 'drain', { signal: this.channel.signal }).catch(() => {
      throw new PeerGoneError();
    });
  }

  ack(): Promise<void> {
    return this.write(Buffer.from([ACK_OK]));
  }

  /** A per-file failure: 0x01 and the message; the transfer goes on, the exit status becomes 1. */
  async warn(message: string): Promise<void> {
    this.errors++;
    await this.write(formatStatus(false, message));
  }

  /** A failure that ends the transfer: 0x02 and the message (the peer stops too). */
  async fatal(message: string): Promise<void> {
    this.errors++;
    await this.write(formatStatus(true, message));
  }

  /** The status octet the peer answers a record or a file with (scp.c's response()). */
  async readStatus(): Promise<PeerStatus> {
    const octet = await this.reader.readExact(1);
    if (!octet) throw new PeerGoneError();
    const code = octet[0]!;
    if (code === ACK_OK) return { ok: true };
    if (code !== ACK_WARNING && code !== ACK_FATAL) throw new ScpProtocolError(`unexpected status octet ${code}`);
    const line = await this.readLine();
    if (line === null) throw new PeerGoneError();
    this.errors++;
    return { ok: false, fatal: code === ACK_FATAL, message: sanitizeMessage(line.toString('utf8')) };
  }

  /** The next record from the peer; null when its input ends (between records that is the normal end). */
  async readRecord(): Promise<ScpRecord | null> {
    const line = await this.readLine();
    return line === null ? null : parseRecord(line);
  }

  private async readLine(): Promise<Buffer | null> {
    try {
      return await this.reader.readLine(SCP_LIMITS.maxLine);
    } catch (error) {
      if (error instanceof LineTooLongError) throw new ScpProtocolError('record line too long');
      throw error;
    }
  }

  /** Shows a diagnostic on the client's stderr (SSH extended data). */
  diagnostic(text: string): void {
    if (!this.channel.signal.aborted) this.channel.errors.write(`${sanitizeMessage(text)}\n`);
  }
}
