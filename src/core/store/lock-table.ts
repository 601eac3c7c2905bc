// Maildrop locks held in this process (RFC 1939 §8), for the in-memory store: only one
// process sees it. The SQLite store shares its locks between processes
// (sqlite/lock-file.ts); a networked backend keeps them in its database.

import type { LockStore } from './types.ts';

export function createLockTable(): LockStore {
  const holders = new Map<string, string>();
  return {
    async tryLock(name, owner) {
      const holder = holders.get(name);
      if (holder !== undefined && holder !== owner) return false;
      holders.set(name, owner);
      return true;
    },
    async unlock(name, owner) {
      // Only the holder may release; a late unlock from an old session is ignored.
      if (holders.get(name) === owner) holders.delete(name);
    },
  };
}
