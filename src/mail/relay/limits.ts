// Outbound connection limits (config relay.max_connections and
// max_connections_per_domain) and the per-destination memory of RFC 5321 §4.5.4.1:
// "keep a list of hosts it cannot reach", so a destination known to be down is
// not tried again for every queued message; new mail for it waits until its retry.

export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];
  constructor(size: number) {
    this.available = size;
  }
  async acquire(): Promise<() => void> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    };
  }
}

export class ConnectionSlots {
  private readonly total: Semaphore;
  private readonly perDomain = new Map<string, Semaphore>();
  private readonly domainSize: number;
  constructor(total: number, perDomain: number) {
    this.total = new Semaphore(total);
    this.domainSize = perDomain;
  }
  /** Waits for a slot for this destination and one overall; returns the release function. */
  async acquire(destination: string): Promise<() => void> {
    let domain = this.perDomain.get(destination);
    if (!domain) {
      domain = new Semaphore(this.domainSize);
      this.perDomain.set(destination, domain);
    }
    const releaseDomain = await domain.acquire();
    const releaseTotal = await this.total.acquire();
    return () => {
      releaseTotal();
      releaseDomain();
    };
  }
}

/** Destinations that could not be reached, and until when they are left alone. */
export class DestinationBackoff {
  private readonly down = new Map<string, { failures: number; until: number }>();
  private readonly waitAfter: (failures: number) => number;
  constructor(waitAfter: (failures: number) => number) {
    this.waitAfter = waitAfter;
  }
  /** The time until which `destination` is left alone, or null when it may be tried. */
  downUntil(destination: string, now: number): number | null {
    const state = this.down.get(destination);
    return state && state.until > now ? state.until : null;
  }
  failed(destination: string, now: number): number {
    const failures = (this.down.get(destination)?.failures ?? 0) + 1;
    const until = now + this.waitAfter(failures);
    this.down.set(destination, { failures, until });
    return until;
  }
  succeeded(destination: string): void {
    this.down.delete(destination);
  }
}
