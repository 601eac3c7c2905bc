// Bans a client source after too many failed logins, like SFTPGo's defender: a source
// (an IPv4 address or an IPv6 /64) with auth.ban_after_failures failures within
// auth.ban_window is refused at connect on every protocol for auth.ban_duration.
//
// The bans live in the store, so `septet ban list` shows them and `septet ban del`
// lifts them while the server runs. The server keeps the list in memory and re-reads
// it when it is older than refreshMs (one small read per second at most, whatever the
// connection rate), so a ban lifted by the CLI stops applying within that time.
// A store that cannot be read keeps the last list: bans fail open, logins still work.

import type { Logger } from '../log/logger.ts';
import { sourceNetwork, type NetworkList } from '../net/address.ts';
import type { BanStore, SourceBan } from '../store/types.ts';

export interface BanGuardOptions {
  bans: BanStore;
  /** Failed logins from one source within windowMs that get it banned; 0 = never ban. */
  banAfterFailures: number;
  windowMs: number;
  durationMs: number;
  /** Sources that are never banned (they are still slowed down by the throttle). */
  exempt?: NetworkList;
  /** How long the list read from the store is used before it is read again. */
  refreshMs?: number;
  /** Upper bound on sources with failures being counted. */
  maxKeys?: number;
  now?: () => number;
  log?: Logger;
}

interface FailureCount {
  count: number;
  windowStart: number;
}

export class BanGuard {
  private readonly store: BanStore;
  private readonly banAfterFailures: number;
  private readonly windowMs: number;
  private readonly durationMs: number;
  private readonly exempt: NetworkList | undefined;
  private readonly refreshMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly log: Logger | undefined;
  /** Source → end of its ban (ms), as last read from the store plus the bans made since. */
  private banned = new Map<string, number>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;
  /** Bumped by every ban this process makes: a read that started before it is stale. */
  private generation = 0;
  private readonly failures = new Map<string, FailureCount>();

  constructor(options: BanGuardOptions) {
    this.store = options.bans;
    this.banAfterFailures = options.banAfterFailures;
    this.windowMs = options.windowMs;
    this.durationMs = options.durationMs;
    this.exempt = options.exempt;
    this.refreshMs = options.refreshMs ?? 1000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
    this.log = options.log;
  }

  /** Whether connections and logins from `address` are refused now. Synchronous while the list is fresh. */
  isBanned(address: string): boolean | Promise<boolean> {
    if (this.exempt?.contains(address)) return false;
    const source = sourceNetwork(address);
    if (this.now() - this.loadedAt < this.refreshMs) return this.inForce(source);
    return this.refresh().then(() => this.inForce(source));
  }

  /**
   * The same answer without waiting, for callers that cannot (TFTP's request loop):
   * from the list as it is, which is then refreshed in the background if it is old.
   */
  isBannedNow(address: string): boolean {
    if (this.exempt?.contains(address)) return false;
    if (this.now() - this.loadedAt >= this.refreshMs) void this.refresh();
    return this.inForce(sourceNetwork(address));
  }

  /**
   * Counts a failed login from `address`; the ban when this failure reached the
   * threshold (it is then in the store and in force here at once), otherwise null.
   */
  async recordFailure(address: string): Promise<SourceBan | null> {
    if (this.banAfterFailures <= 0 || this.exempt?.contains(address)) return null;
    const source = sourceNetwork(address);
    const now = this.now();
    let counted = this.failures.get(source);
    if (!counted || now - counted.windowStart > this.windowMs) {
      this.failures.delete(source);
      if (this.failures.size >= this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
      counted = { count: 0, windowStart: now };
      this.failures.set(source, counted);
    }
    counted.count += 1;
    if (counted.count < this.banAfterFailures) return null;
    this.failures.delete(source);
    const ban: SourceBan = {
      source,
      reason: `${counted.count} failed logins within ${Math.round(this.windowMs / 1000)} s`,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.durationMs),
    };
    this.banned.set(source, Math.max(this.banned.get(source) ?? 0, ban.expiresAt.getTime()));
    this.generation += 1;
    try {
      await this.store.addBan(ban);
    } catch (error) {
      // Still in force in this process until the next successful read.
      this.log?.error({ err: error, source }, 'could not store a ban');
    }
    this.log?.warn({ source, failures: counted.count, until: ban.expiresAt.toISOString() }, 'source banned after repeated failed logins');
    return ban;
  }

  private inForce(source: string): boolean {
    return (this.banned.get(source) ?? 0) > this.now();
  }

  private refresh(): Promise<void> {
    this.loading ??= (async () => {
      const generation = this.generation;
      try {
        const bans = await this.store.listBans(new Date(this.now()));
        // A ban made while the read ran might be missing from it: keep the list stale.
        if (generation !== this.generation) return;
        this.banned = new Map(bans.map((ban) => [ban.source, ban.expiresAt.getTime()]));
        this.loadedAt = this.now();
      } catch (error) {
        this.log?.warn({ err: error }, 'could not read the bans; using the last list');
        this.loadedAt = this.now();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}
