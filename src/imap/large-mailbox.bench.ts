// Measures the IMAP engine on one big mailbox (issue 3: 100,000 messages; SELECT,
// FETCH 1:* (UID FLAGS) and UID SEARCH must stay fast, and a session must grow only by
// its sequence map). Not a test: it prints timings and asserts nothing about them.
//
//   node_modules/.bin/node --expose-gc src/imap/large-mailbox.bench.ts [messages] [memory|sqlite]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.ts';
import type { Store } from '../core/store/types.ts';
import { ImapFixture, type ImapClient } from './test-support.ts';

const total = Number(process.argv[2] ?? 100_000);
const backend = process.argv[3] ?? 'sqlite';
const dataDir = await mkdtemp(path.join(tmpdir(), 'septet-imap-bench-'));
const store: Store = backend === 'memory' ? createMemoryStore() : await openSqliteStore({ dataDir, fsync: false });

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await run();
  console.log(`${label.padEnd(52)} ${(performance.now() - start).toFixed(1).padStart(9)} ms`);
  return value;
}

const heap = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

const f = await ImapFixture.start({ store });
try {
  const writer = await store.blobs.create();
  await writer.write(Buffer.from('From: a@example.org\r\nSubject: bench message\r\n\r\nbody\r\n'));
  const { blobId, size } = await writer.commit();
  await timed(`${backend}: deliver ${total} messages`, async () => {
    for (let done = 0; done < total; done += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, total - done) }, (_, i) =>
          store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: f.account.id, flags: (done + i) % 3 === 0 ? ['\\Seen'] : [] }] }),
        ),
      );
    }
  });
  const c: ImapClient = await f.login();
  const before = heap();
  const buffersBefore = process.memoryUsage().arrayBuffers;
  await timed('SELECT INBOX', () => c.ok('SELECT INBOX', 120_000));
  const afterSelect = heap();
  console.log(`session growth after SELECT: heap ${((afterSelect - before) / 1024).toFixed(0)} KiB, array buffers ${((process.memoryUsage().arrayBuffers - buffersBefore) / 1024).toFixed(0)} KiB for ${total} messages`);
  const fetched = await timed('FETCH 1:* (UID FLAGS)', () => c.ok('FETCH 1:* (UID FLAGS)', 120_000));
  console.log(`  ${fetched.untagged.length} FETCH responses`);
  await timed('UID SEARCH UNSEEN', () => c.ok('UID SEARCH UNSEEN', 120_000));
  await timed('UID SEARCH 1:* (sets only)', () => c.ok('UID SEARCH RETURN (COUNT) 1:*', 120_000));
  await timed('UID FETCH last 100 (ENVELOPE)', () => c.ok(`UID FETCH ${total - 99}:* (ENVELOPE)`, 120_000));
  await timed('SEARCH SUBJECT (header read of every message)', () => c.ok('SEARCH RETURN (COUNT) SUBJECT nomatch', 600_000));
  await timed('STORE 1:* +FLAGS.SILENT (\\Flagged)', () => c.ok('STORE 1:* +FLAGS.SILENT (\\Flagged)', 600_000));
  const d = await f.login();
  await d.ok('EXAMINE INBOX', 120_000);
  await timed('EXAMINE + NOOP in a second session after that STORE', () => d.ok('NOOP', 600_000));
  await c.ok('LOGOUT');
} finally {
  await f.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}
