// Measures the SQLite store on one big mailbox (issue 3: 100,000 messages must stay
// fast). Not a test: it prints timings and asserts nothing about them.
//
//   node_modules/.bin/node src/core/store/sqlite/large-mailbox.bench.ts [messages]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from './sqlite-store.ts';

const total = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await run();
  console.log(`${label.padEnd(44)} ${(performance.now() - start).toFixed(1).padStart(9)} ms`);
  return value;
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'septet-bench-'));
const store = await openSqliteStore({ dataDir, fsync: true });
try {
  const account = await store.accounts.addUser('bench@example.org', 'h');
  const inbox = (await store.mailboxes.getMailbox(account.id, 'INBOX'))!;
  const writer = await store.blobs.create();
  await writer.write(Buffer.from('From: a@b\r\nSubject: bench\r\n\r\nbody\r\n'));
  const { blobId, size } = await writer.commit();

  await timed(`deliver ${total} (batches of ${BATCH}, fsync on)`, async () => {
    for (let done = 0; done < total; done += BATCH) {
      const count = Math.min(BATCH, total - done);
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          store.messages.deliver({
            blobId,
            size,
            internalDate: new Date(),
            local: [{ accountId: account.id, flags: (done + i) % 3 === 0 ? ['\\Seen'] : [] }],
          }),
        ),
      );
    }
  });

  for (let round = 1; round <= 2; round++) {
    console.log(`-- round ${round}`);
    const uids = await timed('listUids', () => store.mailboxes.listUids(inbox.id));
    const status = await timed('status', () => store.mailboxes.status(inbox.id));
    const all = await timed(`getMessages (all ${uids.length} UIDs)`, () => store.mailboxes.getMessages(inbox.id, [...uids]));
    const sparse = [...uids].filter((_, i) => i % 100 === 0);
    await timed(`getMessages (${sparse.length} sparse UIDs)`, () => store.mailboxes.getMessages(inbox.id, sparse));
    await timed('changesSince (last 100 modseqs)', () => store.mailboxes.changesSince(inbox.id, status.highestModseq - 100));
    if (round === 1) {
      console.log(`   messages=${status.messages} unseen=${status.unseen} recent=${status.recent} size=${status.size} fetched=${all.length}`);
      await timed('claimRecent (all recent)', () => store.mailboxes.claimRecent(inbox.id));
      await timed('storeFlags +\\Flagged on 1,000 UIDs', () => store.mailboxes.storeFlags(inbox.id, [...uids.subarray(0, 1000)], 'add', ['\\Flagged']));
      await timed(`storeFlags +\\Seen on all (mark all read)`, () => store.mailboxes.storeFlags(inbox.id, [...uids], 'add', ['\\Seen']));
      const archive = (await store.mailboxes.getMailbox(account.id, 'Archive'))!;
      await timed('moveMessages of 1,000 UIDs', () => store.mailboxes.moveMessages(inbox.id, [...uids.subarray(1000, 2000)], archive.id));
    }
  }
  console.log(`rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
} finally {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}
