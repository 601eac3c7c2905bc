// The SQLite worker thread: the only owner of the database connection, so that
// synchronous SQLite calls never block the main event loop.
//
// Group commit: requests are collected until the current turn of the event loop is
// done (setImmediate); all writes collected then run in ONE transaction, each inside
// its own SAVEPOINT, so many sessions share one fsync and one failing request does
// not fail the others. Replies to writes are sent only after COMMIT returned, i.e.
// after the WAL is fsynced (synchronous=FULL). While a batch runs, new requests queue
// up in the message port and form the next batch. Reads of a batch run first, outside
// the transaction: a caller that needs to read its own write awaits the write first.
//
// Change feed: the events of each write go into change_log in its SAVEPOINT, and a
// timer looks for other processes' commits (change-log.ts) and sends their events
// to the main thread as a ChangesNotice. Replies and notices share one port, in the
// order of the commits they follow.

import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { StoreError } from '../types.ts';
import { ChangeLogReader, ChangeLogWriter } from './change-log.ts';
import { lockOperations, openLockFile } from './lock-file.ts';
import { Db, readOperations, writeOperations, type WriteOutcome } from './operations.ts';
import type { ChangesNotice, OperationRequest, WorkerOptions, WorkerRequest, WorkerResponse, WorkerStatus } from './protocol.ts';
import { migrate } from './schema.ts';

/** Bounds one transaction, so a flood of requests does not make one huge commit. */
const MAX_BATCH = 512;

const port = parentPort!;
const options = workerData as WorkerOptions;

type Operation = (db: Db, ...args: never[]) => unknown;
const reads = readOperations as unknown as Record<string, Operation>;
const writes = writeOperations as unknown as Record<string, Operation>;
const locking = lockOperations as unknown as Record<string, Operation>;
/** This connection's mark on its change_log rows, so its own events are not heard twice. */
const origin = randomBytes(8).toString('hex');
const changeLog = new ChangeLogWriter(origin, options.changeLogRetentionMs);

