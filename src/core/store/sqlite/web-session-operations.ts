// Web console sessions in SQLite (contract: WebSessionStore in ../types.ts; table
// `web_sessions`, schema 9). Rows go with their account (ON DELETE CASCADE). Times are
// milliseconds since the epoch, as everywhere in this schema.

import { StoreError, type WebSession } from '../types.ts';
import { num, str, type Db, type Row, type WriteOutcome } from './db.ts';

const toWebSession = (r: Row): WebSession => ({
  id: str(r.id),
  accountId: num(r.account_id),
  createdAt: new Date(num(r.created_at)),
  expiresAt: new Date(num(r.expires_at)),
  remoteAddress: str(r.remote_address),
  userAgent: str(r.user_agent),
});

export const webSessionReadOperations = {
  webSessionGet: (db: Db, id: string, now: number): WebSession | null => {
    const row = db.get('SELECT * FROM web_sessions WHERE id = ? AND expires_at > ?', id, now);
    return row ? toWebSession(row) : null;
  },
};

export const webSessionWriteOperations = {
  webSessionCreate(db: Db, id: string, accountId: number, createdAt: number, expiresAt: number, remoteAddress: string, userAgent: string): WriteOutcome<void> {
    if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('not-found', `no account ${accountId}`);
    db.run('INSERT INTO web_sessions (id, account_id, created_at, expires_at, remote_address, user_agent) VALUES (?, ?, ?, ?, ?, ?)', id, accountId, createdAt, expiresAt, remoteAddress, userAgent);
    return { value: undefined };
  },
  webSessionTouch: (db: Db, id: string, expiresAt: number): WriteOutcome<boolean> => ({ value: db.run('UPDATE web_sessions SET expires_at = ? WHERE id = ?', expiresAt, id) > 0 }),
  webSessionDelete: (db: Db, id: string): WriteOutcome<boolean> => ({ value: db.run('DELETE FROM web_sessions WHERE id = ?', id) > 0 }),
  webSessionDeleteForAccount: (db: Db, accountId: number, exceptId: string | null): WriteOutcome<number> => ({
    value: db.run('DELETE FROM web_sessions WHERE account_id = ? AND id IS NOT ?', accountId, exceptId),
  }),
  webSessionPurge: (db: Db, now: number): WriteOutcome<number> => ({ value: db.run('DELETE FROM web_sessions WHERE expires_at <= ?', now) }),
};
