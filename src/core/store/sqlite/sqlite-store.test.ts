import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { BodyCache } from '../body-cache.ts';
import { runStoreConformance } from '../conformance.ts';
import { MIGRATIONS } from './schema.ts';
import { InlineBlobStore, isInlineBlobId } from './inline-blobs.ts';
import { openSqliteStore } from './sqlite-store.ts';

const freshDir = () => mkdtemp(path.join(tmpdir(), 'septet-sqlite-'));

// As the server runs it: a body cache small enough that the suite's bodies are evicted
// and re-read, and few kept descriptors.
runStoreConformance('sqlite with a body cache', async () => {
  const dataDir = await freshDir();
  const store = await openSqliteStore({ dataDir, fsync: false, bodyCache: new BodyCache({ budgetBytes: 4096, maxEntryBytes: 2048 }), openBodyFiles: 2 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

runStoreConformance(
  'sqlite',
  async () => {
    const dataDir = await freshDir();
    const store = await openSqliteStore({ dataDir, fsync: false });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
  // The server and the CLI: two stores (two worker threads, two connections) on the same files.
  async () => {
    const dataDir = await freshDir();
    const first = await openSqliteStore({ dataDir, fsync: false });
    const second = await openSqliteStore({ dataDir, fsync: false });
    return {
      first,
      second,
      cleanup: async () => {
        await Promise.all([first.close(), second.close()]);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
);

async function withDataDir(body: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await freshDir();
  try {
    await body(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function putBlob(store: Awaited<ReturnType<typeof openSqliteStore>>, body: string) {
  const writer = await store.blobs.create();
  await writer.write(Buffer.from(body));
  return writer.commit();
}

test('sqlite: a second store on the same files (like the CLI) changes accounts the first sees at once', () =>
  withDataDir(async (dataDir) => {
    const server = await openSqliteStore({ dataDir, fsync: true });
    const cli = await openSqliteStore({ dataDir, fsync: true });
    try {
      assert.equal(await server.accounts.getUser('carol@example.org'), null);
      await cli.accounts.addUser('carol@example.org', 'hash');
      await cli.accounts.addAlias('info@example.org', 'carol@example.org');
      assert.equal((await server.accounts.getUser('CAROL@example.org'))?.address, 'carol@example.org');
      assert.deepEqual(await server.accounts.aliasTargets('info@example.org'), ['carol@example.org']);
      // Both write at once: busy_timeout lets them take turns instead of failing.
      await Promise.all([
        server.accounts.addUser('s1@example.org', 'h'),
        cli.accounts.addUser('c1@example.org', 'h'),
        server.accounts.addUser('s2@example.org', 'h'),
        cli.accounts.setPassword('carol@example.org', 'new'),
      ]);
      assert.equal((await server.accounts.listUsers()).length, 4);
      assert.equal((await server.accounts.getUser('carol@example.org'))?.passwordHash, 'new');
    } finally {
      await cli.close();
      await server.close();
    }
  }));

test('sqlite: data survives close and reopen; UIDs continue', () =>
  withDataDir(async (dataDir) => {
    let store = await openSqliteStore({ dataDir, fsync: true });
    const dave = await store.accounts.addUser('dave@example.org', 'h');
    const { blobId, size } = await putBlob(store, 'Subject: kept\r\n\r\n');
    await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: dave.id }] });
    await store.close();
    store = await openSqliteStore({ dataDir, fsync: true });
    try {
      const inbox = (await store.mailboxes.getMailbox(dave.id, 'INBOX'))!;
      const [message] = await store.mailboxes.listMessages(inbox.id);
      assert.equal((await store.blobs.readAll(message!.blobId)).toString(), 'Subject: kept\r\n\r\n');
      const again = await putBlob(store, 'second\r\n');
      const result = await store.messages.deliver({ blobId: again.blobId, size: again.size, internalDate: new Date(), local: [{ accountId: dave.id }] });
      assert.equal(result.local[0]?.uid, 2);
    } finally {
      await store.close();
    }
  }));

test('sqlite: a temp blob left by a dead writer is removed at open; a committed blob without metadata stays invisible', () =>
  withDataDir(async (dataDir) => {
    let store = await openSqliteStore({ dataDir, fsync: false });
    const eve = await store.accounts.addUser('eve@example.org', 'h');
    // Blobs committed, but the metadata commit never happened (crash in between): a
    // small one lives only in memory until its delivery, a large one is a file.
    const orphan = await putBlob(store, 'never delivered');
    const largeOrphan = await putBlob(store, 'x'.repeat(70_000));
    await store.close();
    // A writer that died mid-message (pid 999999999 cannot exist).
    const leftover = path.join(dataDir, 'blobs', 'ab', `.tmp-999999999-ab${'0'.repeat(30)}`);
    await writeFile(leftover, 'half a message');
    store = await openSqliteStore({ dataDir, fsync: false });
    try {
      assert.deepEqual((await readdir(path.join(dataDir, 'blobs', 'ab'))).filter((n) => n.startsWith('.tmp-')), []);
      for (const mailbox of await store.mailboxes.listMailboxes(eve.id)) {
        assert.deepEqual(await store.mailboxes.listMessages(mailbox.id), []);
      }
      assert.equal(await store.mailboxes.usage(eve.id), 0);
      await assert.rejects(store.blobs.readAll(orphan.blobId), /no blob/, 'a small body never delivered leaves nothing');
      assert.ok((await store.blobs.readAll(largeOrphan.blobId)).length > 0, 'the large orphan is garbage on disk, not a message');
    } finally {
      await store.close();
    }
  }));

test('sqlite: group commit — 200 concurrent deliveries get distinct, contiguous UIDs', () =>
  withDataDir(async (dataDir) => {
    const store = await openSqliteStore({ dataDir, fsync: true });
    try {
      const frank = await store.accounts.addUser('frank@example.org', 'h');
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const { blobId, size } = await putBlob(store, `message ${i}\r\n`);
          return store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: frank.id }] });
        }),
      );
      const uids = results.map((r) => r.local[0]!.uid).sort((a, b) => a - b);
      assert.deepEqual(uids, Array.from({ length: 200 }, (_, i) => i + 1));
      const inbox = (await store.mailboxes.getMailbox(frank.id, 'INBOX'))!;
      assert.equal(inbox.uidNext, 201);
      assert.equal((await store.mailboxes.listMessages(inbox.id)).length, 200);
    } finally {
      await store.close();
    }
  }));

