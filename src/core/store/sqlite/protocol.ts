// Messages between the main thread (worker-client.ts) and the SQLite worker (worker.ts).

import type { StoreErrorCode } from '../types.ts';

export interface WorkerOptions {
  databasePath: string;
  fsync: boolean;
  /** How long a write waits for another process's lock (the CLI) before failing. */
  busyTimeoutMs: number;
}

export interface OperationRequest {
  id: number;
  kind: 'read' | 'write';
  op: string;
  args: unknown[];
}
export type WorkerRequest = OperationRequest | { id: number; kind: 'close' };

export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; code: StoreErrorCode | null; message: string };

export type WorkerStatus = { ready: true; schemaVersion: number } | { ready: false; message: string };
