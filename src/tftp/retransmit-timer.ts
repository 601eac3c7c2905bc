// One timer per transfer for retransmissions (RFC 1350 §2: "the sender ... times
// out and retransmits"; RFC 1123 §4.2.3.2 asks for an adaptive timeout, here an
// exponential backoff, up to 8 times the first timeout). It is lazy: progress()
// only notes the time, so the per-packet path never touches the timer list; the
// timer, when it fires early, just sleeps again until the real deadline.

const MAX_BACKOFF_SHIFT = 3;

export interface RetransmitTimerOptions {
  timeoutMs: number;
  /** false: every wait is timeoutMs (a negotiated RFC 2349 timeout). */
  backoff: boolean;
  /** Retransmissions of one packet before giving up (RFC 7440 §6: a bounded number). */
  retries: number;
  onTimeout: () => void;
  onGiveUp: () => void;
}

export class RetransmitTimer {
  private readonly o: RetransmitTimerOptions;
  private lastProgressAt = Date.now();
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(options: RetransmitTimerOptions) {
    this.o = options;
  }

  /** Something new was acknowledged or received: the retry count starts over. */
  progress(): void {
    this.lastProgressAt = Date.now();
    this.attempt = 0;
    if (this.timer === null && !this.stopped) this.schedule(this.delay());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private delay(): number {
    return this.o.backoff ? this.o.timeoutMs << Math.min(this.attempt, MAX_BACKOFF_SHIFT) : this.o.timeoutMs;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(1, ms));
  }

  private fire(): void {
    this.timer = null;
    if (this.stopped) return;
    const due = this.lastProgressAt + this.delay();
    const now = Date.now();
    if (now < due) return this.schedule(due - now);
    if (this.attempt >= this.o.retries) {
      this.stopped = true;
      this.o.onGiveUp();
      return;
    }
    this.attempt++;
    this.lastProgressAt = now;
    this.schedule(this.delay());
    this.o.onTimeout();
  }
}
