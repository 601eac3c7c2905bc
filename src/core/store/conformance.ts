// The one conformance suite every Store backend must pass (the go-imap-backend-tests
// idea): it states the contract of types.ts as executable tests. A backend's test
// file calls runStoreConformance() with a factory that opens a fresh, empty store.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { text } from 'node:stream/consumers';
import type { ChangeEvent } from '../bus/bus.ts';
import type { Store } from './types.ts';

import { blobExists, deliverText, isStoreError, putBlob, type StoreFactory } from './conformance-helpers.ts';
import { runBanStoreConformance } from './conformance-bans.ts';
import { runDeliveryConformance } from './conformance-delivery.ts';
import { runImapStoreConformance } from './conformance-imap.ts';
import { runChangeFeedConformance, type StorePairFactory } from './conformance-feed.ts';
import { runQueueStoreConformance } from './conformance-queue.ts';
import { runSshKeyStoreConformance } from './conformance-ssh-keys.ts';
import { runWebSessionStoreConformance } from './conformance-web-sessions.ts';

export type { StoreFactory } from './conformance-helpers.ts';
export type { StorePairFactory } from './conformance-feed.ts';

/**
 * `makePair`, for backends that can be opened twice on the same data: two fresh stores
 * sharing it, for the cross-instance change-feed tests.
 */
