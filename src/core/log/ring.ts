// The last log lines of this process, kept in memory for the web console's log page
// (shared with the other worker processes through src/core/metrics/status-files.ts).
// The logger (logger.ts) writes every line here as well as to its destination; a line
// is pino's JSON, which never holds a password (the auth code logs none, and the
// logger redacts any `password` field).

/** How many lines each process keeps. */
export const RECENT_LOG_LINES = 500;
/** Longer lines are cut (a huge error object must not fill the ring's memory). */
const MAX_LINE = 4096;

export class LogRing {
  private readonly lines: string[] = [];
  private readonly capacity: number;
  /** Bumped by every line: a writer of the shared file skips a ring that has not changed. */
  version = 0;

  constructor(capacity = RECENT_LOG_LINES) {
    this.capacity = capacity;
  }

  /** pino's stream interface: one JSON line (with its newline) per call. */
  write(line: string): void {
    const text = line.endsWith('\n') ? line.slice(0, -1) : line;
    this.lines.push(text.length > MAX_LINE ? text.slice(0, MAX_LINE) : text);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    this.version++;
  }

  /** Oldest first. */
  snapshot(): string[] {
    return [...this.lines];
  }
}

/** This process's ring, fed by every logger createLogger() makes. */
export const recentLogLines = new LogRing();
