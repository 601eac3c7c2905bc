// Web console sessions in memory (contract: WebSessionStore in ../types.ts). They live in
// the shared tables so that deleteUser signs the account out everywhere.

import type { WebSession, WebSessionStore } from '../types.ts';
import type { MemoryContext } from './memory-tables.ts';

const copy = (s: WebSession): WebSession => ({ ...s, createdAt: new Date(s.createdAt), expiresAt: new Date(s.expiresAt) });

export function createMemoryWebSessionStore(ctx: MemoryContext): WebSessionStore {
  const { t } = ctx;
  return {
    async create(session) {
      ctx.requireAccount(session.accountId);
      t.webSessions.set(session.id, copy(session));
    },
    async get(id, now) {
      const found = t.webSessions.get(id);
      return found && found.expiresAt.getTime() > now.getTime() ? copy(found) : null;
    },
    async touch(id, expiresAt) {
      const found = t.webSessions.get(id);
      if (!found) return false;
      found.expiresAt = new Date(expiresAt);
      return true;
    },
    async delete(id) {
      return t.webSessions.delete(id);
    },
    async deleteForAccount(accountId, exceptId) {
      let gone = 0;
      for (const [id, s] of t.webSessions) {
        if (s.accountId === accountId && id !== exceptId) {
          t.webSessions.delete(id);
          gone++;
        }
      }
      return gone;
    },
    async purgeExpired(now) {
      let gone = 0;
      for (const [id, s] of t.webSessions) {
        if (s.expiresAt.getTime() <= now.getTime()) {
          t.webSessions.delete(id);
          gone++;
        }
      }
      return gone;
    },
  };
}
