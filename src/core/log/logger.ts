// Structured logging (pino). Every connection gets a child logger with its id
// (`cid`), so one session's lines can be followed across services. In a worker
// process every line also says which worker (`worker`, its slot 1..N). Every line
// also goes to the process's ring of recent lines (ring.ts), which the web console's
// log page shows.

import pino, { type Logger } from 'pino';
import { recentLogLines } from './ring.ts';

export type { Logger };

/** Fields never written as they are, wherever they appear in a line's first two levels. */
const REDACTED = ['password', '*.password', 'pass', '*.pass'];

export function createLogger(options: { level?: string; file?: string; fields?: Record<string, string | number> } = {}): Logger {
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : pino.destination(1);
  // The logger's level filters; each stream takes every line it is given.
  const streams = pino.multistream([
    { stream: destination, level: 'trace' },
    { stream: recentLogLines, level: 'trace' },
  ]);
  return pino({ level: options.level ?? 'info', base: { pid: process.pid, ...options.fields }, redact: REDACTED }, streams);
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
