// The cross-process half of SQLite's change feed (the in-process half is the bus in
// src/core/bus/bus.ts). Every event a write publishes is also written to change_log
// (schema 4) inside that write's transaction, tagged with the writing worker's origin,
// so the log holds exactly what committed. Another process on the same files (the
// server, while the CLI delivers mail or retries a queue entry) notices the database
// moved through `PRAGMA data_version`, a counter that changes only when ANOTHER
// connection commits, read from memory, hence cheap to poll; then it reads the rows
// after the last one it saw, skips its own (heard directly after its commit) and
// publishes the rest in id, i.e. commit, order: writers are serialised, and ids
// come from AUTOINCREMENT inside the write transaction.
// Runs only inside the SQLite worker thread.

import type { StoreEvent } from '../../bus/bus.ts';
import { num, str, type Db } from './db.ts';

/** Rows read per look: a larger backlog (a bulk import) is read in several turns. */
const READ_BATCH = 1000;
/** Trimming is a DELETE in a write transaction: at most this often. */
const TRIM_EVERY_MS = 60_000;

export class ChangeLogWriter {
  private readonly origin: string;
  private readonly retentionMs: number;
  private lastTrim = 0;

  constructor(origin: string, retentionMs: number) {
    this.origin = origin;
    this.retentionMs = retentionMs;
  }

  /** In the write's SAVEPOINT: the events commit, or roll back, with the change. */
  append(db: Db, events: readonly StoreEvent[], now: number): void {
    for (const event of events) db.run('INSERT INTO change_log (at, origin, event) VALUES (?, ?, ?)', now, this.origin, JSON.stringify(event));
  }

  /**
   * Inside a batch's transaction (no extra commit): forgets what is older than the
   * retention. A reader polls every few hundred milliseconds; rows kept for minutes
   * leave it a wide margin after a pause (a stopped process, a slow disk).
   */
  trimIfDue(db: Db, now: number): void {
    if (now - this.lastTrim < Math.min(TRIM_EVERY_MS, this.retentionMs)) return;
    this.lastTrim = now;
    db.run('DELETE FROM change_log WHERE at < ?', now - this.retentionMs);
  }
}

export class ChangeLogReader {
  private readonly db: Db;
  private readonly origin: string;
  private lastId: number;
  private dataVersion: number;
  private backlog = false;

  /** Starts after the newest row: what committed before this process opened is not news. */
  constructor(db: Db, origin: string) {
    this.db = db;
    this.origin = origin;
    this.dataVersion = this.currentVersion();
    this.lastId = num(db.get('SELECT COALESCE(MAX(id), 0) AS id FROM change_log')?.id);
  }

  /** Whether poll() should run again at once (more rows than one batch were waiting). */
  get behind(): boolean {
    return this.backlog;
  }

  /** Other processes' events committed since the last look; costs one PRAGMA when nobody else wrote. */
  poll(): StoreEvent[] {
    // Read the version BEFORE the rows: a commit in between moves it again, so the
    // next look reads on; nothing falls between two looks.
    const version = this.currentVersion();
    if (version === this.dataVersion && !this.backlog) return [];
    const rows = this.db.all('SELECT id, origin, event FROM change_log WHERE id > ? ORDER BY id LIMIT ?', this.lastId, READ_BATCH);
    this.dataVersion = version;
    this.backlog = rows.length === READ_BATCH;
    const events: StoreEvent[] = [];
    for (const row of rows) {
      this.lastId = num(row.id);
      if (str(row.origin) !== this.origin) events.push(JSON.parse(str(row.event)) as StoreEvent);
    }
    return events;
  }

  private currentVersion(): number {
    return num(this.db.get('PRAGMA data_version')?.data_version);
  }
}
