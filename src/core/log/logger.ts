// Structured logging (pino). Every connection gets a child logger with its id
// (`cid`), so one session's lines can be followed across services. In a worker
// process every line also says which worker (`worker`, its slot 1..N).

import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; file?: string; fields?: Record<string, string | number> } = {}): Logger {
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : pino.destination(1);
  return pino({ level: options.level ?? 'info', base: { pid: process.pid, ...options.fields } }, destination);
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
