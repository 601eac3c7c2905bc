// Descriptors of message bodies kept open between reads (store.open_body_files), least
// recently used closed first. A body too large for the body cache is read in parts:
// FETCH BODYSTRUCTURE then BODY[1] and BODY[2], or a client's chunked download
// (BODY[]<0.65536>, BODY[]<65536.65536>, ...). With its descriptor kept, each part is
// one pread in the thread pool instead of an open, a read and a close.
//
// The bound is on descriptors kept while nobody reads them; one in use is never closed
// under its reader (each concurrent stream needs one anyway), so the count of open
// descriptors is at most the bound plus the streams in progress. Blobs never change
// once committed, so a descriptor stays valid; delete() drops it (Linux keeps an
// unlinked file readable through an open descriptor until the last reader is done).

import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StoreError } from '../types.ts';

interface Entry {
  handle: Promise<FileHandle>;
  readers: number;
  /** Dropped from the table (evicted or deleted): closes when the last reader is done. */
  dropped: boolean;
}

export interface BlobFileLease {
  readonly handle: FileHandle;
  release(): void;
}

export class OpenBlobFiles {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private opened = 0;

  constructor(maxIdle: number) {
    this.max = Math.max(0, maxIdle);
  }

  /** Descriptors open now (kept and in use). */
  get openCount(): number {
    return this.opened;
  }

  /** Descriptors kept in the table (in use or idle). */
  get keptCount(): number {
    return this.entries.size;
  }

  async acquire(blobId: string, file: string): Promise<BlobFileLease> {
    let entry = this.entries.get(blobId);
    if (entry) {
      // Most recently used last.
      this.entries.delete(blobId);
      this.entries.set(blobId, entry);
    } else {
      const handle = open(file, 'r');
      entry = { handle, readers: 0, dropped: false };
      this.entries.set(blobId, entry);
      handle.then(
        () => this.opened++,
        () => {
          if (this.entries.get(blobId) === entry) this.entries.delete(blobId);
        },
      );
    }
    entry.readers++;
    let handle: FileHandle;
    try {
      handle = await entry.handle;
    } catch (error) {
      entry.readers--;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StoreError('not-found', `no blob ${blobId}`);
      throw error;
    }
    const current = entry;
    let released = false;
    return {
      handle,
      release: () => {
        if (released) return;
        released = true;
        current.readers--;
        if (current.dropped) this.closeIfUnused(current);
        else this.trim();
      },
    };
  }

  /** The blob is gone: its descriptor closes once nobody reads it. */
  drop(blobId: string): void {
    const entry = this.entries.get(blobId);
    if (!entry) return;
    this.entries.delete(blobId);
    entry.dropped = true;
    this.closeIfUnused(entry);
  }

  /** Closes everything not in use (store close). */
  closeIdle(): void {
    for (const [blobId, entry] of [...this.entries]) if (entry.readers === 0) this.drop(blobId);
  }

  /** Closes the least recently used idle descriptors beyond the bound. */
  private trim(): void {
    if (this.entries.size <= this.max) return;
    for (const [blobId, entry] of this.entries) {
      if (this.entries.size <= this.max) return;
      if (entry.readers === 0) this.drop(blobId);
    }
  }

  private closeIfUnused(entry: Entry): void {
    if (entry.readers > 0) return;
    entry.handle.then(
      (handle) => handle.close().then(() => this.opened--, () => this.opened--),
      () => {},
    );
  }
}

/**
 * Octets [start, end) of a blob (to its end when end is undefined) through a kept
 * descriptor, in reads of `chunk` octets with backpressure: the stream holds about
 * one chunk whatever the size of the body.
 */
export function leasedRead(files: OpenBlobFiles, blobId: string, file: string, start: number, end: number | undefined, chunk: number): Readable {
  let lease: BlobFileLease | undefined;
  let position = start;
  return new Readable({
    highWaterMark: chunk,
    construct(callback) {
      files.acquire(blobId, file).then(
        (acquired) => {
          lease = acquired;
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    read() {
      const wanted = end === undefined ? chunk : Math.min(chunk, end - position);
      if (wanted <= 0 || !lease) {
        this.push(null);
        return;
      }
      const buffer = Buffer.allocUnsafe(wanted);
      lease.handle.read(buffer, 0, wanted, position).then(
        ({ bytesRead }) => {
          if (bytesRead === 0) {
            this.push(null);
            return;
          }
          position += bytesRead;
          this.push(bytesRead < wanted ? buffer.subarray(0, bytesRead) : buffer);
        },
        (error: Error) => this.destroy(error),
      );
    },
    destroy(error, callback) {
      lease?.release();
      lease = undefined;
      callback(error);
    },
  });
}