test('sqlite: in one batch, a refused delivery does not fail the others (one SAVEPOINT each)', () =>
  withDataDir(async (dataDir) => {
    const store = await openSqliteStore({ dataDir, fsync: false });
    try {
      const full = await store.accounts.addUser('full@example.org', 'h');
      const roomy = await store.accounts.addUser('roomy@example.org', 'h');
      await store.accounts.setQuota('full@example.org', 0);
      const { blobId, size } = await putBlob(store, 'x\r\n');
      // Sent without awaiting in between, so they reach the worker as one batch.
      const outcomes = await Promise.allSettled([
        store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: roomy.id }] }),
        store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: full.id }] }),
        store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: roomy.id }] }),
      ]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal(await store.mailboxes.usage(roomy.id), 2 * size);
      assert.equal(await store.mailboxes.usage(full.id), 0);
    } finally {
      await store.close();
    }
  }));

test('sqlite: a version 1 data directory migrates to version 2 (counters, seen, subscriptions, keywords)', () =>
  withDataDir(async (dataDir) => {
    // A database as the first release left it: schema 1 only, with data in it.
    const v1 = new DatabaseSync(path.join(dataDir, 'septet.db'));
    v1.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    v1.exec(MIGRATIONS[0]!);
    v1.exec('INSERT INTO schema_version (version) VALUES (1)');
    v1.exec("INSERT INTO accounts (id, address, password_hash, created_at) VALUES (1, 'old@example.org', 'h', 0)");
    v1.exec("INSERT INTO mailboxes (id, account_id, name, uid_validity, uid_next, subscribed, highest_modseq) VALUES (1, 1, 'INBOX', 100, 4, 1, 4), (2, 1, 'Hidden', 101, 1, 0, 1)");
    v1.exec(`INSERT INTO messages (mailbox_id, uid, size, flags, internal_date, blob_id, modseq) VALUES
      (1, 1, 10, '["\\\\SEEN","$Old"]', 0, '${'a'.repeat(32)}', 2),
      (1, 2, 20, '[]', 0, '${'b'.repeat(32)}', 3),
      (1, 3, 30, '["$old","\\\\Flagged"]', 0, '${'c'.repeat(32)}', 4)`);
    v1.close();

    const store = await openSqliteStore({ dataDir, fsync: false });
    try {
      const status = await store.mailboxes.status(1);
      assert.deepEqual(
        [status.messages, status.unseen, status.firstUnseenUid, status.size, status.uidNext, status.uidValidity, status.highestModseq],
        [3, 2, 2, 60, 4, 100, 4],
      );
      assert.deepEqual(await store.mailboxes.listSubscriptions(1), ['INBOX']);
      assert.equal((await store.mailboxes.getMailbox(1, 'Hidden'))?.subscribed, false);
      assert.deepEqual(await store.mailboxes.listKeywords(1), ['$Old']);
      assert.equal(await store.mailboxes.usage(1), 60);
      // The migrated counters keep following changes.
      await store.mailboxes.storeFlags(1, [2], 'add', ['\\Seen']);
      await store.mailboxes.expunge(1, [1]);
      const after = await store.mailboxes.status(1);
      assert.deepEqual([after.messages, after.unseen, after.size], [2, 1, 50]);
    } finally {
      await store.close();
    }
    const reopened = new DatabaseSync(path.join(dataDir, 'septet.db'));
    try {
      assert.equal(reopened.prepare('SELECT MAX(version) AS v FROM schema_version').get()?.v, MIGRATIONS.length);
    } finally {
      reopened.close();
    }
  }));

