// The main thread's side of the SQLite worker: sends requests, matches replies by
// id, turns error replies back into StoreError. The worker is unref'd while idle, so
// an open store never keeps a finished process alive by itself.

import { Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger.ts';
import { StoreError } from '../types.ts';
import type { Db, ReadOperations, WriteOperations } from './operations.ts';
import type { LockOperations } from './lock-file.ts';
import type { StoreEvent } from '../../bus/bus.ts';
import type { WorkerMessage, WorkerOptions, WorkerRequest, WorkerResponse, WorkerStatus } from './protocol.ts';

export type Args<F> = F extends (db: Db, ...args: infer A) => unknown ? A : never;
export type Result<F> = F extends (...args: never[]) => infer R ? R : never;

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class SqliteWorkerClient {
  private readonly worker: Worker;
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  /** Receives what other processes changed (the worker's ChangesNotice), in commit order. */
  onChanges: ((events: StoreEvent[]) => void) | null = null;

  private constructor(worker: Worker, log: Logger | undefined) {
    this.worker = worker;
    worker.on('message', (message: WorkerMessage) => {
      if ('kind' in message) this.onChanges?.(message.events);
      else this.settle(message);
    });
    worker.on('error', (error) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      log?.error({ err: failure }, 'sqlite worker failed');
      this.fail(failure);
    });
    worker.on('exit', (code) => this.fail(new Error(`sqlite worker exited (${code})`)));
    worker.unref();
  }

  static async start(options: WorkerOptions, log?: Logger): Promise<SqliteWorkerClient> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: options });
    let onMessage!: (status: WorkerStatus) => void;
    let onError!: (error: unknown) => void;
    let onExit!: (code: number) => void;
    const status = await new Promise<WorkerStatus>((resolve, reject) => {
      onMessage = resolve;
      onError = reject;
      onExit = (code) => reject(new Error(`sqlite worker exited (${code}) while opening ${options.databasePath}`));
      worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    }).finally(() => {
      // Only these three: removeAllListeners() would also drop Node's own wiring.
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    });
    if (!status.ready) {
      await worker.terminate();
      throw new Error(`cannot open ${options.databasePath}: ${status.message}`);
    }
    return new SqliteWorkerClient(worker, log);
  }

  read<K extends keyof ReadOperations>(op: K, ...args: Args<ReadOperations[K]>): Promise<Result<ReadOperations[K]>> {
    return this.send({ id: 0, kind: 'read', op, args }) as Promise<Result<ReadOperations[K]>>;
  }

  write<K extends keyof WriteOperations>(op: K, ...args: Args<WriteOperations[K]>): Promise<Result<WriteOperations[K]>> {
    return this.send({ id: 0, kind: 'write', op, args }) as Promise<Result<WriteOperations[K]>>;
  }

  lock<K extends keyof LockOperations>(op: K, ...args: Args<LockOperations[K]>): Promise<Result<LockOperations[K]>> {
    return this.send({ id: 0, kind: 'lock', op, args }) as Promise<Result<LockOperations[K]>>;
  }

  /** Waits for requests in flight, then lets the worker close the database. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.failure) return;
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      // Stays referenced until the worker is gone, or the process could end mid-close.
      this.worker.ref();
      await this.send({ id: 0, kind: 'close' }, true);
      await exited;
    })();
    return this.closing;
  }

  private send(request: WorkerRequest, internal = false): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing && !internal) return Promise.reject(new Error('store is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      if (this.waiters.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id });
    });
  }

  private settle(response: WorkerResponse): void {
    const waiter = this.waiters.get(response.id);
    if (!waiter) return;
    this.waiters.delete(response.id);
    if (this.waiters.size === 0 && !this.closing) this.worker.unref();
    if (response.ok) waiter.resolve(response.value);
    else waiter.reject(response.code ? new StoreError(response.code, response.message) : new Error(`sqlite: ${response.message}`));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}
