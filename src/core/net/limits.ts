// Connection limits over all services: how many connections at once, and how many
// from one client address (limits.max_connections, limits.max_connections_per_ip).
// A listener takes a lease for each accepted connection and gives it back when the
// connection ends; a refused connection is told why by its protocol and closed.

import { normalizeAddress } from './address.ts';

/** 'banned': the source is banned after repeated failed logins (src/core/auth/ban-guard.ts). */
export type RefusalReason = 'too-many' | 'too-many-from-ip' | 'shutting-down' | 'banned';

export interface ConnectionLease {
  /** Gives the slot back. Safe to call more than once. */
  release(): void;
}

export type AcquireResult = { ok: true; lease: ConnectionLease } | { ok: false; reason: RefusalReason };

export class ConnectionLimits {
  readonly maxConnections: number;
  readonly maxPerIp: number;
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(o: { maxConnections: number; maxPerIp: number }) {
    this.maxConnections = o.maxConnections;
    this.maxPerIp = o.maxPerIp;
  }

  /**
   * A slot for a connection from `remoteAddress` (the real client, after any PROXY
   * header). IPv4-mapped IPv6 addresses count as their IPv4 address.
   */
  acquire(remoteAddress: string): AcquireResult {
    const ip = normalizeAddress(remoteAddress);
    if (this.total >= this.maxConnections) return { ok: false, reason: 'too-many' };
    const fromIp = this.perIp.get(ip) ?? 0;
    if (fromIp >= this.maxPerIp) return { ok: false, reason: 'too-many-from-ip' };
    this.total += 1;
    this.perIp.set(ip, fromIp + 1);
    let released = false;
    return {
      ok: true,
      lease: {
        release: () => {
          if (released) return;
          released = true;
          this.total -= 1;
          const left = (this.perIp.get(ip) ?? 1) - 1;
          if (left > 0) this.perIp.set(ip, left);
          else this.perIp.delete(ip); // keep the map as small as the set of current clients
        },
      },
    };
  }

  /** Connections holding a slot. */
  get active(): number {
    return this.total;
  }

  /** Connections holding a slot from one address. */
  activeFrom(remoteAddress: string): number {
    return this.perIp.get(normalizeAddress(remoteAddress)) ?? 0;
  }
}
