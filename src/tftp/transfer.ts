// What every server-side transfer shares: its own UDP socket (the server's TID,
// RFC 1350 §4), the client's TID, the retransmission timer and the way a transfer
// ends. A packet from any other address or port gets ERROR 5 and changes nothing
// (RFC 1350 §4: "not disturbing the transfer"); an ERROR from the client ends the
// transfer silently (errors are never acknowledged, RFC 1350 §7).

import type { Socket, RemoteInfo } from 'node:dgram';
import type { Logger } from 'pino';
import { ErrorCode, Text, tftpRefusal, toTftpError } from './replies.ts';
import { RetransmitTimer } from './retransmit-timer.ts';
import { encodeError, opcodeOf, Opcode } from './wire.ts';

export interface TransferContext {
  socket: Socket;
  peerAddress: string;
  peerPort: number;
  log: Logger;
  timeoutMs: number;
  /** false when the client chose the timeout (RFC 2349): no backoff then. */
  backoff: boolean;
  retries: number;
}

export type TransferEnd = 'complete' | 'failed' | 'peer-error' | 'timed-out' | 'aborted';

const unknownTidPacket = encodeError(ErrorCode.unknownTransferId, Text.unknownTid);

export abstract class Transfer {
  protected readonly socket: Socket;
  protected readonly peerAddress: string;
  protected readonly peerPort: number;
  protected readonly log: Logger;
  protected readonly timer: RetransmitTimer;
  protected readonly timeoutMs: number;
  /** running → (lingering, answering a repeated final DATA) → closed. */
  private lifecycle: 'running' | 'lingering' | 'closed' = 'running';
  private resolveDone!: (end: TransferEnd) => void;
  /** Settles when the transfer is over (the socket may linger a moment for a final ACK). */
  readonly done: Promise<TransferEnd>;
  readonly startedAt = Date.now();

  constructor(ctx: TransferContext) {
    this.socket = ctx.socket;
    this.peerAddress = ctx.peerAddress;
    this.peerPort = ctx.peerPort;
    this.log = ctx.log;
    this.timeoutMs = ctx.timeoutMs;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.timer = new RetransmitTimer({
      timeoutMs: ctx.timeoutMs,
      backoff: ctx.backoff,
      retries: ctx.retries,
      onTimeout: () => this.guard(() => this.onTimeout()),
      onGiveUp: () => this.giveUp(),
    });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', (error) => {
      this.log.debug({ err: error.message }, 'transfer socket error');
      this.end('failed');
    });
  }

  get isEnded(): boolean {
    return this.lifecycle !== 'running';
  }

  /** Sends the first packet. */
  abstract begin(): void;
  /** A packet from the client's TID (not an ERROR). */
  protected abstract onPacket(opcode: number, msg: Buffer): void;
  protected abstract onTimeout(): void;
  /** Releases files; called once when the transfer ends. */
  protected abstract cleanup(end: TransferEnd): Promise<void>;

  protected send(buf: Buffer, offset: number, length: number): void {
    this.socket.send(buf, offset, length, this.peerPort, this.peerAddress);
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.lifecycle === 'closed') return;
    if (rinfo.port !== this.peerPort || rinfo.address !== this.peerAddress) {
      // RFC 1350 §4: an error to the stranger, the transfer goes on. Never answer an ERROR.
      if (opcodeOf(msg) !== Opcode.ERROR) this.socket.send(unknownTidPacket, rinfo.port, rinfo.address);
      return;
    }
    if (msg.length < 4) return; // a runt from the client: as if lost (every valid packet has 4 octets)
    const opcode = opcodeOf(msg);
    if (opcode === Opcode.ERROR) {
      if (this.lifecycle !== 'running') return;
      this.log.debug({ code: msg.length >= 4 ? msg.readUInt16BE(2) : null }, 'client sent ERROR');
      this.end('peer-error');
      return;
    }
    this.guard(() => this.onPacket(opcode, msg));
  }

  /** Runs a step; any error becomes an ERROR packet to the client and the end. */
  protected guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Tells the client why (ERROR 0 and a log line for anything unexpected) and ends. */
  fail(error: unknown): void {
    if (this.lifecycle !== 'running') return;
    const tftpError = toTftpError(error);
    if (tftpError.code === ErrorCode.notDefined) this.log.error({ err: error }, 'transfer failed');
    else this.log.info({ code: tftpError.code, reason: tftpError.detail ?? tftpError.message }, 'transfer refused');
    const packet = tftpError.toPacket();
    this.send(packet, 0, packet.length);
    this.end('failed');
  }

  /** Ends with ERROR 0 "shutting down" (server close). */
  abort(): void {
    if (this.lifecycle !== 'running') return;
    const packet = tftpRefusal('shutting-down').toPacket();
    this.send(packet, 0, packet.length);
    this.end('aborted');
  }

  private giveUp(): void {
    if (this.lifecycle !== 'running') return;
    // The client may be gone; if not, it learns why.
    const packet = encodeError(ErrorCode.notDefined, Text.timedOut);
    this.send(packet, 0, packet.length);
    this.end('timed-out');
  }

  /**
   * Ends the transfer. With lingerMs the socket stays open that long to answer a
   * retransmitted final DATA (RFC 1350 §6, the "dallying" receiver).
   */
  protected end(end: TransferEnd, lingerMs = 0): void {
    if (this.lifecycle !== 'running') return;
    this.lifecycle = 'lingering';
    this.timer.stop();
    const close = () => {
      this.lifecycle = 'closed';
      try {
        this.socket.close();
      } catch {
        // already closed
      }
    };
    this.cleanup(end)
      .catch((error: unknown) => this.log.error({ err: error }, 'transfer clean-up failed'))
      .finally(() => {
        if (lingerMs > 0) setTimeout(close, lingerMs).unref();
        else close();
        this.resolveDone(end);
      });
  }
}