function openDatabase(): Db {
  const raw = new DatabaseSync(options.databasePath, { timeout: options.busyTimeoutMs });
  raw.exec('PRAGMA journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit; NORMAL may lose the last commits on power loss.
  raw.exec(`PRAGMA synchronous = ${options.fsync ? 'FULL' : 'NORMAL'}`);
  raw.exec('PRAGMA foreign_keys = ON');
  return new Db(raw);
}

const failure = (id: number, error: unknown): WorkerResponse =>
  error instanceof StoreError
    ? { id, ok: false, code: error.code, message: error.message }
    : { id, ok: false, code: null, message: error instanceof Error ? error.message : String(error) };

function runRead(db: Db, request: OperationRequest, table = reads): WorkerResponse {
  const operation = table[request.op];
  if (!operation) return { id: request.id, ok: false, code: null, message: `unknown operation ${request.op}` };
  try {
    return { id: request.id, ok: true, value: operation(db, ...(request.args as never[])) };
  } catch (error) {
    return failure(request.id, error);
  }
}

function rollbackQuietly(db: Db): void {
  try {
    db.raw.exec('ROLLBACK');
  } catch {
    // SQLite already rolled the transaction back.
  }
}

/** How often a writer looks again at a write lock another process holds. */
const LOCK_RETRY_MS = 0.5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const isBusy = (error: unknown) => ((error as { errcode?: number }).errcode ?? 0) % 256 === 5; // SQLITE_BUSY

/**
 * BEGIN IMMEDIATE: the write lock now. Held by another process (another worker, the
 * CLI), it is tried again every LOCK_RETRY_MS up to busy_timeout. SQLite's own busy
 * handler sleeps 1, 2, 5, 10, 15, 20, 25... ms between looks, so a writer that finds
 * the lock taken oversleeps the other's commit and both write less than one would
 * alone (bench/sqlite-writers.ts); this batch grows meanwhile, so the look is cheap.
 */
function beginImmediate(db: Db): void {
  const deadline = performance.now() + options.busyTimeoutMs;
  db.raw.exec('PRAGMA busy_timeout = 0');
  try {
    for (;;) {
      try {
        db.raw.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error) || performance.now() > deadline) throw error;
        Atomics.wait(sleeper, 0, 0, LOCK_RETRY_MS);
      }
    }
  } finally {
    db.raw.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`);
  }
}

function runWriteBatch(db: Db, batch: OperationRequest[]): WorkerResponse[] {
  try {
    beginImmediate(db);
  } catch (error) {
    return batch.map((request) => failure(request.id, error));
  }
  const responses: WorkerResponse[] = [];
  for (const request of batch) {
    const operation = writes[request.op];
    if (!operation) {
      responses.push({ id: request.id, ok: false, code: null, message: `unknown operation ${request.op}` });
      continue;
    }
    db.raw.exec('SAVEPOINT request');
    try {
      const value = operation(db, ...(request.args as never[])) as WriteOutcome<unknown>;
      if (value.events?.length) changeLog.append(db, value.events, Date.now());
      db.raw.exec('RELEASE request');
      responses.push({ id: request.id, ok: true, value });
    } catch (error) {
      try {
        db.raw.exec('ROLLBACK TO request');
        db.raw.exec('RELEASE request');
      } catch {
        // SQLite gave up the whole transaction (disk full, I/O error): fail the batch.
        rollbackQuietly(db);
        return batch.map((r) => failure(r.id, error));
      }
      responses.push(failure(request.id, error));
    }
  }
  try {
    // Its own savepoint: a trim that fails must not cost the batch's writes.
    db.raw.exec('SAVEPOINT trim');
    try {
      changeLog.trimIfDue(db, Date.now());
      db.raw.exec('RELEASE trim');
    } catch {
      db.raw.exec('ROLLBACK TO trim');
      db.raw.exec('RELEASE trim');
    }
    db.raw.exec('COMMIT');
    return responses;
  } catch (error) {
    // Nothing of this batch is durable: every request in it fails.
    rollbackQuietly(db);
    return batch.map((request) => failure(request.id, error));
  }
}

function main(): void {
  let db: Db;
  let others: ChangeLogReader;
  let locks: Db;
  try {
    db = openDatabase();
    locks = openLockFile(options.lockPath, options.busyTimeoutMs);
    const schemaVersion = migrate(db.raw);
    // Before "ready": a change another process commits once this store is open is news.
    others = new ChangeLogReader(db, origin);
    port.postMessage({ ready: true, schemaVersion } satisfies WorkerStatus);
  } catch (error) {
    port.postMessage({ ready: false, message: error instanceof Error ? error.message : String(error) } satisfies WorkerStatus);
    port.close();
    return;
  }

  const pending: WorkerRequest[] = [];
  let scheduled = false;

  const lookForChanges = (): void => {
    try {
      const events = others.poll();
      if (events.length > 0) port.postMessage({ kind: 'changes', events } satisfies ChangesNotice);
      if (others.behind) setImmediate(lookForChanges);
    } catch {
      // The next look tries again; the reader only moves on after a successful read.
    }
  };
  const changeTimer = setInterval(lookForChanges, options.changePollMs);

  const flush = (): void => {
    scheduled = false;
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length > 0) schedule();
    const writeBatch: OperationRequest[] = [];
    for (const request of batch) {
      if (request.kind === 'read') port.postMessage(runRead(db, request));
      else if (request.kind === 'write') writeBatch.push(request);
      else {
        // close: answer what is left, then stop.
        for (const response of runWriteBatch(db, writeBatch.splice(0))) port.postMessage(response);
        clearInterval(changeTimer);
        db.raw.close();
        locks.raw.close();
        port.postMessage({ id: request.id, ok: true, value: null } satisfies WorkerResponse);
        port.close();
        return;
      }
    }
    if (writeBatch.length > 0) for (const response of runWriteBatch(db, writeBatch)) port.postMessage(response);
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  port.on('message', (request: WorkerRequest) => {
    // A lock is one short statement on its own file: no reason to wait for a batch.
    if (request.kind === 'lock') return port.postMessage(runRead(locks, request, locking));
    pending.push(request);
    schedule();
  });
}

main();
