// Message bodies as files: <dataDir>/blobs/xx/<id>, id = 32 random hex digits and
// xx its first two. A writer fills ".tmp-<pid>-<id>" in the same folder and commit()
// makes it durable (fdatasync), renames it into place and fsyncs the folder, so a
// blob either exists whole under its name or not at all. Metadata refers to a blob
// only after commit(); a crash before that leaves at most a temp file, which the
// next open removes. All I/O here is async and runs on the main thread.
//
// Small bodies are kept in a BodyCache (store.body_cache_bytes) when they are delivered
// and when they are read, so reading them again costs no file I/O; a small body that is
// not cached is read whole in one thread-pool round trip (readFile: open, read and close
// in one job) and cached. Larger ones stream from the file in 64 KiB reads through a
// descriptor kept open for the next read of the same body (open-blob-files.ts).

import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Logger } from '../../log/logger.ts';
import type { BodyCache } from '../body-cache.ts';
import { BLOB_ID_PATTERN } from '../names.ts';
import { StoreError, type BlobStore, type BlobWriter } from '../types.ts';
import { makePrivateDirs, PRIVATE_FILE_MODE } from '../../os/private-files.ts';
import { DirectorySyncer } from './directory-sync.ts';
import { leasedRead, OpenBlobFiles } from './open-blob-files.ts';

/** Small writes are gathered up to this size before they reach the file. */
const WRITE_BUFFER_BYTES = 64 * 1024;
const TEMP_PREFIX = '.tmp-';
/** A temp file whose writer process is alive is left alone unless it is this old. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

const isNotFound = (error: unknown): boolean => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

export interface FileBlobStoreOptions {
  directory: string;
  fsync: boolean;
  log?: Logger;
  /** Recently delivered and read small bodies; none when absent. */
  cache?: BodyCache;
  /** Descriptors of bodies kept open between reads (config store.open_body_files; default 64). */
  openFiles?: number;
}

export class FileBlobStore implements BlobStore {
  private readonly directory: string;
  private readonly fsync: boolean;
  private readonly syncer = new DirectorySyncer();
  private readonly cache: BodyCache | undefined;
  private readonly files: OpenBlobFiles;

  constructor(options: FileBlobStoreOptions) {
    this.directory = options.directory;
    this.fsync = options.fsync;
    this.cache = options.cache;
    this.files = new OpenBlobFiles(options.openFiles ?? 64);
  }

  /** Closes the descriptors kept for reading (those being read close when their reads end). */
  close(): void {
    this.files.closeIdle();
  }

  /** Creates the 256 fan-out folders and removes temp files left by dead writers. */
  async open(log?: Logger): Promise<void> {
    await makePrivateDirs(this.directory);
    let removed = 0;
    for (const folder of fanOutFolders(this.directory)) {
      await makePrivateDirs(folder);
      for (const name of await readdir(folder)) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const file = path.join(folder, name);
        if (await isAbandonedTemp(name, file)) {
          await unlink(file).catch((error) => { if (!isNotFound(error)) throw error; });
          removed++;
        }
      }
    }
    if (removed > 0) log?.info({ removed }, 'removed unfinished message bodies');
  }

  private pathOf(blobId: string): string {
    if (!BLOB_ID_PATTERN.test(blobId)) throw new StoreError('not-found', `no blob ${JSON.stringify(blobId)}`);
    return path.join(this.directory, blobId.slice(0, 2), blobId);
  }

  async create(): Promise<BlobWriter> {
    const blobId = randomBytes(16).toString('hex');
    const finalPath = this.pathOf(blobId);
    const tempPath = path.join(path.dirname(finalPath), `${TEMP_PREFIX}${process.pid}-${blobId}`);
    const cache = this.cache;
    // A body delivered in one write is cached as it commits: new mail is read soonest.
    const committed = cache ? (id: string, data: Buffer) => cache.set(id, data) : undefined;
    return new FileBlobWriter(blobId, tempPath, finalPath, this.fsync, this.syncer, committed);
  }

  inMemory(blobId: string): Buffer | undefined {
    return this.cache?.get(blobId);
  }

  read(blobId: string, range?: { start: number; end: number }, size?: number): Readable {
    let file: string;
    try {
      file = this.pathOf(blobId);
    } catch (error) {
      return new Readable({ read() { this.destroy(error as Error); } });
    }
    const start = Math.max(0, range?.start ?? 0);
    if (range && range.end <= start) return Readable.from([], { objectMode: false });
    const cached = this.cache?.get(blobId) ?? (size !== undefined && this.cache?.accepts(size) ? this.readAll(blobId) : undefined);
    if (cached) return sliceStream(cached, start, range?.end);
    // One read for a small message (no second read to find EOF); 64 KiB reads for big
    // ones (larger reads raised the peak memory of a 50 MB RETR by half the message).
    const chunk = range ? Math.min(Math.max(range.end - start, 16 * 1024), 64 * 1024) : 64 * 1024;
    return leasedRead(this.files, blobId, file, start, range?.end, chunk);
  }

  async readAll(blobId: string): Promise<Buffer> {
    const cached = this.cache?.get(blobId);
    if (cached) return cached;
    try {
      const data = await readFile(this.pathOf(blobId));
      this.cache?.set(blobId, data);
      return data;
    } catch (error) {
      if (isNotFound(error)) throw new StoreError('not-found', `no blob ${blobId}`);
      throw error;
    }
  }

  async delete(blobId: string): Promise<void> {
    if (!BLOB_ID_PATTERN.test(blobId)) return;
    this.cache?.delete(blobId);
    this.files.drop(blobId);
    // No directory fsync: if the unlink is lost in a crash, the file is unreferenced garbage.
    await unlink(this.pathOf(blobId)).catch((error) => { if (!isNotFound(error)) throw error; });
  }
}

