// Small message bodies kept in the database, next to their metadata (Dovecot's mdbox
// and Postfix's queue file make body and envelope one durable write; this is the same
// idea in SQLite). A writer holds up to `limit` octets in memory; a larger body spills
// into a file blob (blob-files.ts) and takes the file path. commit() of a small body
// only names it ("i" + 31 hex digits) and keeps the octets here until the delivery that
// refers to it (sqlite-store.ts) carries them to the worker, which inserts them in the
// same savepoint as the message rows: the one WAL fsync of that group commit makes
// body and metadata durable together, where a file costs a data fsync, a folder fsync
// and then the commit. A body that is committed but never delivered is removed by
// delete() (the abort paths) and, as before, never survives a crash.
//
// Memory stays flat: all bodies held here at once (being received, or committed and
// waiting for their delivery) share one budget; a body that does not fit takes the
// file path from its first octet on, however many clients or MULTIAPPEND messages.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { INLINE_BLOB_ID_PATTERN } from '../names.ts';
import { StoreError, type BlobStore, type BlobWriter } from '../types.ts';
import type { BodyCache } from '../body-cache.ts';
import type { SqliteWorkerClient } from './worker-client.ts';

/** Upper bound for "the whole body" in a substr() read. */
const WHOLE = 2 ** 31;

export const isInlineBlobId = (blobId: string): boolean => INLINE_BLOB_ID_PATTERN.test(blobId);

/** Octets held in memory by all writers and pending bodies of one store. */
class MemoryBudget {
  used = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  take(octets: number): boolean {
    if (this.used + octets > this.limit) return false;
    this.used += octets;
    return true;
  }
  give(octets: number): void {
    this.used = Math.max(0, this.used - octets);
  }
}

export class InlineBlobStore implements BlobStore {
  private readonly files: BlobStore;
  private readonly client: SqliteWorkerClient;
  private readonly limit: number;
  /** Committed small bodies whose delivery has not committed yet. */
  private readonly pending = new Map<string, Buffer>();
  private readonly budget: MemoryBudget;

  /** Recently stored and read small bodies (store.body_cache_bytes), shared with the file store. */
  private readonly cache: BodyCache | undefined;

  /** limit: the largest body kept in the database; memoryBudget: all bodies held at once. */
  constructor(files: BlobStore, client: SqliteWorkerClient, limit: number, memoryBudget: number, cache?: BodyCache) {
    this.files = files;
    this.client = client;
    this.limit = limit;
    this.budget = new MemoryBudget(memoryBudget);
    this.cache = cache;
  }

  /** Octets held in memory now (for tests and the budget's own check). */
  get heldOctets(): number {
    return this.budget.used;
  }

  async create(): Promise<BlobWriter> {
    if (this.limit <= 0) return this.files.create();
    return new SpillingWriter(this.files, this.limit, this.budget, (data) => {
      const blobId = `i${randomBytes(16).toString('hex').slice(0, 31)}`;
      this.pending.set(blobId, data);
      return blobId;
    });
  }

  /** Forgets a pending body and gives its octets back to the budget. */
  private release(blobId: string): boolean {
    const data = this.pending.get(blobId);
    if (!data) return false;
    this.pending.delete(blobId);
    this.budget.give(data.length);
    return true;
  }

  /** The octets a delivery must carry for blobId, or null (a file, or already stored). */
  bodyToStore(blobId: string): Buffer | null {
    return this.pending.get(blobId) ?? null;
  }

  /** The delivery that carried blobId committed: the database holds it now (and the cache: new mail is read soonest). */
  stored(blobId: string): void {
    const data = this.pending.get(blobId);
    if (data && this.cache?.accepts(data.length)) this.cache.set(blobId, data);
    this.release(blobId);
  }

  inMemory(blobId: string): Buffer | undefined {
    if (!isInlineBlobId(blobId)) return this.files.inMemory(blobId);
    return this.pending.get(blobId) ?? this.cache?.get(blobId);
  }

