// Message bodies kept as Buffers, with the same BlobWriter rules as the file store:
// nothing is visible before commit(), abort() is idempotent and a no-op after commit.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BLOB_ID_PATTERN } from '../names.ts';
import { StoreError, type BlobStore, type BlobWriter } from '../types.ts';

export interface MemoryBlobStore extends BlobStore {
  has(blobId: string): boolean;
}

export function createMemoryBlobStore(): MemoryBlobStore {
  const blobs = new Map<string, Buffer>();

  const find = (blobId: string): Buffer => {
    const blob = BLOB_ID_PATTERN.test(blobId) ? blobs.get(blobId) : undefined;
    if (!blob) throw new StoreError('not-found', `no blob ${blobId}`);
    return blob;
  };

  return {
    has: (blobId) => blobs.has(blobId),

    async create(): Promise<BlobWriter> {
      let chunks: Buffer[] = [];
      let size = 0;
      let state: 'open' | 'committed' | 'aborted' = 'open';
      return {
        get size() {
          return size;
        },
        async write(chunk) {
          if (state !== 'open') throw new StoreError('invalid', `write to a ${state} blob`);
          // Copy: the caller may reuse its buffer once write() resolves.
          chunks.push(Buffer.from(chunk));
          size += chunk.length;
        },
        async commit() {
          if (state !== 'open') throw new StoreError('invalid', `commit of a ${state} blob`);
          state = 'committed';
          const blobId = randomBytes(16).toString('hex');
          blobs.set(blobId, Buffer.concat(chunks, size));
          chunks = [];
          return { blobId, size };
        },
        async abort() {
          if (state === 'open') state = 'aborted';
          chunks = [];
        },
      };
    },

    read(blobId, range) {
      let blob: Buffer;
      try {
        blob = find(blobId);
      } catch (error) {
        return new Readable({ read() { this.destroy(error as Error); } });
      }
      const part = range ? blob.subarray(Math.max(0, range.start), Math.max(range.start, range.end)) : blob;
      return Readable.from(part.length > 0 ? [part] : [], { objectMode: false });
    },

    inMemory: (blobId) => blobs.get(blobId),

    async readAll(blobId) {
      return Buffer.from(find(blobId));
    },

    async delete(blobId) {
      blobs.delete(blobId);
    },
  };
}
