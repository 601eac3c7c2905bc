// The sessions of one account share one quota tracker, so parallel channels cannot each
// fill the quota; a tracker is re-walked after QUOTA_REWALK_MS or when the limit changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAccountFiles, QUOTA_REWALK_MS } from './file-area.ts';
import { QuotaExceededError } from './limits.ts';
import type { Account } from '../core/store/types.ts';

const account = (quotaBytes: number | null): Account => ({ id: 1, address: 'q@example.test', passwordHash: '', admin: false, createdAt: new Date(0), quotaBytes, sendAsDomain: false });

test('two sessions of one account charge one quota', async () => {
  const data = await mkdtemp(join(tmpdir(), 'septet-area-'));
  try {
    const a = await openAccountFiles(data, account(1000), 0, 1_000);
    const b = await openAccountFiles(data, account(1000), 0, 2_000);
    assert.equal(a.quota, b.quota);
    a.quota.add(900);
    assert.throws(() => b.quota.add(200), QuotaExceededError);
    // A changed limit, or an old walk, starts a new tracker from the files on disk.
    await writeFile(join(a.jail.root, 'f'), Buffer.alloc(300));
    const c = await openAccountFiles(data, account(2000), 0, 3_000);
    assert.notEqual(c.quota, a.quota);
    assert.equal(c.quota.usedBytes, 300);
    const d = await openAccountFiles(data, account(2000), 0, 3_000 + QUOTA_REWALK_MS);
    assert.notEqual(d.quota, c.quota);
    assert.equal(d.quota.usedBytes, 300);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
