// Maildrop locks shared by every process on the data directory (RFC 1939 §8: one POP3
// session holds a maildrop at a time, whichever worker process serves it). A row per
// held lock names its owner (the session), the holding process and when its lease ends;
// the holder renews the lease (maildrop-locks.ts), so the lock of a process that died
// (kill -9) is free once its lease runs out, or at once when its pid is gone.
//
// A file of its own (locks.db), not the mail database: a lock is not data worth an
// fsync, so it is written with synchronous=OFF and never waits for, or pays, the mail
// database's group commit. After a machine crash every lock is stale anyway (every
// holder's pid is gone). Runs only inside the SQLite worker thread.

import { DatabaseSync } from 'node:sqlite';
import { Db, num } from './db.ts';

export function openLockFile(path: string, busyTimeoutMs: number): Db {
  const raw = new DatabaseSync(path, { timeout: busyTimeoutMs });
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('PRAGMA synchronous = OFF');
  raw.exec(`CREATE TABLE IF NOT EXISTS maildrop_locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID`);
  return new Db(raw);
}

/** Whether process `pid` exists on this machine (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const lockOperations = {
  /** Takes `name` for `owner`, or renews it; false while another live owner's lease runs. */
  lockTry(db: Db, name: string, owner: string, pid: number, now: number, leaseMs: number, alive: (pid: number) => boolean = processAlive): boolean {
    const holder = db.get('SELECT owner, pid, expires_at FROM maildrop_locks WHERE name = ?', name);
    if (holder && holder.owner !== owner && num(holder.expires_at) > now && (num(holder.pid) === pid || alive(num(holder.pid)))) return false;
    // One statement: two processes racing here are serialised by SQLite's write lock,
    // and the loser's upsert only replaces a row that is still the one it judged free.
    const taken = db.run(
      `INSERT INTO maildrop_locks (name, owner, pid, expires_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (name) DO UPDATE SET owner = ?2, pid = ?3, expires_at = ?4
       WHERE maildrop_locks.owner = ?2 OR (maildrop_locks.owner = ?5 AND maildrop_locks.pid = ?6)`,
      name, owner, pid, now + leaseMs, String(holder?.owner ?? ''), num(holder?.pid),
    );
    return taken > 0;
  },

  /** Extends the leases of the locks this process holds. */
  lockRenew(db: Db, held: [name: string, owner: string][], now: number, leaseMs: number): void {
    for (const [name, owner] of held) db.run('UPDATE maildrop_locks SET expires_at = ? WHERE name = ? AND owner = ?', now + leaseMs, name, owner);
  },

  /** Only the holder may release; a late unlock from an old session is ignored. */
  lockRelease(db: Db, name: string, owner: string): void {
    db.run('DELETE FROM maildrop_locks WHERE name = ? AND owner = ?', name, owner);
  },
};

export type LockOperations = typeof lockOperations;
