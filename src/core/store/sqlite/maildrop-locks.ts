// The main thread's side of the shared maildrop locks (lock-file.ts): takes and frees
// them through the SQLite worker and renews the leases of the ones this process holds,
// a third of a lease apart, so a live holder never loses its lock and a dead one's
// lock is free one lease after its last renewal at the latest.

import type { LockStore } from '../types.ts';
import type { SqliteWorkerClient } from './worker-client.ts';

export interface SharedLocks extends LockStore {
  /** Stops renewing (the store closes; the rows expire, or go with this pid). */
  stop(): void;
}

export function createSharedLocks(client: SqliteWorkerClient, leaseMs: number, onError?: (error: unknown) => void): SharedLocks {
  /** Name → owner as stored: a session id is unique in its process, so the pid makes it unique here. */
  const held = new Map<string, string>();
  const stored = (owner: string) => `${process.pid}:${owner}`;
  const timer = setInterval(() => {
    if (held.size === 0) return;
    client.lock('lockRenew', [...held], Date.now(), leaseMs).catch((error) => onError?.(error));
  }, Math.max(1, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    async tryLock(name, owner) {
      const taken = await client.lock('lockTry', name, stored(owner), process.pid, Date.now(), leaseMs);
      if (taken) held.set(name, stored(owner));
      return taken;
    },
    async unlock(name, owner) {
      if (held.get(name) === stored(owner)) held.delete(name);
      await client.lock('lockRelease', name, stored(owner));
    },
    stop() {
      clearInterval(timer);
    },
  };
}