/** Octets [start, end) of a body in memory (or being read whole), as a stream of one chunk. */
function sliceStream(body: Buffer | Promise<Buffer>, start: number, end: number | undefined): Readable {
  const slice = (data: Buffer) => data.subarray(Math.min(start, data.length), Math.min(end ?? data.length, data.length));
  if (Buffer.isBuffer(body)) return Readable.from([slice(body)], { objectMode: false });
  body.catch(() => {}); // a stream nobody reads must not leave an unhandled rejection
  let started = false;
  return new Readable({
    read() {
      if (started) return;
      started = true;
      body.then(
        (data) => {
          const part = slice(data);
          if (part.length > 0) this.push(part);
          this.push(null);
        },
        (error: Error) => this.destroy(error),
      );
    },
  });
}

/** The 256 folders "00".."ff" under the blob directory. */
export function fanOutFolders(directory: string): string[] {
  return Array.from({ length: 256 }, (_, i) => path.join(directory, i.toString(16).padStart(2, '0')));
}

/** ".tmp-<pid>-<id>": abandoned when that process is gone, or the file is very old. */
async function isAbandonedTemp(name: string, file: string): Promise<boolean> {
  const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[0]);
  if (Number.isSafeInteger(pid) && pid > 0 && !isProcessAlive(pid)) return true;
  try {
    return Date.now() - (await stat(file)).mtimeMs > STALE_TEMP_MS;
  } catch {
    return false;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

class FileBlobWriter implements BlobWriter {
  private readonly blobId: string;
  private readonly tempPath: string;
  private readonly finalPath: string;
  private readonly fsync: boolean;
  private readonly syncer: DirectorySyncer;
  private readonly committed: ((blobId: string, data: Buffer) => void) | undefined;
  /** The whole body, when it went to the file in one write (small messages). */
  private whole: Buffer | null = null;
  private handle: FileHandle | null = null;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private written = 0;
  private state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';

  constructor(blobId: string, tempPath: string, finalPath: string, fsync: boolean, syncer: DirectorySyncer, committed?: (blobId: string, data: Buffer) => void) {
    this.blobId = blobId;
    this.tempPath = tempPath;
    this.finalPath = finalPath;
    this.fsync = fsync;
    this.syncer = syncer;
    this.committed = committed;
  }

  get size(): number {
    return this.written;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.state !== 'open') throw new StoreError('invalid', `write to a ${this.state} blob`);
    // Copied: the caller may reuse its buffer as soon as write() resolves.
    this.buffered.push(Buffer.from(chunk));
    this.bufferedBytes += chunk.length;
    this.written += chunk.length;
    // Backpressure: the caller waits while a full buffer goes to the file.
    if (this.bufferedBytes >= WRITE_BUFFER_BYTES) await this.flush();
  }

  async commit(): Promise<{ blobId: string; size: number }> {
    if (this.state !== 'open') throw new StoreError('invalid', `commit of a ${this.state} blob`);
    this.state = 'committing';
    try {
      await this.flush();
      const handle = await this.fileHandle();
      if (this.fsync) await handle.datasync();
      await handle.close();
      this.handle = null;
      await rename(this.tempPath, this.finalPath);
      if (this.fsync) await this.syncer.sync(path.dirname(this.finalPath));
      this.state = 'committed';
      if (this.whole?.length === this.written) this.committed?.(this.blobId, this.whole);
      this.whole = null;
      return { blobId: this.blobId, size: this.written };
    } catch (error) {
      this.state = 'open';
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'committing') return;
    this.state = 'aborted';
    this.buffered = [];
    this.bufferedBytes = 0;
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }

  private async fileHandle(): Promise<FileHandle> {
    // Opened lazily: a small message costs one open at commit, not two round trips.
    if (this.handle) return this.handle;
    // Owner-only from the first byte: message bodies are private (see private-files.ts).
    const handle = await open(this.tempPath, 'wx', PRIVATE_FILE_MODE);
    if (this.state === 'aborted') {
      // abort() ran while the file was being opened: leave nothing behind.
      await handle.close();
      await unlink(this.tempPath).catch(() => {});
      throw new StoreError('invalid', 'blob aborted');
    }
    this.handle = handle;
    return handle;
  }

  private async flush(): Promise<void> {
    if (this.bufferedBytes === 0) return;
    const data = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedBytes);
    this.whole = this.committed && data.length === this.written ? data : null;
    this.buffered = [];
    this.bufferedBytes = 0;
    const handle = await this.fileHandle();
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
      offset += bytesWritten;
    }
  }
}
