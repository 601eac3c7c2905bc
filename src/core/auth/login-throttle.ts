// Slows down password guessing without slowing down the account's owner.
//
// Two kinds of counters, each inside a window:
// - per source (an IPv4 address or an IPv6 /64, see sourceNetwork): a source that
//   failed more than `freeFailures` times waits before every further attempt, on any
//   account, doubling per failure up to maxDelayMs (Dovecot's auth penalty);
// - per account, the number of distinct sources that failed on it: guessing spread
//   over many sources is slowed too, but only for sources that have never logged in
//   to that account. Each account remembers its last few good sources, whose
//   attempts ignore the account's counter. One source hammering an account is the
//   source counter's business and adds only one to the account's, so it cannot make
//   anyone else wait: knowing an address is not enough to slow its owner.
// A correct password from a source with no failures is therefore answered at once,
// unless the account is under guessing from more than `freeFailures` sources and
// this source has never logged in to it. Attempts still in flight count as
// failures-to-be, so firing many guesses in parallel does not get them all through
// at the low delay. The delay is decided before the password is checked (so it says
// nothing about the guess) and depends only on the source and the name tried, never
// on whether the account exists (an unknown name has no good sources, like a known
// one tried from a new place).

export interface ThrottleOptions {
  freeFailures: number;
  maxDelayMs: number;
  /** Delay of the first throttled attempt; doubled for each further failure. */
  baseDelayMs?: number;
  /** Failures older than this are forgotten. */
  windowMs?: number;
  /** Upper bound on remembered sources and accounts, so a flood of names cannot exhaust memory. */
  maxKeys?: number;
  /** Good sources remembered per account (the newest ones). */
  goodSourcesPerAccount?: number;
  now?: () => number;
}

/** One login attempt as the throttle sees it. */
export interface ThrottledAttempt {
  /** sourceNetwork() of the client address. */
  source: string;
  /** The canonical account name tried, lower-cased. */
  account: string;
}

/** What begin() registered, to be handed back to end(). */
export interface ThrottleTicket {
  readonly attempt: ThrottledAttempt;
  readonly delayMs: number;
  /** Whether the account's counter applied (the source is not among its good sources). */
  readonly countedOnAccount: boolean;
}

interface Counter {
  failures: number;
  pending: number;
  windowStart: number;
}

