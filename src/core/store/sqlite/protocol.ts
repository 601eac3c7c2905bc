// Messages between the main thread (worker-client.ts) and the SQLite worker (worker.ts).

import type { StoreEvent } from '../../bus/bus.ts';
import type { StoreErrorCode } from '../types.ts';

export interface WorkerOptions {
  databasePath: string;
  fsync: boolean;
  /** How long a write waits for another process's lock (the CLI) before failing. */
  busyTimeoutMs: number;
  /** How often the worker looks whether another process committed (change-log.ts). */
  changePollMs: number;
  /** How long change_log rows are kept. */
  changeLogRetentionMs: number;
  /** The maildrop lock file shared by the processes on this data directory (lock-file.ts). */
  lockPath: string;
}

export interface OperationRequest {
  id: number;
  /** 'lock': the maildrop lock file, answered at once, outside the batches (lock-file.ts). */
  kind: 'read' | 'write' | 'lock';
  op: string;
  args: unknown[];
}
export type WorkerRequest = OperationRequest | { id: number; kind: 'close' };

export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; code: StoreErrorCode | null; message: string };

/** Sent by the worker, unasked: what other processes changed, in commit order. */
export interface ChangesNotice {
  kind: 'changes';
  events: StoreEvent[];
}

export type WorkerMessage = WorkerResponse | ChangesNotice;

export type WorkerStatus = { ready: true; schemaVersion: number } | { ready: false; message: string };
