// The whole server's status, from several processes: each process (the single server,
// or every worker of src/startup/workers/) writes its counters to
// <data>/run/status/<pid>.json and its recent log lines to <pid>.log.json once a
// second (0600, written to a temporary name then renamed, so a reader never sees half
// a file). A reader (the web console's status and log pages) sums the files of
// processes that still run, and removes those of processes that are gone: a crashed
// worker's counters are lost with it, as Prometheus would lose a crashed target's.

import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recentLogLines, type LogRing } from '../log/ring.ts';
import { makePrivateDirs, PRIVATE_FILE_MODE } from '../os/private-files.ts';
import { metrics, sumSamples, type MetricSample, type MetricsRegistry } from './registry.ts';

export const STATUS_INTERVAL_MS = 1000;
/** A file not rewritten for this long is a process that hangs or a pid reused: not counted. */
export const STALE_AFTER_MS = 15_000;

export function statusFolder(dataDir: string): string {
  return join(dataDir, 'run', 'status');
}

export interface ProcessStatus {
  pid: number;
  /** Worker slot 1..N, or null for a single process. */
  worker: number | null;
  startedAt: string;
  writtenAt: string;
  samples: MetricSample[];
}

export interface ProcessLogs {
  pid: number;
  worker: number | null;
  lines: string[];
}

async function writeAtomically(path: string, data: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data, { mode: PRIVATE_FILE_MODE });
  await rename(temporary, path);
}

export interface StatusPublisherOptions {
  folder: string;
  worker: number | null;
  intervalMs?: number;
  registry?: MetricsRegistry;
  ring?: LogRing;
  warn?: (message: string) => void;
}

export interface StatusPublisher {
  /** Writes both files now. */
  publish(): Promise<void>;
  /** Stops writing and removes this process's files. */
  stop(): Promise<void>;
}

export async function startStatusPublisher(o: StatusPublisherOptions): Promise<StatusPublisher> {
  const registry = o.registry ?? metrics;
  const ring = o.ring ?? recentLogLines;
  const startedAt = new Date().toISOString();
  const base = join(o.folder, String(process.pid));
  let writtenLogVersion = -1;
  let warned = false;
  let running: Promise<void> | null = null;

  const publishOnce = async () => {
    await makePrivateDirs(o.folder);
    const status: ProcessStatus = { pid: process.pid, worker: o.worker, startedAt, writtenAt: new Date().toISOString(), samples: registry.snapshot() };
    await writeAtomically(`${base}.json`, JSON.stringify(status));
    const version = ring.version;
    if (version !== writtenLogVersion) {
      const logs: ProcessLogs = { pid: process.pid, worker: o.worker, lines: ring.snapshot() };
      await writeAtomically(`${base}.log.json`, JSON.stringify(logs));
      writtenLogVersion = version;
    }
  };
  const publish = () => {
    running ??= publishOnce()
      .catch((error: Error) => {
        // Status is a convenience: a full disk must not fill the log with one line a second.
        if (!warned) o.warn?.(`cannot write the status files in ${o.folder}: ${error.message}`);
        warned = true;
      })
      .finally(() => (running = null));
    return running;
  };
  await publish();
  const timer = setInterval(() => void publish(), o.intervalMs ?? STATUS_INTERVAL_MS);
  timer.unref();
  return {
    publish,
    async stop() {
      clearInterval(timer);
      await running;
      await Promise.all([rm(`${base}.json`, { force: true }), rm(`${base}.log.json`, { force: true })]);
    },
  };
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const STATUS_FILE = /^(\d+)\.json$/;
const LOG_FILE = /^(\d+)\.log\.json$/;

async function readJsonFiles<T>(folder: string, pattern: RegExp): Promise<{ pid: number; path: string; data: T | null }[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found = names.map((name) => ({ name, match: pattern.exec(name) })).filter((f) => f.match);
  return Promise.all(
    found.map(async ({ name, match }) => {
      const path = join(folder, name);
      const data = await readFile(path, 'utf8').then((text) => JSON.parse(text) as T, () => null);
      return { pid: Number(match![1]), path, data };
    }),
  );
}

export interface ServerStatus {
  /** The processes counted, oldest first. */
  processes: { pid: number; worker: number | null; startedAt: string; writtenAt: string }[];
  /** Their samples summed by name and labels. */
  samples: MetricSample[];
}

/** The live processes' counters, summed; the files of dead processes are removed. */
export async function readServerStatus(folder: string, now = Date.now()): Promise<ServerStatus> {
  const live: ProcessStatus[] = [];
  for (const file of await readJsonFiles<ProcessStatus>(folder, STATUS_FILE)) {
    if (!processRuns(file.pid)) {
      await Promise.all([rm(file.path, { force: true }), rm(join(folder, `${file.pid}.log.json`), { force: true })]);
      continue;
    }
    const status = file.data;
    if (!status || status.pid !== file.pid || !Array.isArray(status.samples)) continue;
    if (now - Date.parse(status.writtenAt) > STALE_AFTER_MS) continue;
    live.push(status);
  }
  live.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.pid - b.pid);
  return {
    processes: live.map(({ pid, worker, startedAt, writtenAt }) => ({ pid, worker, startedAt, writtenAt })),
    samples: sumSamples(live.map((s) => s.samples)),
  };
}

export interface LogLine {
  /** ms since the epoch (pino's `time`). */
  time: number;
  /** pino's number: 10 trace … 60 fatal. */
  level: number;
  msg: string;
  pid: number;
  worker: number | null;
  /** The whole line, parsed. */
  fields: Record<string, unknown>;
}

/** The recent log lines of every live process, newest first. */
export async function readRecentLogs(folder: string, options: { minLevel?: number; limit?: number } = {}): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (const file of await readJsonFiles<ProcessLogs>(folder, LOG_FILE)) {
    if (!processRuns(file.pid) || !file.data || !Array.isArray(file.data.lines)) continue;
    for (const text of file.data.lines) {
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue; // a line cut at the ring's length limit
      }
      const level = typeof fields.level === 'number' ? fields.level : 30;
      if (level < (options.minLevel ?? 0)) continue;
      lines.push({ time: typeof fields.time === 'number' ? fields.time : 0, level, msg: typeof fields.msg === 'string' ? fields.msg : '', pid: file.pid, worker: file.data.worker ?? null, fields });
    }
  }
  lines.sort((a, b) => b.time - a.time);
  return lines.slice(0, options.limit ?? lines.length);
}
