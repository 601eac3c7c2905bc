// The receiving side's file writer. Blocks are copied into 256 KiB chunks that are
// written in order, one write at a time; the transfer withholds its next ACK while
// too much is queued (`congested`), so a slow disk slows the sender instead of
// filling memory. Data goes to a temporary file next to the target, renamed over
// it only when the transfer completes: a failed upload leaves the old file intact.

import { open, rename, unlink, chmod, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NetasciiDecoder } from './netascii.ts';
import { ErrorCode, TftpError, Text } from './replies.ts';

const CHUNK = 256 * 1024;
const HIGH_WATER = 2 * CHUNK;

export interface FileSinkOptions {
  /** Final path; the temporary file is created in the same folder. */
  path: string;
  netascii: boolean;
  /** Octets allowed (after netascii decoding); beyond them write() throws ERROR 3. */
  maxBytes: number;
  /** Permission bits of the finished file. */
  mode: number;
  /** fdatasync before the rename (the server's final ACK means "stored"). */
  sync: boolean;
}

export class FileSink {
  private readonly o: FileSinkOptions;
  private readonly handle: FileHandle;
  private readonly tempPath: string;
  private readonly decoder: NetasciiDecoder | null;
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private position = 0;
  private failure: unknown = null;
  private drainWaiters: (() => void)[] = [];
  private closed = false;
  /** Octets accepted so far (as stored). */
  bytes = 0;
  /** Called once if a background write fails. */
  onError: (error: unknown) => void = () => {};

  private constructor(o: FileSinkOptions, handle: FileHandle, tempPath: string) {
    this.o = o;
    this.handle = handle;
    this.tempPath = tempPath;
    this.decoder = o.netascii ? new NetasciiDecoder() : null;
  }

  static async create(o: FileSinkOptions): Promise<FileSink> {
    const tempPath = join(dirname(o.path), `.${basename(o.path)}.${randomBytes(6).toString('hex')}.part`);
    const handle = await open(tempPath, 'wx', o.mode);
    return new FileSink(o, handle, tempPath);
  }

  get congested(): boolean {
    return this.queuedBytes >= HIGH_WATER;
  }

  /** Calls back once the queue is below the high-water mark. */
  onDrain(callback: () => void): void {
    if (!this.congested) callback();
    else this.drainWaiters.push(callback);
  }

  /** Copies the payload (the caller's buffer may be reused). */
  write(payload: Buffer): void {
    const data = this.decoder ? this.decoder.decode(payload) : payload;
    this.bytes += data.length;
    if (this.bytes > this.o.maxBytes) throw new TftpError(ErrorCode.diskFull, Text.tooLarge, `upload over ${this.o.maxBytes} octets`);
    let at = 0;
    while (at < data.length) {
      const n = Math.min(data.length - at, CHUNK - this.used);
      data.copy(this.chunk, this.used, at, at + n);
      this.used += n;
      at += n;
      if (this.used === CHUNK) this.enqueueChunk();
    }
  }

  private enqueueChunk(): void {
    if (this.used === 0) return;
    const full = this.used === CHUNK ? this.chunk : this.chunk.subarray(0, this.used);
    this.queue.push(full);
    this.queuedBytes += full.length;
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.failure !== null) return;
    const buf = this.queue[0];
    if (buf === undefined) return this.releaseWaiters();
    this.writing = true;
    this.writeAll(buf).then(
      () => {
        this.writing = false;
        this.queue.shift();
        this.queuedBytes -= buf.length;
        if (!this.congested) this.releaseWaiters();
        this.pump();
      },
      (error: unknown) => {
        this.writing = false;
        this.failure = error;
        this.onError(error);
        this.releaseWaiters(); // a commit() waiting sees the failure
      },
    );
  }

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private async writeAll(buf: Buffer): Promise<void> {
    let at = 0;
    while (at < buf.length) {
      const { bytesWritten } = await this.handle.write(buf, at, buf.length - at, this.position);
      at += bytesWritten;
      this.position += bytesWritten;
    }
  }

  /** Writes the rest, closes and renames into place. */
  async commit(): Promise<void> {
    if (this.decoder) {
      const tail = this.decoder.flush();
      if (tail.length > 0) this.write(tail);
    }
    this.enqueueChunk();
    while (this.queue.length > 0 && this.failure === null) {
      await new Promise<void>((resolve) => {
        this.drainWaiters.push(resolve);
        this.pump();
      });
    }
    if (this.failure !== null) throw this.failure;
    if (this.o.sync) await this.handle.datasync();
    this.closed = true;
    await this.handle.close();
    // open() honoured the umask; the finished file gets the intended bits.
    await chmod(this.tempPath, this.o.mode);
    await rename(this.tempPath, this.o.path);
  }

  /** Drops the upload: the temporary file goes, the target is untouched. */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => {});
    }
    await unlink(this.tempPath).catch(() => {});
  }
}
