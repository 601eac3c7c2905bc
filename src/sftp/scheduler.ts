// Requests in flight. draft-ietf-secsh-filexfer-02 §6.1 lets replies leave in any
// order, but "the result of their execution ... is guaranteed to be as if they had been
// processed one at a time in the order in which the requests were sent" (§7). So READs
// and WRITEs run concurrently unless they touch overlapping octets of one file with at
// least one write (or an append); every other request is a barrier: it waits for those
// before it and those after it wait for it. Transfers (many READs or WRITEs on one
// handle, the case that matters for speed) never wait for each other.

export interface Access {
  /** File identity (device:inode). */
  key: string;
  start: number;
  end: number;
  write: boolean;
}

interface Job {
  access: Access | null;
  started: boolean;
  task: () => Promise<void>;
}

function conflicts(a: Access | null, b: Access | null): boolean {
  if (a === null || b === null) return true;
  if (a.key !== b.key) return false;
  if (!a.write && !b.write) return false;
  return a.start < b.end && b.start < a.end;
}

export class Scheduler {
  private readonly jobs: Job[] = [];
  /** Told about a task that rejected (a bug: tasks answer their own failures). */
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = () => {}) {
    this.onError = onError;
  }

  private waiting = 0;
  private idleWaiters: Array<() => void> = [];
  private changeWaiters: Array<() => void> = [];

  /** Requests received and not yet answered. */
  get size(): number {
    return this.jobs.length;
  }

  /** Runs `task` as soon as nothing before it conflicts (`access` null: a barrier). */
  submit(access: Access | null, task: () => Promise<void>): void {
    const job: Job = { access, started: false, task };
    this.jobs.push(job);
    if (this.mayStart(this.jobs.length - 1)) this.start(job);
    else this.waiting++;
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves at the next completion (the read loop waits on it when too much is in flight). */
  change(): Promise<void> {
    return new Promise((resolve) => this.changeWaiters.push(resolve));
  }

  private mayStart(i: number): boolean {
    const a = this.jobs[i]!.access;
    for (let j = 0; j < i; j++) if (conflicts(this.jobs[j]!.access, a)) return false;
    return true;
  }

  private start(job: Job): void {
    job.started = true;
    // The task maps its own failures to a reply; this only keeps the bookkeeping. A task
    // that rejects anyway is logged, never left as an unhandled rejection (that would end
    // the process, every user's session with it).
    job.task()
      .catch((error: unknown) => this.onError(error))
      .finally(() => this.finish(job));
  }

  private finish(job: Job): void {
    const at = this.jobs.indexOf(job);
    if (at !== -1) this.jobs.splice(at, 1);
    if (this.waiting > 0) {
      for (let i = 0; i < this.jobs.length; i++) {
        const next = this.jobs[i]!;
        if (!next.started && this.mayStart(i)) {
          this.waiting--;
          this.start(next);
        }
      }
    }
    if (this.changeWaiters.length > 0) {
      const waiters = this.changeWaiters;
      this.changeWaiters = [];
      for (const w of waiters) w();
    }
    if (this.jobs.length === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
