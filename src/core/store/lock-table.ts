// Maildrop locks held in this process (RFC 1939 §8). Enough for one node: two Septet
// processes serving the same data directory would not see each other's locks; a
// networked backend replaces this with a lock in its database.

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
