// crypt(3) verification ($5$, $6$, $2y$) runs in JavaScript and takes 4-400 ms of CPU
// (SHA-crypt's 5000 rounds, bcrypt's 2^cost key schedules), too long for the event loop
// that serves every connection. One worker thread, started at the first such login and
// idle (unref'd) between them, does it instead. These hashes are only ever imported
// ones, replaced at the first login, so one thread is enough.

import { Worker } from 'node:worker_threads';
import type { CryptReply, CryptRequest } from './crypt-worker.ts';

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (ok: boolean) => void; reject: (error: Error) => void }>();

function failAll(error: Error): void {
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
  worker = null;
}

function start(): Worker {
  const started = new Worker(new URL('./crypt-worker.ts', import.meta.url));
  started.on('message', ({ id, ok }: CryptReply) => {
    pending.get(id)?.resolve(ok);
    pending.delete(id);
    if (pending.size === 0) started.unref();
  });
  started.on('error', failAll);
  started.on('exit', (code) => {
    if (worker === started) failAll(new Error(`crypt worker exited with ${code}`));
  });
  return started;
}

/** Verifies a crypt(3) string ($5$, $6$, $2a/b/y$) on the worker thread. */
export function verifyCryptOffThread(password: Buffer, stored: string): Promise<boolean> {
  worker ??= start();
  worker.ref(); // a login is waiting: keep the process alive until it is answered
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage({ id, password: new Uint8Array(password), stored } satisfies CryptRequest);
  });
}
