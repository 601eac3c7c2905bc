// Recently delivered and recently read message bodies, in memory within a byte budget
// (config store.body_cache_bytes), least recently used first out. A FETCH of BODY[]
// or a POP3 RETR of a cached body costs no system call at all: no open, read and close
// through the thread pool per message, which is what the file-per-message layout
// otherwise pays. Bodies above maxEntryBytes are never cached (they stream from their
// file), so one large message cannot push out a mailbox's worth of small ones.
//
// Blobs never change once committed (blob-files.ts), so an entry is valid until the
// blob is deleted. The cache is per process: each worker process has its own budget.

export interface BodyCacheOptions {
  /** Most bytes the cache holds, counted as the memory its buffers pin. 0 disables it. */
  budgetBytes: number;
  /** Bodies larger than this are never cached. */
  maxEntryBytes: number;
}

export class BodyCache {
  private readonly entries = new Map<string, Buffer>();
  private readonly budget: number;
  private readonly maxEntry: number;
  private accounted = 0;
  private peak = 0;

  constructor(options: BodyCacheOptions) {
    this.budget = Math.max(0, options.budgetBytes);
    this.maxEntry = Math.min(Math.max(0, options.maxEntryBytes), this.budget);
  }

  /** Bytes held now (the memory pinned by the cached buffers). */
  get bytes(): number {
    return this.accounted;
  }

  /** The most bytes ever held at once: never above the budget. */
  get peakBytes(): number {
    return this.peak;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether a body of this size would be cached at all. */
  accepts(size: number): boolean {
    return size <= this.maxEntry && this.budget > 0;
  }

  /** The body, marked as just used; undefined when it is not cached. */
  get(blobId: string): Buffer | undefined {
    const body = this.entries.get(blobId);
    if (body !== undefined) {
      this.entries.delete(blobId);
      this.entries.set(blobId, body);
    }
    return body;
  }

  /**
   * Caches a whole body. The buffer must not change afterwards. A buffer that is a
   * view into a larger allocation (a pooled slice, a read buffer) is copied, so the
   * accounted bytes are the memory really held.
   */
  set(blobId: string, body: Buffer): void {
    if (!this.accepts(body.length)) return;
    const own = body.byteOffset === 0 && body.buffer.byteLength === body.length ? body : ownCopy(body);
    this.delete(blobId);
    // Evict before inserting, so the held bytes never exceed the budget even for a moment.
    while (this.accounted + own.length > this.budget) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(blobId, own);
    this.accounted += own.length;
    if (this.accounted > this.peak) this.peak = this.accounted;
  }

  delete(blobId: string): void {
    const body = this.entries.get(blobId);
    if (body === undefined) return;
    this.entries.delete(blobId);
    this.accounted -= body.length;
  }
}

/** A copy in memory of its own (Buffer.from would put a small one in the shared pool). */
function ownCopy(body: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(body.length);
  body.copy(copy);
  return copy;
}
