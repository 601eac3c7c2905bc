// Slows down password guessing. Failures are counted per key (a client address, an
// account) inside a window; once a key has had more than `freeFailures`, every
// further attempt on it waits, doubling per failure up to maxDelayMs. Attempts still
// in flight count as failures-to-be, so firing many guesses in parallel does not
// get them all through at the same low delay.

export interface ThrottleOptions {
  freeFailures: number;
  maxDelayMs: number;
  /** Delay of the first throttled attempt; doubled for each further failure. */
  baseDelayMs?: number;
  /** Failures older than this are forgotten. */
  windowMs?: number;
  /** Upper bound on remembered keys, so a flood of addresses cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

interface Counter {
  failures: number;
  pending: number;
  windowStart: number;
}

export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();
  private readonly freeFailures: number;
  private readonly maxDelayMs: number;
  private readonly baseDelayMs: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions) {
    this.freeFailures = options.freeFailures;
    this.maxDelayMs = options.maxDelayMs;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Registers an attempt on these keys; returns how long it must take at least. */
  begin(keys: readonly string[]): number {
    let delay = 0;
    for (const key of keys) {
      const counter = this.counter(key);
      // Attempts still running count as possible failures only once this key has
      // failed: a guesser's parallel tries are slowed, while a mail client opening
      // several connections with the right password at once is not.
      const suspect = counter.failures > 0 ? counter.failures + counter.pending : 0;
      delay = Math.max(delay, this.delayFor(suspect));
      counter.pending += 1;
    }
    return delay;
  }

  /** Ends an attempt registered with begin(); `cleared` keys are forgotten (a success). */
  end(keys: readonly string[], failed: boolean, cleared: readonly string[] = []): void {
    for (const key of keys) {
      const counter = this.counters.get(key);
      if (!counter) continue;
      counter.pending = Math.max(0, counter.pending - 1);
      if (failed) counter.failures += 1;
      if (counter.failures === 0 && counter.pending === 0) this.counters.delete(key);
    }
    for (const key of cleared) {
      const counter = this.counters.get(key);
      if (counter && counter.pending === 0) this.counters.delete(key);
      else if (counter) counter.failures = 0;
    }
  }

  private delayFor(failures: number): number {
    // After freeFailures failures every further attempt waits: base, 2 x base, 4 x base, ...
    const excess = failures - this.freeFailures;
    if (failures === 0 || excess < 0 || this.maxDelayMs <= 0) return 0;
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(excess, 30));
  }

  private counter(key: string): Counter {
    const now = this.now();
    let counter = this.counters.get(key);
    if (counter && now - counter.windowStart > this.windowMs) {
      counter.failures = 0;
      counter.windowStart = now;
    }
    if (!counter) {
      if (this.counters.size >= this.maxKeys) this.evict(now);
      counter = { failures: 0, pending: 0, windowStart: now };
      this.counters.set(key, counter);
    }
    return counter;
  }

  /** Drops expired counters; if still full, the oldest (Map keeps insertion order). */
  private evict(now: number): void {
    for (const [key, counter] of this.counters) {
      if (now - counter.windowStart > this.windowMs && counter.pending === 0) this.counters.delete(key);
    }
    const excess = this.counters.size - this.maxKeys + 1;
    if (excess <= 0) return;
    let dropped = 0;
    for (const key of this.counters.keys()) {
      if (dropped++ >= excess) break;
      this.counters.delete(key);
    }
  }
}
