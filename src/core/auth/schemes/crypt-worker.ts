// The worker thread of crypt-pool.ts: verifies crypt(3) hashes (JavaScript, CPU-bound)
// away from the event loop that serves every connection.

import { parentPort } from 'node:worker_threads';
import { isBcrypt, verifyBcrypt } from './bcrypt.ts';
import { verifyShaCrypt } from './sha-crypt.ts';

export interface CryptRequest {
  id: number;
  password: Uint8Array;
  stored: string;
}
export interface CryptReply {
  id: number;
  ok: boolean;
}

parentPort?.on('message', ({ id, password, stored }: CryptRequest) => {
  const bytes = Buffer.from(password);
  let ok = false;
  try {
    ok = isBcrypt(stored) ? verifyBcrypt(bytes, stored) : verifyShaCrypt(bytes, stored);
  } finally {
    bytes.fill(0);
    parentPort!.postMessage({ id, ok } satisfies CryptReply);
  }
});
