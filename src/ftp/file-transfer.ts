// Moving a file's bytes over a data connection, in both directions, streaming with
// backpressure so memory stays flat whatever the size. TYPE I/L in stream mode and
// file structure (what nearly every client uses) is a plain pipe with large reads;
// everything else runs through the codec pipeline of data/. The plain copy is
// files/socket-pump.ts (reused buffers, batched writes); the bandwidth limiter, when
// configured, sends even plain copies through the general path.

import type { FileHandle } from 'node:fs/promises';
import { open, truncate } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Socket } from 'node:net';
import { isPlainCopy, type TransferParams } from './data/events.ts';
import { ReceivePipeline, SendPipeline } from './data/pipeline.ts';
import type { BandwidthLimiter, QuotaTracker } from '../files/limits.ts';
import { PUMP_CHUNK, pumpFileToSocket, pumpSocketToFile } from '../files/socket-pump.ts';

export interface Progress {
  /** Stored octets moved so far (downloads: read from disk; uploads: written). */
  bytes: number;
}

export interface SendFileOptions {
  path: string;
  start: number;
  params: TransferParams;
  socket: Socket;
  progress: Progress;
  signal: AbortSignal;
  markerInterval: number;
  limiter: BandwidthLimiter | null;
}

/** Sends a stored file; resolves once every octet is handed to the kernel and EOF sent. */
export async function sendFile(o: SendFileOptions): Promise<void> {
  if (isPlainCopy(o.params) && !o.limiter) {
    // The hot path: reused buffers straight into the socket, no transform in between.
    const handle = await open(o.path, 'r');
    try {
      const sizeHint = (await handle.stat()).size;
      await pumpFileToSocket({ handle, start: o.start, sizeHint, socket: o.socket, signal: o.signal, onBytes: (n) => (o.progress.bytes += n) });
    } finally {
      await handle.close().catch(() => {});
    }
    await endSocket(o.socket);
    return;
  }
  const source = createReadStream(o.path, { start: o.start, highWaterMark: PUMP_CHUNK });
  try {
    const codec = new SendPipeline(o.params, { startOffset: o.start, markerInterval: o.markerInterval });
    for await (const chunk of source) {
      o.signal.throwIfAborted();
      const buffer = chunk as Buffer;
      await o.limiter?.take(buffer.length);
      await writeAll(o.socket, codec.push(buffer));
      o.progress.bytes += buffer.length;
    }
    await writeAll(o.socket, codec.end());
    await endSocket(o.socket);
  } finally {
    source.destroy();
  }
}

/** Sends a listing or other generated text through the transfer's codecs. */
export async function sendText(socket: Socket, params: TransferParams, text: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const codec = new SendPipeline(params);
  await writeAll(socket, [...codec.push(Buffer.from(text, 'utf8')), ...codec.end()]);
  await endSocket(socket);
}

export interface ReceiveFileOptions {
  path: string;
  /** 'w' new/overwrite, 'a' append, 'r+' resume at `start`. */
  flags: 'w' | 'a' | 'r+' | 'wx';
  start: number;
  params: TransferParams;
  socket: Socket;
  progress: Progress;
  signal: AbortSignal;
  quota: QuotaTracker;
  limiter: BandwidthLimiter | null;
  fsync: boolean;
  /** RFC 959 §3.5: a restart marker arrived; `offset` is where the stored file stands. */
  onMark(marker: string, offset: number): void;
}

/**
 * Receives into a stored file. Resolves when the sender's EOF has arrived and every
 * octet is written (and fsynced when asked); rejects when the data connection fails
 * or ends without the EOF its mode requires.
 */
export async function receiveFile(o: ReceiveFileOptions): Promise<void> {
  if (o.flags === 'r+') await truncate(o.path, o.start);
  // Uploads are owner-only, as vsftpd's local_umask 077 (src/core/os/private-files.ts).
  const handle = await open(o.path, o.flags, 0o600);
  try {
    if (isPlainCopy(o.params) && !o.limiter) {
      // The hot path: socket chunks written in batches straight to the file handle.
      const onBytes = (n: number) => {
        o.quota.add(n);
        o.progress.bytes += n;
      };
      await pumpSocketToFile({ socket: o.socket, handle, position: o.flags === 'a' ? null : o.start, signal: o.signal, onBytes });
    } else {
      await receiveDecoded(handle, o.flags === 'a' ? null : o.start, o);
    }
    // 226 promises the file is complete (and synced when asked).
    if (o.fsync) await handle.sync();
  } finally {
    await handle.close().catch(() => {});
  }
}

async function receiveDecoded(handle: FileHandle, start: number | null, o: ReceiveFileOptions): Promise<void> {
  const codec = new ReceivePipeline(o.params);
  let position = start;
  const write = async (bytes: Buffer) => {
    o.quota.add(bytes.length);
    await handle.write(bytes, 0, bytes.length, position);
    if (position !== null) position += bytes.length;
    o.progress.bytes += bytes.length;
  };
  const drain = async (items: ReturnType<ReceivePipeline['push']>) => {
    let pending: Buffer[] = [];
    for (const item of items) {
      if (item.kind === 'bytes') pending.push(item.bytes);
      else if (item.kind === 'mark') {
        if (pending.length) await write(Buffer.concat(pending));
        pending = [];
        o.onMark(item.marker, (start ?? 0) + o.progress.bytes);
      }
    }
    if (pending.length) await write(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
  };
  for await (const chunk of o.socket) {
    o.signal.throwIfAborted();
    await o.limiter?.take((chunk as Buffer).length);
    await drain(codec.push(chunk as Buffer));
  }
  o.signal.throwIfAborted();
  await drain(codec.end());
}

async function writeAll(socket: Socket, chunks: Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    if (socket.destroyed) throw new Error('data connection closed');
    if (!socket.write(chunk)) await drained(socket);
  }
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('data connection closed'));
    const onError = (error: Error) => done(error);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
    socket.on('error', onError);
  });
}

/** Half-closes (stream mode EOF) and waits until everything written has left. */
function endSocket(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.writableFinished) return resolve();
    socket.once('error', reject);
    socket.end(() => {
      socket.off('error', reject);
      resolve();
    });
  });
}
