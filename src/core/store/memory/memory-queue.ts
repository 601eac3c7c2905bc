// The memory backend's outbound queue: the executable reading of the QueueStore
// contract (types.ts) next to the SQLite backend's queue-operations.ts.

import type { QueueEntry, QueueStore } from '../types.ts';
import { copyAttempt, copyQueueEntry, type MemoryContext } from './memory-tables.ts';

const isWaiting = (e: QueueEntry): boolean => e.state === 'queued' || e.state === 'deferred';

export function createMemoryQueueStore(ctx: MemoryContext): QueueStore {
  const { t } = ctx;
  return {
    async list() {
      return [...t.queue.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)).map(copyQueueEntry);
    },
    async get(id) {
      const entry = t.queue.get(id);
      return entry ? copyQueueEntry(entry) : null;
    },
    async remove(id) {
      const entry = t.queue.get(id);
      if (!entry) return false;
      t.queue.delete(id);
      t.queueAttempts.delete(id);
      await ctx.releaseBlobs([entry.blobId]);
      ctx.publish([{ kind: 'queue', queueId: id, change: 'remove' }]);
      return true;
    },
    async due(now, limit) {
      return [...t.queue.values()]
        .filter((e) => isWaiting(e) && e.nextAttemptAt.getTime() <= now.getTime())
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id.localeCompare(b.id))
        .slice(0, limit)
        .map(copyQueueEntry);
    },
    async claim(id) {
      const entry = t.queue.get(id);
      if (!entry || !isWaiting(entry)) return null;
      entry.state = 'inflight';
      return copyQueueEntry(entry);
    },
    async recordAttempt(id, attempt) {
      const entry = t.queue.get(id);
      if (!entry) return null;
      for (const result of attempt.results) {
        const recipient = entry.recipients.find((r) => r.address === result.address);
        if (!recipient) continue;
        recipient.status = result.outcome === 'deferred' ? 'pending' : result.outcome;
        recipient.lastReply = result.reply;
        recipient.remoteMta = result.host ?? attempt.host;
      }
      entry.attempts++;
      const list = t.queueAttempts.get(id) ?? [];
      list.push(copyAttempt(attempt));
      t.queueAttempts.set(id, list);
      return copyQueueEntry(entry);
    },
    async attempts(id) {
      return (t.queueAttempts.get(id) ?? []).map(copyAttempt);
    },
    async defer(id, nextAttemptAt, lastError) {
      const entry = t.queue.get(id);
      if (!entry) return false;
      if (entry.state !== 'held') entry.state = 'deferred';
      entry.nextAttemptAt = new Date(nextAttemptAt);
      entry.lastError = lastError;
      return true;
    },
    async hold(id) {
      const entry = t.queue.get(id);
      if (!entry) return false;
      entry.state = 'held';
      ctx.publish([{ kind: 'queue', queueId: id, change: 'hold' }]);
      return true;
    },
    async release(id) {
      const entry = t.queue.get(id);
      if (!entry || entry.state !== 'held') return false;
      entry.state = 'queued';
      entry.nextAttemptAt = new Date();
      ctx.publish([{ kind: 'queue', queueId: id, change: 'release' }]);
      return true;
    },
    async retryNow(id) {
      const entry = t.queue.get(id);
      if (!entry || entry.state === 'inflight') return false;
      entry.state = 'queued';
      entry.nextAttemptAt = new Date();
      ctx.publish([{ kind: 'queue', queueId: id, change: 'retry' }]);
      return true;
    },
    async requeueInFlight() {
      let count = 0;
      for (const entry of t.queue.values()) {
        if (entry.state !== 'inflight') continue;
        entry.state = 'queued';
        count++;
      }
      return count;
    },
    async setDelayNotice(id, at) {
      const entry = t.queue.get(id);
      if (!entry) return false;
      entry.delayNoticeAt = new Date(at);
      return true;
    },
  };
}
