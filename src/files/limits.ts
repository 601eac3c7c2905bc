// Per-user quota and per-transfer bandwidth limits for the file protocols.

import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class QuotaExceededError extends Error {
  constructor() {
    super('quota exceeded');
    this.name = 'QuotaExceededError';
  }
}

/**
 * How much of a quota a home uses. Computed once per session by walking the home,
 * then kept up to date by the session's own writes and deletions (other sessions'
 * writes are seen at their next login: a quota is a fence, not a ledger).
 */
export class QuotaTracker {
  readonly limit: number | null;
  private used: number;

  private constructor(limit: number | null, used: number) {
    this.limit = limit;
    this.used = used;
  }

  static async open(root: string, limit: number | null): Promise<QuotaTracker> {
    return new QuotaTracker(limit, limit === null ? 0 : await folderSize(root));
  }

  get usedBytes(): number {
    return this.used;
  }

  /** Octets that may still be written; Infinity without a quota. */
  get remaining(): number {
    return this.limit === null ? Infinity : Math.max(0, this.limit - this.used);
  }

  /** Accounts for `n` more octets (negative when space is freed); throws past the limit. */
  add(n: number): void {
    if (n > 0 && this.limit !== null && this.used + n > this.limit) throw new QuotaExceededError();
    this.used = Math.max(0, this.used + n);
  }
}

async function folderSize(root: string): Promise<number> {
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) total += (await lstat(p).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}

/** A token bucket: take(n) resolves when n octets may pass at `bytesPerSecond`. */
export class BandwidthLimiter {
  private readonly rate: number;
  private available: number;
  private last = Date.now();

  constructor(bytesPerSecond: number) {
    this.rate = bytesPerSecond;
    // A quarter second of burst keeps the pace smooth without big chunks jumping ahead.
    this.available = bytesPerSecond / 4;
  }

  async take(n: number): Promise<void> {
    const now = Date.now();
    this.available = Math.min(this.rate / 4, this.available + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.available -= n;
    if (this.available < 0) await sleep(Math.ceil((-this.available / this.rate) * 1000));
  }
}
