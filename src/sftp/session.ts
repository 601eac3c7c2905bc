// One SFTP session over a ByteChannel (draft-ietf-secsh-filexfer-02). Its state is
// "init" until SSH_FXP_INIT is answered with VERSION 3 and the OpenSSH extension pairs
// (§4), then "open", then "closed". The read loop frames the channel's octets and
// hands each request to the scheduler without waiting for it: many requests are in
// flight, and each is answered when it and every request before it are done: replies
// leave in request order. §6.1 would allow any order, but OpenSSH 9.2's client, writing a
// download in place (modern scp), truncates the file at the highest offset it received
// in order, so a READ reply that overtook an earlier one cut files short; OpenSSH's own
// sftp-server answers strictly in order too. The loop stops reading the channel
// (back-pressure, §3: "if the server's queues are full, it should not read any more
// data from the stream") while `max_in_flight` requests are pending or the channel's
// output holds more than a few replies (until it is down to one). Replies completed in
// one event-loop turn leave in one write.

import { once } from 'node:events';
import type { ByteChannel } from '../core/service/byte-channel.ts';
import { closeFile } from './commands/files.ts';
import { ADVERTISED } from './commands/index.ts';
import { attrsLength, FX, FXP, Framer, PacketReader, ReplyBuilder, utf8Length, type FrameError } from './wire.ts';
import type { Reply, SftpContext } from './commands/types.ts';
import { lookup, toStatus, type Status } from './dispatch.ts';
import { Scheduler, type Access } from './scheduler.ts';

/** The access of a job that touches no file (a parse-error reply): it waits for no request but a barrier. */
const NO_CONFLICT: Access = { key: '', start: 0, end: 0, write: false };

/** The protocol version this server speaks (draft-02 is version 3). */
export const SFTP_VERSION = 3;

export type SftpState = { name: 'init' } | { name: 'open'; clientVersion: number } | { name: 'closed'; reason: string };

export class SftpSession {
  state: SftpState = { name: 'init' };
  private readonly channel: ByteChannel;
  private readonly ctx: SftpContext;
  private readonly framer: Framer;
  private readonly scheduler: Scheduler;
  private readonly builder = new ReplyBuilder();
  private queue: Buffer[] = [];
  private flushScheduled = false;
  private outputBlocked = false;
  private outputWaiters: Array<() => void> = [];
  /**
   * Octets queued in the output above which no new request is read, and below which
   * reading resumes: a few replies' worth, so the channel never runs dry while the next
   * reads are on their way (waiting for 'drain', an empty queue, left gaps).
   */
  private readonly outputHigh: number;
  private readonly outputLow: number;
  private exitStatus = 0;
  /** Sequence number of the next request read, and of the next one whose reply may leave. */
  private nextSeq = 0;
  private emitSeq = 0;
  /** Requests whose reply is ready but waits for an earlier one, by sequence number. */
  private readonly inTurn = new Map<number, () => void>();

  constructor(channel: ByteChannel, ctx: SftpContext) {
    this.channel = channel;
    this.ctx = ctx;
    this.scheduler = new Scheduler((error) => this.ctx.log.error({ err: (error as Error)?.message }, 'sftp request task failed'));
    // As many pooled packet buffers as requests may be in flight, up to 32 (8 MiB with 256 KiB packets).
    this.framer = new Framer(ctx.limits.maxPacketLength, (b, s, e) => this.onPacket(b, s, e), (e) => this.onFrameError(e), Math.min(32, ctx.limits.maxInFlight));
    this.outputHigh = 4 * ctx.limits.maxPacketLength;
    this.outputLow = ctx.limits.maxPacketLength;
    channel.output.on('drain', () => this.unblockOutput());
    channel.output.on('error', (error: Error) => this.close(`output failed: ${error.message}`));
  }

  /** Whether the session gave up (read through a getter: callbacks change the state). */
  get closed(): boolean {
    return this.state.name === 'closed';
  }