  read(blobId: string, range?: { start: number; end: number }, size?: number): Readable {
    if (!isInlineBlobId(blobId)) return this.files.read(blobId, range, size);
    const start = Math.max(0, range?.start ?? 0);
    const end = range?.end ?? WHOLE;
    // One fetch, one chunk: these bodies are at most `limit` octets.
    return Readable.from(
      (async function* (store: InlineBlobStore) {
        if (end <= start) return;
        const data = await store.fetch(blobId, start, end);
        if (data.length > 0) yield data;
      })(this),
      { objectMode: false },
    );
  }

  async readAll(blobId: string): Promise<Buffer> {
    if (!isInlineBlobId(blobId)) return this.files.readAll(blobId);
    return this.fetch(blobId, 0, WHOLE);
  }


  /**
   * After a commit that released blobId (its last reference went): a database body's row
   * went in that commit, so only a cached copy is left to forget; a file is removed.
   */
  async released(blobId: string): Promise<void> {
    if (!isInlineBlobId(blobId)) return this.files.delete(blobId);
    this.cache?.delete(blobId);
    this.release(blobId);
  }

  async delete(blobId: string): Promise<void> {
    if (!isInlineBlobId(blobId)) return this.files.delete(blobId);
    this.cache?.delete(blobId);
    // Still pending: no delivery of it committed, so the database has no row to remove.
    if (this.release(blobId)) return;
    await this.client.write('dropInlineBody', blobId);
  }

  private async fetch(blobId: string, start: number, end: number): Promise<Buffer> {
    const held = this.pending.get(blobId) ?? this.cache?.get(blobId);
    if (held) return held.subarray(Math.min(start, held.length), Math.min(end, held.length));
    // Read whole (at most `limit` octets) so the next reader of any part finds it cached.
    const data = await this.client.read('inlineBody', blobId, 0, WHOLE);
    if (!data) throw new StoreError('not-found', `no blob ${blobId}`);
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.cache?.accepts(body.length)) this.cache.set(blobId, body);
    return body.subarray(Math.min(start, body.length), Math.min(end, body.length));
  }
}

/** Collects a body in memory up to `limit` octets; past it, everything goes to a file writer. */
class SpillingWriter implements BlobWriter {
  private readonly files: BlobStore;
  private readonly limit: number;
  private readonly budget: MemoryBudget;
  private readonly name: (data: Buffer) => string;
  private chunks: Buffer[] = [];
  /** Octets in chunks, all taken from the budget. */
  private held = 0;
  private file: BlobWriter | null = null;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(files: BlobStore, limit: number, budget: MemoryBudget, name: (data: Buffer) => string) {
    this.files = files;
    this.limit = limit;
    this.budget = budget;
    this.name = name;
  }

  get size(): number {
    return this.file ? this.file.size : this.held;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.state !== 'open') throw new StoreError('invalid', `write to a ${this.state} blob`);
    if (this.file) return this.file.write(chunk);
    if (this.held + chunk.length <= this.limit && this.budget.take(chunk.length)) {
      // Copied: the caller may reuse its buffer as soon as write() resolves.
      this.chunks.push(Buffer.from(chunk));
      this.held += chunk.length;
      return;
    }
    const file = await this.files.create();
    this.file = file;
    const chunks = this.chunks;
    this.chunks = [];
    this.budget.give(this.held);
    this.held = 0;
    try {
      for (const held of chunks) await file.write(held);
      await file.write(chunk);
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async commit(): Promise<{ blobId: string; size: number }> {
    if (this.state !== 'open') throw new StoreError('invalid', `commit of a ${this.state} blob`);
    if (this.file) {
      const done = await this.file.commit();
      this.state = 'committed';
      return done;
    }
    this.state = 'committed';
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held);
    // The octets stay taken from the budget: the store gives them back after the delivery.
    this.chunks = [];
    return { blobId: this.name(data), size: data.length };
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.chunks = [];
    this.budget.give(this.held);
    this.held = 0;
    await this.file?.abort();
  }
}
