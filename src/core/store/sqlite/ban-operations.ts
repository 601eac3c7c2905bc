// Source bans in SQLite (contract: BanStore in ../types.ts; table `bans`, schema 4).
// Times are milliseconds since the epoch, passed in by the caller.

import type { SourceBan } from '../types.ts';
import { num, str, type Db, type Row, type WriteOutcome } from './db.ts';

const toBan = (r: Row): SourceBan => ({
  source: str(r.source),
  reason: str(r.reason),
  createdAt: new Date(num(r.created_at)),
  expiresAt: new Date(num(r.expires_at)),
});

export const banReadOperations = {
  listBans: (db: Db, now: number): SourceBan[] =>
    db.all('SELECT * FROM bans WHERE expires_at > ? ORDER BY created_at, source', now).map(toBan),
};

export const banWriteOperations = {
  addBan(db: Db, source: string, reason: string, createdAt: number, expiresAt: number): WriteOutcome<void> {
    // Expired rows go here, so the table holds only about the bans in force.
    db.run('DELETE FROM bans WHERE expires_at <= ?', createdAt);
    db.run(
      `INSERT INTO bans (source, reason, created_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at,
         expires_at = MAX(bans.expires_at, excluded.expires_at)`,
      source,
      reason,
      createdAt,
      expiresAt,
    );
    return { value: undefined };
  },

  deleteBan(db: Db, source: string, now: number): WriteOutcome<boolean> {
    const row = db.get('DELETE FROM bans WHERE source = ? RETURNING expires_at', source);
    return { value: row !== undefined && num(row.expires_at) > now };
  },
};
