// The read path over the SQLite store with its body cache: a maildrop far larger than
// store.body_cache_bytes is retrieved whole and exactly, and the cache never holds more
// than its budget (memory stays flat whatever the maildrop size).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BodyCache } from '../core/store/body-cache.ts';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.ts';
import { generatedMessage } from '../core/testing/generated-mail.ts';
import { prng } from '../core/testing/prng.ts';
import { Pop3Fixture } from './test-support.ts';

test('POP3 RETR of a maildrop ten times the body cache budget: every message exact, the cache at or under budget', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'septet-pop3-read-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const budget = 64 * 1024;
  const cache = new BodyCache({ budgetBytes: budget, maxEntryBytes: 8 * 1024 });
  const store = await openSqliteStore({ dataDir, fsync: false, bodyCache: cache });
  t.after(() => store.close());
  const fixture = await Pop3Fixture.start({ wrapStore: () => store });
  t.after(() => fixture.close());
  const random = prng(1939);
  const messages: string[] = [];
  // 200 × ~3 KiB and a few too large for the cache: ~10× the budget.
  for (let n = 1; n <= 200; n++) messages.push(generatedMessage(n, n % 50 === 0 ? 20_000 : 3000, random));
  for (const text of messages) await fixture.deliver(text);
  assert.ok(cache.peakBytes <= budget, `delivery held ${cache.peakBytes} octets`);
  const client = await fixture.login();
  for (let round = 0; round < 2; round++) {
    for (let n = 1; n <= messages.length; n++) {
      const status = await client.command(`RETR ${n}`);
      assert.equal(status, `+OK ${Buffer.byteLength(messages[n - 1]!)} octets`);
      const wire = await client.multilineRaw();
      // RFC 1939 §3: undo the byte-stuffing.
      assert.equal(wire.toString('latin1').replace(/^\./gm, ''), messages[n - 1], `message ${n}`);
      assert.ok(cache.bytes <= budget, `held ${cache.bytes} octets after RETR ${n}`);
    }
  }
  assert.ok(cache.peakBytes <= budget, `peak ${cache.peakBytes} octets`);
  assert.ok(cache.size > 0, 'the cache served the session');
  await client.expectOk('QUIT');
});
