// When to try a queued message again, and when to give up (RFC 5321 §4.5.4.1, RFC
// 1123 §5.3.1.1): the first attempt at once, then the configured waits — by default
// +30 minutes (two tries in the first hour), then every 2 hours — until max_age
// (default 5 days), after which the message is bounced.

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "2h", "5d", "1500ms"; a bare number is seconds. Throws ScheduleError naming `key`. */
export function parseDuration(text: string, key: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) throw new ScheduleError(`${key}: "${text}" is not a duration (like 30m, 2h, 5d)`);
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? 's').toLowerCase()]!);
}

export interface ScheduleSettings {
  retry_schedule: string[];
  max_age: string;
  delay_notice_after: string;
}

export class RetrySchedule {
  /** Waits after the 1st, 2nd, ... failed attempt; the last one repeats. */
  readonly waits: readonly number[];
  readonly maxAgeMs: number;
  /** 0 = no delayed notice. */
  readonly delayNoticeMs: number;

  constructor(settings: ScheduleSettings) {
    if (settings.retry_schedule.length === 0) throw new ScheduleError('relay.retry_schedule: needs at least one wait');
    this.waits = settings.retry_schedule.map((w, i) => parseDuration(w, `relay.retry_schedule[${i}]`));
    if (this.waits.some((w) => w <= 0)) throw new ScheduleError('relay.retry_schedule: waits must be above zero');
    this.maxAgeMs = parseDuration(settings.max_age, 'relay.max_age');
    this.delayNoticeMs = parseDuration(settings.delay_notice_after, 'relay.delay_notice_after');
  }

  /** The wait after `failedAttempts` attempts (1 = after the first). */
  waitAfter(failedAttempts: number): number {
    const index = Math.min(Math.max(failedAttempts, 1), this.waits.length) - 1;
    return this.waits[index]!;
  }

  /** The next attempt, or null when the message would then be past max_age (give up now). */
  nextAttempt(createdAt: Date, failedAttempts: number, now: Date): Date | null {
    const next = now.getTime() + this.waitAfter(failedAttempts);
    if (this.expired(createdAt, new Date(next))) {
      // One last try right at the deadline, unless we are already past it.
      const deadline = createdAt.getTime() + this.maxAgeMs;
      return deadline > now.getTime() ? new Date(deadline) : null;
    }
    return new Date(next);
  }

  expired(createdAt: Date, now: Date): boolean {
    return now.getTime() - createdAt.getTime() >= this.maxAgeMs;
  }

  /** Whether the "delayed" notice is due now (once, after delay_notice_after in the queue). */
  delayNoticeDue(createdAt: Date, alreadySent: Date | null | undefined, now: Date): boolean {
    return this.delayNoticeMs > 0 && !alreadySent && now.getTime() - createdAt.getTime() >= this.delayNoticeMs;
  }
}
