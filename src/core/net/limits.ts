// Connection limits, so that no client can take the slots of others hostage:
// - a cap over all services (limits.max_connections), the last resort for memory and
//   file descriptors, and per client address over all services;
// - a cap per service (listener) and per client address per service, so that filling
//   port 25 with idle connections leaves IMAP, POP3 and FTP serving;
// - a total deadline for a connection that has not authenticated (on port 25: not yet
//   completed a transaction): trickling a byte now and then does not extend it;
// - under stress (a service or the whole server above limits.stress_threshold percent
//   of its cap) those deadlines, and the idle timeouts of unauthenticated sessions,
//   shrink, as Postfix's stress-dependent timeouts do (`${stress?10}{300}`).
// Authenticated sessions are never cut to make room: a full service refuses new
// connections instead. A listener takes a lease for each accepted connection and gives
// it back when the connection ends; a refused connection is told why by its protocol.

import { sourceNetwork } from './address.ts';

/** 'banned': the source is banned after repeated failed logins (src/core/auth/ban-guard.ts). */
export type RefusalReason = 'too-many' | 'too-many-from-ip' | 'shutting-down' | 'banned';

/** What a lease tells the connection it belongs to. */
export interface LeaseHolder {
  /** The total deadline has passed: end the session with the protocol's timeout reply. */
  deadlineExpired(): void;
  /** The service is under stress: an unauthenticated session waits at most this long for input. */
  capIdleTimeout(ms: number): void;
}

export interface ConnectionLease {
  /** Gives the slot back and cancels the deadline. Safe to call more than once. */
  release(): void;
  /**
   * The client authenticated (or, on port 25, completed a transaction): no deadline
   * any more and the ordinary idle timeout. Idempotent.
   */
  markTrusted(): void;
  readonly trusted: boolean;
  /** The connection that hears about the deadline and stress; set once it exists. */
  attach(holder: LeaseHolder): void;
}

export type AcquireResult = { ok: true; lease: ConnectionLease } | { ok: false; reason: RefusalReason; scope: 'server' | 'service' };

