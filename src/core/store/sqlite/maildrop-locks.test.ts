// The maildrop locks shared between processes (lock-file.ts, maildrop-locks.ts): two
// stores on one data directory see each other's locks, a killed holder's lock is free,
// a lease that is renewed holds and one that is not runs out.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { lockOperations, openLockFile } from './lock-file.ts';
import { openSqliteStore } from './sqlite-store.ts';

const freshDir = () => mkdtemp(path.join(tmpdir(), 'septet-locks-'));

test('two stores on one data directory (two processes) share maildrop locks', async () => {
  const dataDir = await freshDir();
  const first = await openSqliteStore({ dataDir, fsync: false });
  const second = await openSqliteStore({ dataDir, fsync: false });
  try {
    assert.equal(await first.locks.tryLock('maildrop:1', 'session-a'), true);
    assert.equal(await second.locks.tryLock('maildrop:1', 'session-b'), false);
    assert.equal(await second.locks.tryLock('maildrop:2', 'session-b'), true);
    // Only the holder frees a lock.
    await second.locks.unlock('maildrop:1', 'session-b');
    assert.equal(await second.locks.tryLock('maildrop:1', 'session-c'), false);
    await first.locks.unlock('maildrop:1', 'session-a');
    assert.equal(await second.locks.tryLock('maildrop:1', 'session-c'), true);
    assert.equal(await first.locks.tryLock('maildrop:1', 'session-a'), false);
  } finally {
    await Promise.all([first.close(), second.close()]);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the lock of a process killed with SIGKILL is free at once (its pid is gone)', async () => {
  const dataDir = await freshDir();
  const store = await openSqliteStore({ dataDir, fsync: false });
  const holderCode = `
    const { openSqliteStore } = await import(${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)});
    const store = await openSqliteStore({ dataDir: process.argv[2], fsync: false, lockLeaseMs: 3_600_000 });
    console.log(await store.locks.tryLock('maildrop:7', 'other-process') ? 'locked' : 'refused');
    setInterval(() => {}, 1000);
  `;
  // A file, not -e: the store's worker thread would inherit --input-type and refuse to load.
  const holder = path.join(dataDir, 'holder.mjs');
  await writeFile(holder, holderCode);
  const child = spawn(process.execPath, [holder, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await Promise.race([
      once(createInterface({ input: child.stdout! }), 'line').then(([l]) => String(l)),
      once(child, 'exit').then(([code]) => `exited ${code}`),
    ]);
    assert.equal(line, 'locked');
    assert.equal(await store.locks.tryLock('maildrop:7', 'here'), false, 'a live process holds it');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    assert.equal(await store.locks.tryLock('maildrop:7', 'here'), true, 'the dead holder no longer holds it, although its hour-long lease runs');
  } finally {
    child.kill('SIGKILL');
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a live holder keeps its lock past one lease by renewing it', async () => {
  const dataDir = await freshDir();
  const first = await openSqliteStore({ dataDir, fsync: false, lockLeaseMs: 300 });
  const second = await openSqliteStore({ dataDir, fsync: false, lockLeaseMs: 300 });
  const file = new DatabaseSync(path.join(dataDir, 'locks.db'), { readOnly: true });
  const expiry = () => Number(file.prepare("SELECT expires_at FROM maildrop_locks WHERE name = 'maildrop:1'").get()?.expires_at ?? 0);
  try {
    assert.equal(await first.locks.tryLock('maildrop:1', 'session-a'), true);
    const firstLease = expiry();
    // Wait (on the file, not a clock) until the lease has been renewed past its first end.
    while (expiry() <= firstLease + 300) await new Promise((r) => setTimeout(r, 50));
    assert.ok(Date.now() > firstLease, 'the first lease is over');
    assert.equal(await second.locks.tryLock('maildrop:1', 'session-b'), false);
  } finally {
    file.close();
    await Promise.all([first.close(), second.close()]);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a lease nobody renews runs out, even while its process lives; a live lease holds', async () => {
  const dataDir = await freshDir();
  const db = openLockFile(path.join(dataDir, 'locks.db'), 1000);
  const alive = () => true;
  try {
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'stuck', 999_999, 1_000, 30_000, alive), true);
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'next', 4242, 30_999, 30_000, alive), false, 'lease still running');
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'stuck', 999_999, 2_000, 30_000, alive), true, 'the holder may take it again (renew)');
    lockOperations.lockRenew(db, [['maildrop:3', 'stuck']], 20_000, 30_000);
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'next', 4242, 40_000, 30_000, alive), false, 'renewed until 50 000');
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'next', 4242, 50_001, 30_000, alive), true, 'expired');
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'stuck', 999_999, 50_002, 30_000, alive), false, 'the new holder keeps it');
    lockOperations.lockRelease(db, 'maildrop:3', 'stuck');
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'other', 4243, 50_003, 30_000, alive), false, 'a stale release frees nothing');
    lockOperations.lockRelease(db, 'maildrop:3', 'next');
    assert.equal(lockOperations.lockTry(db, 'maildrop:3', 'other', 4243, 50_004, 30_000, alive), true);
  } finally {
    db.raw.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
