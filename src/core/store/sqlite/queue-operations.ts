// The outbound queue in SQLite (contract: QueueStore in ../types.ts). Recipients
// with their relay status are one JSON column of the entry: they change together,
// in one UPDATE per attempt. Attempts are rows of queue_attempts (schema 3).

import type { QueueEvent } from '../../bus/bus.ts';
import type { AttemptResult, QueueAttempt, QueueEntry, QueueRecipient } from '../types.ts';
import { num, str, strOrNull, toQueueEntry, unreferenced, type Db, type Row, type WriteOutcome } from './db.ts';

const WAITING = "state IN ('queued', 'deferred')";

export const queueEvent = (queueId: string, change: QueueEvent['change']): QueueEvent => ({ kind: 'queue', queueId, change });

/** An operator's change: true and a QueueEvent (the relay acts at once) when a row changed. */
function changedQueue(rows: number, id: string, change: QueueEvent['change']): WriteOutcome<boolean> {
  return rows > 0 ? { value: true, events: [queueEvent(id, change)] } : { value: false };
}

const toAttempt = (r: Row): QueueAttempt => ({
  at: new Date(num(r.at)),
  host: strOrNull(r.host),
  results: JSON.parse(str(r.results)) as AttemptResult[],
});

function getEntry(db: Db, id: string): QueueEntry | null {
  const row = db.get('SELECT * FROM queue WHERE id = ?', id);
  return row ? toQueueEntry(row) : null;
}

export const queueReadOperations = {
  queueList: (db: Db): QueueEntry[] => db.all('SELECT * FROM queue ORDER BY created_at, id').map(toQueueEntry),
  queueGet: (db: Db, id: string): QueueEntry | null => getEntry(db, id),
  queueDue: (db: Db, now: number, limit: number): QueueEntry[] =>
    db.all(`SELECT * FROM queue WHERE ${WAITING} AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, now, limit).map(toQueueEntry),
  queueAttempts: (db: Db, id: string): QueueAttempt[] =>
    db.all('SELECT at, host, results FROM queue_attempts WHERE queue_id = ? ORDER BY at, rowid', id).map(toAttempt),
};

export const queueWriteOperations = {
  queueRemove(db: Db, id: string): WriteOutcome<boolean> {
    const row = db.get('DELETE FROM queue WHERE id = ? RETURNING blob_id', id); // attempts cascade
    if (!row) return { value: false };
    return { value: true, releasedBlobs: unreferenced(db, [str(row.blob_id)]), events: [queueEvent(id, 'remove')] };
  },

  queueClaim(db: Db, id: string): WriteOutcome<QueueEntry | null> {
    const row = db.get(`UPDATE queue SET state = 'inflight' WHERE id = ? AND ${WAITING} RETURNING *`, id);
    return { value: row ? toQueueEntry(row) : null };
  },

  queueRecordAttempt(db: Db, id: string, at: number, host: string | null, results: AttemptResult[]): WriteOutcome<QueueEntry | null> {
    const entry = getEntry(db, id);
    if (!entry) return { value: null };
    const recipients: QueueRecipient[] = entry.recipients.map((recipient) => {
      const result = results.find((r) => r.address === recipient.address);
      if (!result) return recipient;
      return { ...recipient, status: result.outcome === 'deferred' ? 'pending' : result.outcome, lastReply: result.reply, remoteMta: result.host ?? host };
    });
    const row = db.get('UPDATE queue SET recipients = ?, attempts = attempts + 1 WHERE id = ? RETURNING *', JSON.stringify(recipients), id);
    db.run('INSERT INTO queue_attempts (queue_id, at, host, results) VALUES (?, ?, ?, ?)', id, at, host, JSON.stringify(results));
    return { value: toQueueEntry(row!) };
  },

  queueDefer(db: Db, id: string, nextAttemptAt: number, lastError: string | null): WriteOutcome<boolean> {
    const changed = db.run(
      "UPDATE queue SET state = CASE state WHEN 'held' THEN 'held' ELSE 'deferred' END, next_attempt_at = ?, last_error = ? WHERE id = ?",
      nextAttemptAt,
      lastError,
      id,
    );
    return { value: changed > 0 };
  },

  queueHold(db: Db, id: string): WriteOutcome<boolean> {
    return changedQueue(db.run("UPDATE queue SET state = 'held' WHERE id = ?", id), id, 'hold');
  },

  queueRelease(db: Db, id: string, now: number): WriteOutcome<boolean> {
    return changedQueue(db.run("UPDATE queue SET state = 'queued', next_attempt_at = ? WHERE id = ? AND state = 'held'", now, id), id, 'release');
  },

  queueRetryNow(db: Db, id: string, now: number): WriteOutcome<boolean> {
    return changedQueue(db.run("UPDATE queue SET state = 'queued', next_attempt_at = ? WHERE id = ? AND state != 'inflight'", now, id), id, 'retry');
  },

  queueRequeueInFlight(db: Db): WriteOutcome<number> {
    return { value: db.run("UPDATE queue SET state = 'queued' WHERE state = 'inflight'") };
  },

  queueSetDelayNotice(db: Db, id: string, at: number): WriteOutcome<boolean> {
    return { value: db.run('UPDATE queue SET delay_notice_at = ? WHERE id = ?', at, id) > 0 };
  },
};