  /** Runs until the client ends the channel (or breaks the protocol); then closes every handle and exits. */
  async run(): Promise<void> {
    const { input, signal } = this.channel;
    try {
      // Not destroyed when the loop ends: the channel must stay open for the exit status
      // (RFC 4254 §6.10) that exit() sends after the last replies.
      reading: for await (const chunk of input.iterator({ destroyOnReturn: false })) {
        const bytes = chunk as Buffer;
        for (let off = 0; ; ) {
          off = this.framer.push(bytes, off);
          if (this.closed) break reading;
          await this.waitForRoom();
          if (this.closed || signal.aborted) break reading;
          if (off >= bytes.length) break;
        }
      }
    } catch (error) {
      this.ctx.log.debug({ err: (error as Error).message }, 'sftp input ended');
    }
    await this.scheduler.idle();
    for (const h of this.ctx.handles.drain()) {
      if (h.kind === 'file') await closeFile(this.ctx, h, 'aborted').catch(() => {});
      else await h.dir.close().catch(() => {});
    }
    this.flush();
    if (this.state.name !== 'closed') this.state = { name: 'closed', reason: 'end of input' };
    if (!signal.aborted) this.channel.exit(this.exitStatus);
  }

  private async waitForRoom(): Promise<void> {
    const { output, signal } = this.channel;
    for (;;) {
      if (this.state.name === 'closed' || signal.aborted) return;
      if (this.outputBlocked) {
        const unblocked = new Promise<void>((resolve) => this.outputWaiters.push(resolve));
        try {
          await Promise.race([unblocked, once(signal, 'abort')]);
        } catch {
          return;
        }
        continue;
      }
      if (this.scheduler.size >= this.ctx.limits.maxInFlight) {
        await this.scheduler.change();
        continue;
      }
      return;
    }
  }

  /** Ends the session after a protocol error (a packet the stream cannot recover from). */
  private close(reason: string): void {
    if (this.state.name === 'closed') return;
    this.ctx.log.info({ reason }, 'sftp session closed');
    this.state = { name: 'closed', reason };
    this.exitStatus = 1;
  }

  private onFrameError(e: FrameError): void {
    if (e.kind === 'too-long' && e.head.length >= 5 && this.state.name === 'open') {
      // Name the request, so the client knows why, before the stream is given up.
      this.sendStatus(e.head.readUInt32BE(1), { code: FX.BAD_MESSAGE, message: `Bad message: packet of ${e.length} octets exceeds ${this.ctx.limits.maxPacketLength}` });
    }
    this.close(e.kind === 'empty' ? 'empty packet' : `packet of ${e.length} octets`);
  }

  /** Handles one packet; false when the framer should stop for now (too much in flight, output full). */
  private onPacket(buf: Buffer, start: number, end: number): boolean {
    this.handlePacket(buf, start, end);
    return !this.closed && !this.outputBlocked && this.scheduler.size < this.ctx.limits.maxInFlight;
  }

  /** Dispatches one packet and gives its buffer back to the framer unless a request in flight holds it. */
  private handlePacket(buf: Buffer, start: number, end: number): void {
    if (!this.dispatchPacket(buf, start, end)) this.framer.release(buf);
  }

  /** Returns whether `buf` is still in use (by a request in flight). */
  private dispatchPacket(buf: Buffer, start: number, end: number): boolean {
    if (this.state.name === 'closed') return false;
    const type = buf[start]!;
    if (this.state.name === 'init') {
      // §4: the first packet is SSH_FXP_INIT with the client's version.
      if (type !== FXP.INIT || end - start < 5) {
        this.close('first packet is not SSH_FXP_INIT');
        return false;
      }
      const clientVersion = buf.readUInt32BE(start + 1);
      this.state = { name: 'open', clientVersion };
      this.sendVersion();
      return false;
    }
    if (type === FXP.INIT) {
      this.close('second SSH_FXP_INIT');
      return false;
    }
    if (end - start < 5) {
      this.close('packet without a request id');
      return false;
    }
    const id = buf.readUInt32BE(start + 1);
    const seq = this.nextSeq++;
    const r = new PacketReader(buf, start + 5, end);
    let cmd;
    let args: unknown;
    try {
      cmd = lookup(type, r);
      args = cmd.parse(r);
    } catch (error) {
      const status = toStatus(error);
      // A job like any other, so a reply held for its turn (behind a slow request) counts
      // against max_in_flight: a stream of malformed packets cannot grow memory unbounded.
      this.scheduler.submit(NO_CONFLICT, () => new Promise<void>((resolve) => this.whenTurn(seq, () => {
        this.emitInTurn(() => this.sendStatus(id, status));
        resolve();
      })));
      return false;
    }
    const command = cmd;
    const access = command.access ? command.access(this.ctx, args) : null;
    // The job lasts until its reply has left, so replies waiting for their turn count
    // as requests in flight (bounded by max_in_flight).
    this.scheduler.submit(access, async () => {
      let emit: () => void;
      try {
        const reply = await command.run(this.ctx, args, id);
        emit = () => this.send(id, reply);
      } catch (error) {
        const status = toStatus(error);
        if (status.unexpected) this.ctx.log.warn({ err: (error as Error)?.message, request: command.name }, 'sftp request failed');
        emit = () => this.sendStatus(id, status);
      } finally {
        // Nothing refers to the request's octets any more (replies are built from copies).
        this.framer.release(buf);
      }
      await new Promise<void>((resolve) => this.whenTurn(seq, resolve));
      this.emitInTurn(emit);
    });
    return true;
  }