/** Time as the limits see it; tests inject a manual clock. */
export interface Clock {
  now(): number;
  setTimer(ms: number, callback: () => void): { cancel(): void };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

export interface LimitsOptions {
  /** Over all services. */
  maxConnections: number;
  /** From one address over all services. */
  maxPerIp: number;
  /** In each service (default: no cap of its own). */
  maxPerService?: number;
  /** From one address in each service (default: no cap of its own). */
  maxPerIpPerService?: number;
  /** Total time an untrusted connection may last, in ms; 0 = none. */
  preauthDeadlineMs?: number;
  /** A different deadline for some services (port 25: until the first completed transaction). */
  serviceDeadlineMs?: Record<string, number>;
  /** Stress above this percentage of a cap; 0 = never. */
  stressPercent?: number;
  /** Deadline of untrusted connections under stress, ms (shortens those already running too). */
  stressDeadlineMs?: number;
  /** Idle timeout of untrusted connections under stress, ms. */
  stressIdleMs?: number;
  clock?: Clock;
}

/** One counted scope: the whole server or one service. */
class Pool {
  total = 0;
  readonly perIp = new Map<string, number>();
  stressed = false;
  /** Leases that have not authenticated yet, for tightening when stress begins. */
  readonly untrusted = new Set<Lease>();
  readonly max: number;
  readonly maxPerIp: number;
  constructor(max: number, maxPerIp: number) {
    this.max = max;
    this.maxPerIp = maxPerIp;
  }
  add(ip: string): void {
    this.total += 1;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
  }
  remove(ip: string): void {
    this.total -= 1;
    const left = (this.perIp.get(ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(ip, left);
    else this.perIp.delete(ip); // keep the map as small as the set of current clients
  }
}

class Lease implements ConnectionLease {
  private released = false;
  private isTrusted = false;
  private holder: LeaseHolder | null = null;
  private timer: { cancel(): void } | null = null;
  private expiresAt = Infinity;
  private idleCapMs = 0;
  private readonly limits: ConnectionLimits;
  readonly ip: string;
  readonly service: Pool;

  constructor(limits: ConnectionLimits, ip: string, service: Pool) {
    this.limits = limits;
    this.ip = ip;
    this.service = service;
  }

  get trusted(): boolean {
    return this.isTrusted;
  }

  attach(holder: LeaseHolder): void {
    this.holder = holder;
    if (this.idleCapMs > 0) holder.capIdleTimeout(this.idleCapMs);
    if (this.expiresAt <= this.limits.clock.now()) this.expire();
  }

  /** Moves the deadline earlier (never later) and re-arms the timer. */
  tighten(deadlineMs: number, idleMs: number): void {
    if (this.released || this.isTrusted) return;
    const now = this.limits.clock.now();
    if (deadlineMs > 0 && now + deadlineMs < this.expiresAt) {
      this.expiresAt = now + deadlineMs;
      this.timer?.cancel();
      this.timer = this.limits.clock.setTimer(deadlineMs, () => this.expire());
    }
    if (idleMs > 0 && (this.idleCapMs === 0 || idleMs < this.idleCapMs)) {
      this.idleCapMs = idleMs;
      this.holder?.capIdleTimeout(idleMs);
    }
  }

  markTrusted(): void {
    if (this.isTrusted || this.released) return;
    this.isTrusted = true;
    this.stopWatching();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.stopWatching();
    this.limits.releaseLease(this);
  }

  private expire(): void {
    if (this.released || this.isTrusted || !this.holder) return;
    this.stopWatching();
    this.holder.deadlineExpired();
  }

  private stopWatching(): void {
    this.timer?.cancel();
    this.timer = null;
    this.expiresAt = Infinity;
    this.limits.untrust(this);
  }
}

export class ConnectionLimits {
  readonly maxConnections: number;
  readonly maxPerIp: number;
  readonly clock: Clock;
  private readonly options: LimitsOptions;
  private readonly server: Pool;
  private readonly services = new Map<string, Pool>();

  constructor(o: LimitsOptions) {
    this.options = o;
    this.maxConnections = o.maxConnections;
    this.maxPerIp = o.maxPerIp;
    this.clock = o.clock ?? systemClock;
    this.server = new Pool(o.maxConnections, o.maxPerIp);
  }

  /**
   * A slot in `service` for a connection from `remoteAddress` (the real client, after
   * any PROXY header). IPv4-mapped IPv6 addresses count as their IPv4 address.
   */
  acquire(remoteAddress: string, service = 'default'): AcquireResult {
    // Per source as throttling and bans count: an IPv6 client's whole /64 is one source.
    const ip = sourceNetwork(remoteAddress);
    const pool = this.pool(service);
    if (this.server.total >= this.server.max) return { ok: false, reason: 'too-many', scope: 'server' };
    if ((this.server.perIp.get(ip) ?? 0) >= this.server.maxPerIp) return { ok: false, reason: 'too-many-from-ip', scope: 'server' };
    if (pool.total >= pool.max) return { ok: false, reason: 'too-many', scope: 'service' };
    if ((pool.perIp.get(ip) ?? 0) >= pool.maxPerIp) return { ok: false, reason: 'too-many-from-ip', scope: 'service' };
    this.server.add(ip);
    pool.add(ip);
    const lease = new Lease(this, ip, pool);
    const deadline = this.options.serviceDeadlineMs?.[service] ?? this.options.preauthDeadlineMs ?? 0;
    this.server.untrusted.add(lease);
    pool.untrusted.add(lease);
    lease.tighten(deadline, 0);
    this.checkStress(pool);
    // A connection arriving under stress gets the short timeouts from the start.
    if (pool.stressed || this.server.stressed) lease.tighten(this.options.stressDeadlineMs ?? 0, this.options.stressIdleMs ?? 0);
    return { ok: true, lease };
  }

  /** Connections holding a slot over all services. */
  get active(): number {
    return this.server.total;
  }

  /** Connections holding a slot in one service. */
  activeIn(service: string): number {
    return this.services.get(service)?.total ?? 0;
  }

  /** Connections holding a slot from one address (in one service, or over all). */
  activeFrom(remoteAddress: string, service?: string): number {
    const pool = service === undefined ? this.server : this.services.get(service);
    return pool?.perIp.get(sourceNetwork(remoteAddress)) ?? 0;
  }

  /** Whether a service (or the server as a whole) is above the stress threshold now. */
  stressed(service?: string): boolean {
    return this.server.stressed || (service !== undefined && (this.services.get(service)?.stressed ?? false));
  }

  /** Connections that have not authenticated yet (in one service, or over all). */
  untrustedCount(service?: string): number {
    return service === undefined ? this.server.untrusted.size : (this.services.get(service)?.untrusted.size ?? 0);
  }

  /** @internal Lease bookkeeping. */
  releaseLease(lease: Lease): void {
    this.server.remove(lease.ip);
    lease.service.remove(lease.ip);
    this.checkStress(lease.service);
  }

  /** @internal A lease that authenticated or ended is no candidate for tightening. */
  untrust(lease: Lease): void {
    this.server.untrusted.delete(lease);
    lease.service.untrusted.delete(lease);
  }

  private pool(service: string): Pool {
    let pool = this.services.get(service);
    if (!pool) {
      pool = new Pool(this.options.maxPerService ?? Infinity, this.options.maxPerIpPerService ?? Infinity);
      this.services.set(service, pool);
    }
    return pool;
  }

  /** Stress begins above the threshold; at that moment every untrusted session in the scope is tightened. */
  private checkStress(pool: Pool): void {
    for (const scope of [this.server, pool]) {
      const now = isAbove(scope, this.options.stressPercent ?? 0);
      if (now && !scope.stressed) {
        scope.stressed = true;
        for (const lease of [...scope.untrusted]) lease.tighten(this.options.stressDeadlineMs ?? 0, this.options.stressIdleMs ?? 0);
      } else if (!now) scope.stressed = false;
    }
  }
}

function isAbove(pool: Pool, percent: number): boolean {
  if (percent <= 0 || !Number.isFinite(pool.max)) return false;
  return pool.total * 100 > pool.max * percent;
}