/** Failure counters by key, with a window and a bound on their number. */
class CounterTable {
  private readonly counters = new Map<string, Counter>();
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  constructor(windowMs: number, maxKeys: number, now: () => number) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    this.now = now;
  }

  get(key: string): Counter {
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

  /** Ends one attempt on `key`; `failed` adds a failure, `clear` forgets the past ones. */
  finish(key: string, failed: boolean, clear = false): void {
    const counter = this.counters.get(key);
    if (!counter) return;
    counter.pending = Math.max(0, counter.pending - 1);
    if (failed) counter.failures += 1;
    if (clear) counter.failures = 0;
    if (counter.failures === 0 && counter.pending === 0) this.counters.delete(key);
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

interface AccountCounter {
  /** Sources that failed on the account in this window (at most `cap`). */
  failing: Set<string>;
  /** Attempts in flight by source. */
  pending: Map<string, number>;
  windowStart: number;
}

/** Per account: which sources failed on it, and which are trying now. */
class AccountTable {
  private readonly counters = new Map<string, AccountCounter>();
  private readonly windowMs: number;
  private readonly maxKeys: number;
  /** Beyond this many failing sources the delay is at its maximum anyway. */
  private readonly cap: number;
  private readonly now: () => number;
  constructor(windowMs: number, maxKeys: number, cap: number, now: () => number) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    this.cap = cap;
    this.now = now;
  }

  /** Registers an attempt from `source`; returns how many sources count as failing for it. */
  begin(account: string, source: string): number {
    const now = this.now();
    let counter = this.counters.get(account);
    if (counter && now - counter.windowStart > this.windowMs) {
      counter.failing.clear();
      counter.windowStart = now;
    }
    if (!counter) {
      if (this.counters.size >= this.maxKeys) this.evictOldest();
      counter = { failing: new Set(), pending: new Map(), windowStart: now };
      this.counters.set(account, counter);
    }
    // As for sources: sources still trying count as failing only once one has failed.
    let suspect = counter.failing.size;
    if (suspect > 0) for (const other of counter.pending.keys()) if (!counter.failing.has(other) && other !== source) suspect += 1;
    counter.pending.set(source, (counter.pending.get(source) ?? 0) + 1);
    return suspect;
  }

  finish(account: string, source: string, failed: boolean): void {
    const counter = this.counters.get(account);
    if (!counter) return;
    const left = (counter.pending.get(source) ?? 1) - 1;
    if (left > 0) counter.pending.set(source, left);
    else counter.pending.delete(source);
    if (failed && counter.failing.size < this.cap) counter.failing.add(source);
    if (counter.failing.size === 0 && counter.pending.size === 0) this.counters.delete(account);
  }

  private evictOldest(): void {
    for (const [key, counter] of this.counters) {
      if (counter.pending.size > 0) continue;
      this.counters.delete(key);
      return;
    }
  }
}

export class LoginThrottle {
  private readonly sources: CounterTable;
  private readonly accounts: AccountTable;
  /** Account → its last good sources, oldest first; the map itself in least-recently-used order. */
  private readonly goodSources = new Map<string, string[]>();
  private readonly freeFailures: number;
  private readonly maxDelayMs: number;
  private readonly baseDelayMs: number;
  private readonly maxKeys: number;
  private readonly goodSourcesPerAccount: number;

  constructor(options: ThrottleOptions) {
    this.freeFailures = options.freeFailures;
    this.maxDelayMs = options.maxDelayMs;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.goodSourcesPerAccount = options.goodSourcesPerAccount ?? 8;
    const windowMs = options.windowMs ?? 15 * 60_000;
    const now = options.now ?? Date.now;
    this.sources = new CounterTable(windowMs, this.maxKeys, now);
    this.accounts = new AccountTable(windowMs, this.maxKeys, this.freeFailures + 40, now);
  }

  /** Registers an attempt; the ticket says how long it must take at least. */
  begin(attempt: ThrottledAttempt): ThrottleTicket {
    const countedOnAccount = !this.isGoodSource(attempt);
    let delayMs = this.register(this.sources.get(attempt.source));
    if (countedOnAccount) delayMs = Math.max(delayMs, this.delayFor(this.accounts.begin(attempt.account, attempt.source)));
    return { attempt, delayMs, countedOnAccount };
  }

  /**
   * Ends an attempt registered with begin(). A success forgets the source's failures
   * (its user got the password right) and remembers the source as good for the
   * account; it leaves the account's counter alone, which only ever slows sources
   * that are not among the good ones.
   */
  end(ticket: ThrottleTicket, succeeded: boolean): void {
    const { source, account } = ticket.attempt;
    this.sources.finish(source, !succeeded, succeeded);
    if (ticket.countedOnAccount) this.accounts.finish(account, source, !succeeded);
    if (succeeded) this.rememberGoodSource(account, source);
  }

  /** Whether `source` has logged in to `account` lately (one of its last good sources). */
  isGoodSource({ source, account }: ThrottledAttempt): boolean {
    return this.goodSources.get(account)?.includes(source) ?? false;
  }

  private register(counter: Counter): number {
    // Attempts still running count as possible failures only once this key has
    // failed: a guesser's parallel tries are slowed, while a mail client opening
    // several connections with the right password at once is not.
    const suspect = counter.failures > 0 ? counter.failures + counter.pending : 0;
    counter.pending += 1;
    return this.delayFor(suspect);
  }

  private delayFor(failures: number): number {
    // After freeFailures failures every further attempt waits: base, 2 x base, 4 x base, ...
    const excess = failures - this.freeFailures;
    if (failures === 0 || excess < 0 || this.maxDelayMs <= 0) return 0;
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(excess, 30));
  }

  private rememberGoodSource(account: string, source: string): void {
    const list = (this.goodSources.get(account) ?? []).filter((s) => s !== source);
    list.push(source);
    if (list.length > this.goodSourcesPerAccount) list.splice(0, list.length - this.goodSourcesPerAccount);
    this.goodSources.delete(account); // re-inserted last: the map stays in least-recently-used order
    this.goodSources.set(account, list);
    if (this.goodSources.size > this.maxKeys) this.goodSources.delete(this.goodSources.keys().next().value!);
  }
}