  /** Calls `ready` once every request read before request `seq` has been answered. */
  private whenTurn(seq: number, ready: () => void): void {
    if (seq === this.emitSeq) ready();
    else this.inTurn.set(seq, ready);
  }

  /** Sends the reply whose turn it is, then lets the next request's reply go. */
  private emitInTurn(emit: () => void): void {
    try {
      emit();
    } finally {
      this.emitSeq++;
      const next = this.inTurn.get(this.emitSeq);
      if (next) {
        this.inTurn.delete(this.emitSeq);
        next();
      }
    }
  }

  private sendVersion(): void {
    let room = 4;
    for (const [name, value] of ADVERTISED) room += 8 + utf8Length(name) + utf8Length(value);
    const b = this.builder.begin(FXP.VERSION, room).u32(SFTP_VERSION);
    for (const [name, value] of ADVERTISED) b.text(name).text(value);
    b.end();
    this.scheduleFlush();
  }

  private sendStatus(id: number, status: Status): void {
    // §7: id, code, message, language tag (empty).
    this.builder.begin(FXP.STATUS, 16 + utf8Length(status.message)).u32(id).u32(status.code).text(status.message).text('').end();
    this.scheduleFlush();
  }

  private send(id: number, reply: Reply): void {
    if (this.state.name === 'closed' && this.channel.signal.aborted) return;
    const b = this.builder;
    switch (reply.kind) {
      case 'status':
        return this.sendStatus(id, reply);
      case 'handle':
        b.begin(FXP.HANDLE, 8 + utf8Length(reply.handle)).u32(id).text(reply.handle).end();
        break;
      case 'data':
        if (b.pending) this.queue.push(b.take());
        this.queue.push(reply.packet);
        break;
      case 'attrs':
        b.begin(FXP.ATTRS, 4 + 32).u32(id).attrs(reply.attrs).end();
        break;
      case 'name': {
        let room = 8;
        for (const e of reply.entries) room += 8 + utf8Length(e.filename) + utf8Length(e.longname) + attrsLength(e.attrs);
        b.begin(FXP.NAME, room).u32(id).u32(reply.entries.length);
        for (const e of reply.entries) b.text(e.filename).text(e.longname).attrs(e.attrs);
        b.end();
        break;
      }
      case 'extended':
        b.begin(FXP.EXTENDED_REPLY, 4 + reply.room).u32(id);
        reply.write(b);
        b.end();
        break;
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Every reply completed in this turn of the event loop leaves in the same write.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.builder.pending) this.queue.push(this.builder.take());
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    const { output, signal } = this.channel;
    if (signal.aborted || output.destroyed) return;
    for (const chunk of queue) output.write(chunk, this.onWritten);
    if (output.writableLength > this.outputHigh) this.outputBlocked = true;
  }

  private readonly onWritten = (): void => {
    if (this.outputBlocked && this.channel.output.writableLength <= this.outputLow) this.unblockOutput();
  };

  private unblockOutput(): void {
    this.outputBlocked = false;
    const waiters = this.outputWaiters;
    this.outputWaiters = [];
    for (const w of waiters) w();
  }
}
