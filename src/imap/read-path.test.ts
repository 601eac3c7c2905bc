// The read path over the SQLite store with its body cache: FETCH 1:* BODY[] of a
// mailbox far larger than store.body_cache_bytes returns every message exactly, and
// the cache never holds more than its budget (memory stays flat whatever the mailbox size).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BodyCache } from '../core/store/body-cache.ts';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.ts';
import { generatedMessage } from '../core/testing/generated-mail.ts';
import { prng } from '../core/testing/prng.ts';
import { ImapFixture } from './test-support.ts';

test('FETCH 1:* BODY[] of a mailbox ten times the body cache budget: every message exact, the cache at or under budget', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'septet-imap-read-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const budget = 64 * 1024;
  const cache = new BodyCache({ budgetBytes: budget, maxEntryBytes: 8 * 1024 });
  const store = await openSqliteStore({ dataDir, fsync: false, bodyCache: cache });
  t.after(() => store.close());
  const fixture = await ImapFixture.start({ store });
  t.after(() => fixture.close());
  const random = prng(3501);
  const messages: string[] = [];
  for (let n = 1; n <= 200; n++) messages.push(generatedMessage(n, n % 50 === 0 ? 20_000 : 3000, random));
  for (const text of messages) await fixture.deliver(text);
  const client = await fixture.login();
  await client.ok('SELECT INBOX');
  for (let round = 0; round < 2; round++) {
    const reply = await client.command('FETCH 1:* (BODY.PEEK[] BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.100>)', 30_000);
    assert.equal(reply.status.slice(0, 2), 'OK');
    assert.equal(reply.untagged.length, messages.length);
    reply.untagged.forEach((response, i) => {
      const text = messages[i]!;
      const headerEnd = text.indexOf('\r\n\r\n') + 4;
      const want = `* ${i + 1} FETCH (BODY[] {${text.length}}\r\n${text} BODY[HEADER] {${headerEnd}}\r\n${text.slice(0, headerEnd)} BODY[TEXT]<0> {100}\r\n${text.slice(headerEnd, headerEnd + 100)})`;
      assert.equal(response, want, `message ${i + 1}`);
    });
    assert.ok(cache.bytes <= budget, `held ${cache.bytes} octets`);
  }
  assert.ok(cache.peakBytes <= budget, `peak ${cache.peakBytes} octets`);
  assert.ok(cache.size > 0, 'the cache served the session');
});