export function runStoreConformance(name: string, makeStore: StoreFactory, makePair?: StorePairFactory): void {
  /** Runs body against a fresh store and always cleans up. */
  const withStore = (body: (store: Store) => Promise<void>) => async () => {
    const { store, cleanup } = await makeStore();
    try {
      await body(store);
    } finally {
      await cleanup();
    }
  };

  describe(`store conformance: ${name}`, () => {
    describe('accounts', () => {
      test('addUser normalises the domain, getUser is case-insensitive', withStore(async (store) => {
        const added = await store.accounts.addUser('Alice@Example.ORG', 'hash-1', { admin: true });
        assert.equal(added.address, 'Alice@example.org');
        assert.equal(added.passwordHash, 'hash-1');
        assert.equal(added.admin, true);
        assert.equal(added.quotaBytes, null);
        assert.ok(added.createdAt instanceof Date);
        const found = await store.accounts.getUser('alice@EXAMPLE.org');
        assert.equal(found?.id, added.id);
        assert.equal((await store.accounts.getUserById(added.id))?.address, 'Alice@example.org');
        assert.equal(await store.accounts.getUser('bob@example.org'), null);
        assert.equal(await store.accounts.getUserById(added.id + 1000), null);
      }));

      test('addUser refuses a duplicate in any case and an address that is an alias', withStore(async (store) => {
        await store.accounts.addUser('alice@example.org', 'h');
        await assert.rejects(store.accounts.addUser('ALICE@example.org', 'h'), isStoreError('exists'));
        await store.accounts.addAlias('sales@example.org', 'alice@example.org');
        await assert.rejects(store.accounts.addUser('Sales@Example.org', 'h'), isStoreError('exists'));
        await assert.rejects(store.accounts.addUser('no-domain', 'h'), isStoreError('invalid'));
      }));

      test('listUsers, listAdmins, setPassword, setQuota, setSendAsDomain, deleteUser', withStore(async (store) => {
        await store.accounts.addUser('a@example.org', 'h', { admin: true });
        await store.accounts.addUser('b@example.net', 'h');
        assert.deepEqual((await store.accounts.listUsers()).map((a) => a.address).sort(), ['a@example.org', 'b@example.net']);
        assert.deepEqual((await store.accounts.listAdmins()).map((a) => a.address), ['a@example.org']);
        assert.equal(await store.accounts.setPassword('B@example.net', 'new-hash'), true);
        assert.equal((await store.accounts.getUser('b@example.net'))?.passwordHash, 'new-hash');
        assert.equal(await store.accounts.setPassword('nobody@example.net', 'x'), false);
        // A login's scheme upgrade replaces only the hash it verified, never a newer one.
        assert.equal(await store.accounts.replacePasswordHash('B@example.net', 'stale-hash', 'upgraded'), false);
        assert.equal((await store.accounts.getUser('b@example.net'))?.passwordHash, 'new-hash');
        assert.equal(await store.accounts.replacePasswordHash('B@example.net', 'new-hash', 'upgraded'), true);
        assert.equal((await store.accounts.getUser('b@example.net'))?.passwordHash, 'upgraded');
        assert.equal(await store.accounts.replacePasswordHash('nobody@example.net', 'h', 'x'), false);
        assert.equal(await store.accounts.setQuota('b@example.net', 1000), true);
        assert.equal((await store.accounts.getUser('b@example.net'))?.quotaBytes, 1000);
        assert.equal(await store.accounts.setQuota('nobody@example.net', 1), false);
        assert.equal((await store.accounts.getUser('b@example.net'))?.sendAsDomain, false);
        assert.equal(await store.accounts.setSendAsDomain('B@Example.net', true), true);
        assert.equal((await store.accounts.getUser('b@example.net'))?.sendAsDomain, true);
        assert.equal((await store.accounts.listUsers()).find((a) => a.address === 'b@example.net')?.sendAsDomain, true);
        assert.equal(await store.accounts.setSendAsDomain('b@example.net', false), true);
        assert.equal((await store.accounts.getUserById((await store.accounts.getUser('b@example.net'))!.id))?.sendAsDomain, false);
        assert.equal(await store.accounts.setSendAsDomain('nobody@example.net', true), false);
        assert.equal(await store.accounts.setAdmin('B@Example.net', true), true);
        assert.deepEqual((await store.accounts.listAdmins()).map((a) => a.address), ['a@example.org', 'b@example.net']);
        assert.equal(await store.accounts.setAdmin('b@example.net', false), true);
        assert.equal((await store.accounts.getUser('b@example.net'))?.admin, false);
        assert.equal(await store.accounts.setAdmin('nobody@example.net', true), false);
        assert.equal((await store.accounts.addUser('c@example.net', 'h', { sendAsDomain: true })).sendAsDomain, true);
        assert.equal((await store.accounts.getUser('c@example.net'))?.sendAsDomain, true);
        assert.equal(await store.accounts.deleteUser('A@EXAMPLE.ORG'), true);
        assert.equal(await store.accounts.deleteUser('a@example.org'), false);
        assert.deepEqual((await store.accounts.listUsers()).map((a) => a.address).sort(), ['b@example.net', 'c@example.net']);
      }));

      test('deleteUser removes mailboxes, messages and their blobs', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const { blobId } = await deliverText(store, alice.id, 'Subject: x\r\n\r\nbody\r\n');
        assert.equal(await store.accounts.deleteUser('alice@example.org'), true);
        assert.deepEqual(await store.mailboxes.listMailboxes(alice.id), []);
        assert.equal(await blobExists(store, blobId), false);
        const again = await store.accounts.addUser('alice@example.org', 'h');
        assert.equal(await store.mailboxes.usage(again.id), 0);
      }));
    });

    describe('aliases and domains', () => {
      test('addAlias, aliasTargets (case-insensitive), listAliases, deleteAlias', withStore(async (store) => {
        await store.accounts.addUser('alice@example.org', 'h');
        await store.accounts.addAlias('Sales@Example.org', 'alice@example.org');
        await store.accounts.addAlias('sales@example.org', 'bob@remote.test');
        await store.accounts.addAlias('@example.org', 'alice@example.org');
        await assert.rejects(store.accounts.addAlias('SALES@example.org', 'alice@example.org'), isStoreError('exists'));
        await assert.rejects(store.accounts.addAlias('Alice@example.org', 'bob@remote.test'), isStoreError('exists'));
        assert.deepEqual((await store.accounts.aliasTargets('SALES@EXAMPLE.ORG')).sort(), ['alice@example.org', 'bob@remote.test']);
        assert.deepEqual(await store.accounts.aliasTargets('@example.org'), ['alice@example.org']);
        assert.deepEqual(await store.accounts.aliasTargets('nobody@example.org'), []);
        assert.equal((await store.accounts.listAliases()).length, 3);
        assert.equal(await store.accounts.deleteAlias('sales@EXAMPLE.org'), true);
        assert.equal(await store.accounts.deleteAlias('sales@example.org'), false);
        assert.deepEqual(await store.accounts.listAliases(), [{ alias: '@example.org', target: 'alice@example.org' }]);
      }));

      test('domains() lists the lower-cased domains of users and aliases once', withStore(async (store) => {
        assert.deepEqual(await store.accounts.domains(), []);
        await store.accounts.addUser('a@Example.ORG', 'h');
        await store.accounts.addUser('b@example.org', 'h');
        await store.accounts.addAlias('x@Other.Test', 'a@example.org');
        assert.deepEqual((await store.accounts.domains()).sort(), ['example.org', 'other.test']);
      }));
    });

    describe('mailboxes', () => {
      test('a new user has INBOX and the RFC 6154 special-use mailboxes; ensureDefaultMailboxes is idempotent', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        await store.mailboxes.ensureDefaultMailboxes(alice.id);
        const boxes = await store.mailboxes.listMailboxes(alice.id);
        const byName = new Map(boxes.map((m) => [m.name, m]));
        assert.equal(boxes.length, 6);
        assert.equal(byName.get('INBOX')?.specialUse, null);
        assert.equal(byName.get('Sent')?.specialUse, '\\Sent');
        assert.equal(byName.get('Drafts')?.specialUse, '\\Drafts');
        assert.equal(byName.get('Trash')?.specialUse, '\\Trash');
        assert.equal(byName.get('Junk')?.specialUse, '\\Junk');
        assert.equal(byName.get('Archive')?.specialUse, '\\Archive');
        assert.equal(new Set(boxes.map((m) => m.uidValidity)).size, 6, 'UIDVALIDITY differs per mailbox');
        for (const box of boxes) {
          assert.equal(box.accountId, alice.id);
          assert.equal(box.uidNext, 1);
          assert.ok(box.uidValidity > 0 && box.uidValidity < 2 ** 32);
        }
      }));

      test('getMailbox treats inbox case-insensitively; createMailbox refuses duplicates', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        assert.equal((await store.mailboxes.getMailbox(alice.id, 'inbox'))?.name, 'INBOX');
        assert.equal(await store.mailboxes.getMailbox(alice.id, 'sent'), null, 'other names are case-sensitive');
        const work = await store.mailboxes.createMailbox(alice.id, 'Work/Projects', { specialUse: null });
        assert.equal(work.name, 'Work/Projects');
        assert.equal((await store.mailboxes.getMailbox(alice.id, 'Work/Projects'))?.id, work.id);
        await assert.rejects(store.mailboxes.createMailbox(alice.id, 'Work/Projects'), isStoreError('exists'));
        await assert.rejects(store.mailboxes.createMailbox(alice.id, 'InBox'), isStoreError('exists'));
        assert.deepEqual(await store.mailboxes.listMessages(work.id + 10_000), []);
      }));
    });

    describe('delivery', () => {
      test('one deliver() records several local targets and a queue entry', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const bob = await store.accounts.addUser('bob@example.org', 'h');
        const body = 'From: c@d\r\nSubject: hi\r\n\r\nhello\r\n';
        const { blobId, size } = await putBlob(store, body);
        const when = new Date('2024-05-01T12:00:00Z');
        const result = await store.messages.deliver({
          blobId,
          size,
          internalDate: when,
          local: [{ accountId: alice.id }, { accountId: bob.id, mailbox: 'Archive', flags: ['\\Seen', '$Important'] }],
          remote: { sender: 'c@d', recipients: [{ address: 'x@remote.test', notify: 'FAILURE', orcpt: 'rfc822;x@remote.test' }], envid: 'E1', ret: 'HDRS' },
        });
        assert.equal(result.local.length, 2);
        const aliceInbox = (await store.mailboxes.getMailbox(alice.id, 'INBOX'))!;
        const bobArchive = (await store.mailboxes.getMailbox(bob.id, 'Archive'))!;
        assert.deepEqual(result.local[0], { accountId: alice.id, mailboxId: aliceInbox.id, uid: 1 });
        assert.deepEqual(result.local[1], { accountId: bob.id, mailboxId: bobArchive.id, uid: 1 });
        const [aliceMsg] = await store.mailboxes.listMessages(aliceInbox.id);
        assert.equal(aliceMsg?.uid, 1);
        assert.equal(aliceMsg?.size, size);
        assert.equal(aliceMsg?.blobId, blobId);
        assert.deepEqual(aliceMsg?.flags, []);
        assert.equal(aliceMsg?.internalDate.getTime(), when.getTime());
        assert.deepEqual((await store.mailboxes.listMessages(bobArchive.id))[0]?.flags, ['\\Seen', '$Important']);
        assert.equal((await store.mailboxes.getMailbox(alice.id, 'INBOX'))?.uidNext, 2);
        assert.equal(await store.mailboxes.usage(alice.id), size);

        assert.ok(result.queueId);
        const entry = await store.queue.get(result.queueId);
        assert.equal(entry?.sender, 'c@d');
        assert.deepEqual(entry?.recipients, [{ address: 'x@remote.test', notify: 'FAILURE', orcpt: 'rfc822;x@remote.test' }]);
        assert.equal(entry?.blobId, blobId);
        assert.equal(entry?.size, size);
        assert.equal(entry?.state, 'queued');
        assert.equal(entry?.attempts, 0);
        assert.equal(entry?.lastError, null);
        assert.equal(entry?.envid, 'E1');
        assert.equal(entry?.ret, 'HDRS');
        assert.ok(entry?.createdAt instanceof Date && entry.nextAttemptAt instanceof Date);
        assert.deepEqual((await store.queue.list()).map((q) => q.id), [result.queueId]);
      }));

      test('deliver() without remote recipients creates no queue entry', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const { blobId, size } = await putBlob(store, 'x\r\n');
        const result = await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: alice.id }] });
        assert.equal(result.queueId, null);
        assert.deepEqual(await store.queue.list(), []);
      }));

      test('deliver() to an unknown account or mailbox is refused and records nothing', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const { blobId, size } = await putBlob(store, 'x\r\n');
        await assert.rejects(
          store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: alice.id }, { accountId: alice.id + 999 }] }),
          isStoreError('not-found'),
        );
        await assert.rejects(
          store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: alice.id }, { accountId: alice.id, mailbox: 'Nope' }] }),
          isStoreError('not-found'),
        );
        assert.equal(await store.mailboxes.usage(alice.id), 0);
      }));

      test('UIDs ascend and are never reused after expunge', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const uids: number[] = [];
        for (let i = 0; i < 4; i++) uids.push((await deliverText(store, alice.id, `m${i}\r\n`)).uid);
        assert.deepEqual(uids, [1, 2, 3, 4]);
        const inbox = (await store.mailboxes.getMailbox(alice.id, 'INBOX'))!;
        await store.mailboxes.expunge(inbox.id, [4, 2]);
        assert.deepEqual((await store.mailboxes.listMessages(inbox.id)).map((m) => m.uid), [1, 3]);
        assert.equal((await deliverText(store, alice.id, 'm5\r\n')).uid, 5);
        assert.deepEqual((await store.mailboxes.listMessages(inbox.id)).map((m) => m.uid), [1, 3, 5]);
        const after = (await store.mailboxes.getMailbox(alice.id, 'INBOX'))!;
        assert.equal(after.uidNext, 6);
        assert.equal(after.uidValidity, inbox.uidValidity);
      }));

      test('quota: a delivery over quota is refused with StoreError(quota) and records nothing', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const bob = await store.accounts.addUser('bob@example.org', 'h');
        await store.accounts.setQuota('alice@example.org', 25);
        await deliverText(store, alice.id, '0123456789'); // 10 octets
        const { blobId, size } = await putBlob(store, '0123456789');
        // Two copies for alice would make 30 > 25: the whole delivery fails, bob gets nothing either.
        await assert.rejects(
          store.messages.deliver({
            blobId,
            size,
            internalDate: new Date(),
            local: [{ accountId: bob.id }, { accountId: alice.id }, { accountId: alice.id, mailbox: 'Archive' }],
            remote: { sender: 'a@b', recipients: [{ address: 'r@remote.test' }] },
          }),
          isStoreError('quota'),
        );
        assert.equal(await store.mailboxes.usage(alice.id), 10);
        assert.equal(await store.mailboxes.usage(bob.id), 0);
        assert.deepEqual(await store.queue.list(), []);
        // Exactly at the quota is allowed.
        await store.messages.deliver({ blobId, size: 15, internalDate: new Date(), local: [{ accountId: alice.id }] });
        assert.equal(await store.mailboxes.usage(alice.id), 25);
        await store.accounts.setQuota('alice@example.org', null);
        await deliverText(store, alice.id, 'more');
      }));
    });

    describe('flags and expunge', () => {
      test('storeFlags set / add / remove, case-insensitive and without duplicates', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const { mailboxId } = await deliverText(store, alice.id, 'a\r\n');
        await deliverText(store, alice.id, 'b\r\n');
        const before = (await store.mailboxes.listMessages(mailboxId))[0]!;
        let updated = (await store.mailboxes.storeFlags(mailboxId, [1, 2, 99], 'set', ['\\Seen', '\\Flagged'])).messages;
        assert.deepEqual(updated.map((m) => m.uid), [1, 2]);
        assert.deepEqual(updated[0]?.flags, ['\\Seen', '\\Flagged']);
        assert.ok(updated[0]!.modseq > before.modseq, 'a flag change raises the modseq');
        updated = (await store.mailboxes.storeFlags(mailboxId, [1], 'add', ['\\seen', '\\Answered'])).messages;
        assert.deepEqual(updated[0]?.flags, ['\\Seen', '\\Flagged', '\\Answered']);
        updated = (await store.mailboxes.storeFlags(mailboxId, [1], 'remove', ['\\FLAGGED'])).messages;
        assert.deepEqual(updated[0]?.flags, ['\\Seen', '\\Answered']);
        const listed = await store.mailboxes.listMessages(mailboxId);
        assert.deepEqual(listed.map((m) => m.flags), [['\\Seen', '\\Answered'], ['\\Seen', '\\Flagged']]);
        await assert.rejects(store.mailboxes.storeFlags(mailboxId + 10_000, [1], 'add', ['\\Seen']), isStoreError('not-found'));
      }));

      test('expunge ignores unknown UIDs; a blob goes only when nothing refers to it', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const { blobId, size } = await putBlob(store, 'shared\r\n');
        const result = await store.messages.deliver({
          blobId,
          size,
          internalDate: new Date(),
          local: [{ accountId: alice.id }, { accountId: alice.id, mailbox: 'Archive' }],
          remote: { sender: 'a@example.org', recipients: [{ address: 'r@remote.test' }] },
        });
        const [inInbox, inArchive] = result.local;
        await store.mailboxes.expunge(inInbox!.mailboxId, [inInbox!.uid, 77]);
        assert.equal(await blobExists(store, blobId), true, 'still in Archive and the queue');
        await store.mailboxes.expunge(inArchive!.mailboxId, [inArchive!.uid]);
        assert.equal(await blobExists(store, blobId), true, 'still queued');
        assert.equal(await store.queue.remove(result.queueId!), true);
        assert.equal(await store.queue.remove(result.queueId!), false);
        assert.equal(await store.queue.get(result.queueId!), null);
        assert.equal(await blobExists(store, blobId), false, 'gone with the last reference');
        assert.equal(await store.mailboxes.usage(alice.id), 0);
      }));
    });

    describe('blobs', () => {
      test('commit() returns id and size; read() streams the whole blob or a range [start, end)', withStore(async (store) => {
        const writer = await store.blobs.create();
        await writer.write(Buffer.from('Hello, '));
        assert.equal(writer.size, 7);
        await writer.write(Buffer.from('world!\r\n'));
        const { blobId, size } = await writer.commit();
        assert.equal(size, 15);
        assert.equal(writer.size, 15);
        assert.equal((await store.blobs.readAll(blobId)).toString(), 'Hello, world!\r\n');
        assert.equal(await text(store.blobs.read(blobId)), 'Hello, world!\r\n');
        assert.equal(await text(store.blobs.read(blobId, { start: 7, end: 12 })), 'world');
        assert.equal(await text(store.blobs.read(blobId, { start: 13, end: 100 })), '\r\n');
        assert.equal(await text(store.blobs.read(blobId, { start: 5, end: 5 })), '');
        await assert.rejects(writer.write(Buffer.from('late')));
      }));

      test('a large blob written in many chunks reads back intact', withStore(async (store) => {
        const writer = await store.blobs.create();
        const chunk = Buffer.alloc(10_000);
        for (let i = 0; i < 100; i++) {
          chunk.fill(i % 256);
          await writer.write(chunk);
        }
        const { blobId, size } = await writer.commit();
        assert.equal(size, 1_000_000);
        const all = await store.blobs.readAll(blobId);
        assert.equal(all.length, 1_000_000);
        assert.equal(all[0], 0);
        assert.equal(all[999_999], 99);
        assert.equal(all[555_555], 55);
      }));

      test('abort() discards the data, is idempotent, and does nothing after commit', withStore(async (store) => {
        const aborted = await store.blobs.create();
        await aborted.write(Buffer.from('discard me'));
        await aborted.abort();
        await aborted.abort();
        await assert.rejects(aborted.write(Buffer.from('x')));
        await assert.rejects(aborted.commit());

        const kept = await store.blobs.create();
        await kept.write(Buffer.from('keep'));
        const { blobId } = await kept.commit();
        await kept.abort();
        assert.equal((await store.blobs.readAll(blobId)).toString(), 'keep');
        await store.blobs.delete(blobId);
        assert.equal(await blobExists(store, blobId), false);
      }));

      test('inMemory() is the exact body or nothing; read() with the size gives the same octets', withStore(async (store) => {
        const bodies = [Buffer.from('Subject: small\r\n\r\nbody\r\n'), Buffer.alloc(300_000, 0x41)];
        for (const body of bodies) {
          const writer = await store.blobs.create();
          await writer.write(body);
          const { blobId, size } = await writer.commit();
          const cached = store.blobs.inMemory(blobId);
          if (cached) assert.deepEqual(cached, body);
          assert.equal(await text(store.blobs.read(blobId, { start: 0, end: size }, size)), body.toString());
          assert.equal(await text(store.blobs.read(blobId, { start: 9, end: 14 }, size)), body.subarray(9, 14).toString());
          assert.equal(await text(store.blobs.read(blobId, undefined, size)), body.toString());
          const again = store.blobs.inMemory(blobId);
          if (again) assert.deepEqual(again, body);
          await store.blobs.delete(blobId);
          assert.equal(store.blobs.inMemory(blobId), undefined, 'a deleted body is not served from memory');
          await assert.rejects(text(store.blobs.read(blobId, { start: 0, end: size }, size)));
        }
      }));

      test('reading an unknown or malformed blob id fails cleanly', withStore(async (store) => {
        await assert.rejects(store.blobs.readAll('0'.repeat(32)), isStoreError('not-found'));
        await assert.rejects(store.blobs.readAll('../../etc/passwd'), isStoreError('not-found'));
        await assert.rejects(text(store.blobs.read('f'.repeat(32))));
        await assert.rejects(text(store.blobs.read('../x')));
      }));
    });

    describe('locks', () => {
      test('tryLock is exclusive per name; only the holder unlocks', withStore(async (store) => {
        assert.equal(await store.locks.tryLock('maildrop:1', 'session-a'), true);
        assert.equal(await store.locks.tryLock('maildrop:1', 'session-b'), false);
        assert.equal(await store.locks.tryLock('maildrop:2', 'session-b'), true);
        await store.locks.unlock('maildrop:1', 'session-b');
        assert.equal(await store.locks.tryLock('maildrop:1', 'session-b'), false);
        await store.locks.unlock('maildrop:1', 'session-a');
        assert.equal(await store.locks.tryLock('maildrop:1', 'session-b'), true);
      }));
    });

    describe('change bus', () => {
      test('deliver, storeFlags and expunge publish append / flags / expunge after the change', withStore(async (store) => {
        const alice = await store.accounts.addUser('alice@example.org', 'h');
        const bob = await store.accounts.addUser('bob@example.org', 'h');
        const seen: ChangeEvent[] = [];
        const bobSeen: ChangeEvent[] = [];
        const stop = store.bus.subscribe(alice.id, (event) => seen.push(event));
        store.bus.subscribe(bob.id, (event) => bobSeen.push(event));
        const inbox = (await store.mailboxes.getMailbox(alice.id, 'INBOX'))!;
        const { blobId, size } = await putBlob(store, 'x\r\n');
        let visibleAtEvent = -1;
        store.bus.subscribe(alice.id, () => {
          // The change must already be readable when the event arrives.
          void store.mailboxes.listMessages(inbox.id).then((list) => (visibleAtEvent = list.length));
        });
        await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: alice.id }, { accountId: alice.id }] });
        const base = inbox.highestModseq;
        assert.deepEqual(seen, [{ kind: 'append', accountId: alice.id, mailboxId: inbox.id, uids: [1, 2], modseq: base + 2 }]);
        await store.mailboxes.storeFlags(inbox.id, [1], 'add', ['\\Seen']);
        await store.mailboxes.storeFlags(inbox.id, [1], 'add', ['\\Seen']); // no change: no event
        await store.mailboxes.expunge(inbox.id, [2, 3]);
        await store.mailboxes.expunge(inbox.id, [3]); // nothing expunged: no event
        assert.deepEqual(seen.slice(1), [
          { kind: 'flags', accountId: alice.id, mailboxId: inbox.id, uids: [1], modseq: base + 3 },
          { kind: 'expunge', accountId: alice.id, mailboxId: inbox.id, uids: [2], modseq: base + 4 },
        ]);
        assert.equal(visibleAtEvent >= 1, true);
        assert.deepEqual(bobSeen, [], 'events reach only the account concerned');
        stop();
      }));
    });

    runImapStoreConformance(withStore);
    runQueueStoreConformance(withStore);
    runBanStoreConformance(withStore);
    runSshKeyStoreConformance(withStore);
    runWebSessionStoreConformance(withStore);
    runDeliveryConformance(withStore);
    runChangeFeedConformance(withStore, makePair);
  });
}
