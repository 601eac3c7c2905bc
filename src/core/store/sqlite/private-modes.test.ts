// The store's files are owner-only from creation, whatever the umask: septet.db holds
// password hashes, blobs/ the message bodies (src/core/os/private-files.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.ts';

const modeOf = async (path: string) => (await lstat(path)).mode & 0o7777;

test('a new store: septet.db, -wal, -shm and every message body 0600, folders 0700, even with umask 0', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'septet-modes-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const dataDir = join(base, 'data');
  const saved = process.umask(0);
  t.after(() => void process.umask(saved));
  const store = await openSqliteStore({ dataDir, fsync: false });
  try {
    const account = await store.accounts.addUser('alice@modes.test', 'hash');
    const blob = await store.blobs.create();
    // Larger than store.inline_body_bytes, so it is a file (small ones live in septet.db).
    await blob.write(Buffer.from(`Subject: private\r\n\r\n${'body\r\n'.repeat(20_000)}`));
    const { blobId, size } = await blob.commit();
    await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: account.id }] });
    assert.equal(await modeOf(dataDir), 0o700);
    for (const name of ['septet.db', 'septet.db-wal', 'septet.db-shm']) assert.equal(await modeOf(join(dataDir, name)), 0o600, name);
    assert.equal(await modeOf(join(dataDir, 'blobs')), 0o700);
    const fanOut = await readdir(join(dataDir, 'blobs'));
    assert.equal(fanOut.length, 256);
    for (const folder of fanOut) assert.equal(await modeOf(join(dataDir, 'blobs', folder)), 0o700, folder);
    assert.equal(await modeOf(join(dataDir, 'blobs', blobId.slice(0, 2), blobId)), 0o600);
  } finally {
    await store.close();
  }
});