test('sqlite: the change log holds what committed (not what was refused) and is trimmed past its retention', () =>
  withDataDir(async (dataDir) => {
    // Long enough for the first steps to run well inside it on a busy machine.
    const retentionMs = 1_000;
    const store = await openSqliteStore({ dataDir, fsync: false, changeLogRetentionMs: retentionMs });
    const logged = () => {
      const raw = new DatabaseSync(path.join(dataDir, 'septet.db'), { readOnly: true });
      try {
        return raw.prepare('SELECT id, event FROM change_log ORDER BY id').all().map((r) => ({ id: Number(r.id), event: JSON.parse(String(r.event)) }));
      } finally {
        raw.close();
      }
    };
    try {
      const gina = await store.accounts.addUser('gina@example.org', 'h');
      await store.accounts.setQuota('gina@example.org', 10);
      const first = logged();
      assert.deepEqual(first.map((r) => r.event.kind), ['mailboxes', 'mailboxes', 'mailboxes', 'mailboxes', 'mailboxes', 'mailboxes']);
      const big = await putBlob(store, 'more than ten octets\r\n');
      await assert.rejects(store.messages.deliver({ blobId: big.blobId, size: big.size, internalDate: new Date(), local: [{ accountId: gina.id }] }));
      assert.equal(logged().length, first.length, 'a refused delivery leaves no change behind');
      // Time passes beyond the retention; the next write's transaction trims.
      await new Promise((r) => setTimeout(r, retentionMs * 2));
      const queued = await store.messages.deliver({
        blobId: big.blobId,
        size: big.size,
        internalDate: new Date(),
        local: [],
        remote: { sender: 'gina@example.org', recipients: [{ address: 'x@remote.test' }] },
      });
      const after = logged();
      assert.deepEqual(after.map((r) => r.event), [{ kind: 'queue', queueId: queued.queueId, change: 'enqueue' }]);
      assert.ok(after[0]!.id > first.at(-1)!.id, 'ids keep growing after a trim');
    } finally {
      await store.close();
    }
  }));

test('sqlite: small bodies held in memory share one budget; past it a body is a file, and delivery gives the octets back', () =>
  withDataDir(async (dataDir) => {
    const store = await openSqliteStore({ dataDir, fsync: false, inlineBodyBytes: 1000, inlineMemoryBytes: 2500 });
    try {
      const held = () => (store.blobs as InlineBlobStore).heldOctets;
      const user = await store.accounts.addUser('budget@example.org', 'h');
      const body = 'b'.repeat(1000);
      const first = await putBlob(store, body);
      const second = await putBlob(store, body);
      assert.equal(held(), 2000);
      const third = await putBlob(store, body);
      assert.ok(isInlineBlobId(first.blobId) && isInlineBlobId(second.blobId), 'within the budget: in the database');
      assert.ok(!isInlineBlobId(third.blobId), 'over the budget: a file');
      assert.equal(held(), 2000);
      // A writer that spills part way gives back what it held.
      const writer = await store.blobs.create();
      await writer.write(Buffer.from('x'.repeat(400)));
      assert.equal(held(), 2400);
      await writer.write(Buffer.from('x'.repeat(400)));
      assert.equal(held(), 2000);
      const spilled = await writer.commit();
      assert.ok(!isInlineBlobId(spilled.blobId));
      await store.messages.deliver({ ...first, internalDate: new Date(), local: [{ accountId: user.id }] });
      await store.blobs.delete(second.blobId);
      assert.equal(held(), 0, 'delivery and delete give the octets back');
      assert.ok(isInlineBlobId((await putBlob(store, body)).blobId), 'room again');
      assert.equal((await store.blobs.readAll(third.blobId)).toString(), body);
    } finally {
      await store.close();
    }
  }));
