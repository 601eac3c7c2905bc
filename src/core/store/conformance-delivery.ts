// The part of the conformance suite for the append path: bodies of every size survive
// their delivery, copies and expunges the same way (the SQLite backend keeps small ones
// in the database and large ones as files), and deliverMany() is all or none (IMAP
// MULTIAPPEND, RFC 3502). Called from runStoreConformance() for every backend.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { text } from 'node:stream/consumers';
import { blobExists, isStoreError, putBlob, type WithStore } from './conformance-helpers.ts';

/** Sizes either side of the SQLite backend's default inline limit (64 KiB), and a tiny one. */
const SIZES = [1, 4096, 65_536, 65_537, 300_000];

const bodyOf = (size: number, seed: number): string => {
  let out = '';
  while (out.length < size) out += `line ${seed}-${out.length}\r\n`;
  return out.slice(0, size);
};

export function runDeliveryConformance(withStore: WithStore): void {
  describe('append path', () => {
    test('a body of any size reads back whole and by range after delivery, before and after a copy', withStore(async (store) => {
      const user = await store.accounts.addUser('sizes@example.org', 'h');
      const archive = await store.mailboxes.createMailbox(user.id, 'Kept');
      for (const [i, size] of SIZES.entries()) {
        const body = bodyOf(size, i);
        const { blobId } = await putBlob(store, body);
        assert.equal((await store.blobs.readAll(blobId)).toString(), body, 'readable between commit and delivery');
        const delivered = await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: user.id }] });
        const { mailboxId, uid } = delivered.local[0]!;
        assert.equal((await store.blobs.readAll(blobId)).toString(), body, `${size} octets whole`);
        const start = Math.floor(size / 3);
        const end = Math.min(size, start + 5000);
        assert.equal(await text(store.blobs.read(blobId, { start, end })), body.slice(start, end), `${size} octets [${start}, ${end})`);
        assert.equal(await text(store.blobs.read(blobId, { start: end, end: end })), '', 'an empty range');
        assert.equal(await text(store.blobs.read(blobId)), body, 'a stream of the whole');
        // The copy shares the body; expunging the original keeps it, expunging the copy frees it.
        const copied = await store.mailboxes.copyMessages(mailboxId, [uid], archive.id);
        await store.mailboxes.expunge(mailboxId, [uid]);
        assert.equal((await store.blobs.readAll(blobId)).toString(), body, 'kept while the copy refers to it');
        await store.mailboxes.expunge(archive.id, copied.mapping.map((m) => m.dstUid));
        assert.equal(await blobExists(store, blobId), false, `${size} octets: gone with its last reference`);
      }
    }));

    test('a committed body whose delivery is refused is removed by delete()', withStore(async (store) => {
      const user = await store.accounts.addUser('refused@example.org', 'h');
      for (const size of [10, 100_000]) {
        const { blobId } = await putBlob(store, bodyOf(size, 1));
        await assert.rejects(store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: user.id, mailbox: 'Nope' }] }), isStoreError('not-found'));
        await store.blobs.delete(blobId);
        assert.equal(await blobExists(store, blobId), false);
        assert.equal((await store.mailboxes.status((await store.mailboxes.getMailbox(user.id, 'INBOX'))!.id)).messages, 0);
      }
    }));

    test('the same committed body delivered twice (a retry after a refusal) is one body for both', withStore(async (store) => {
      const user = await store.accounts.addUser('twice@example.org', 'h');
      const { blobId, size } = await putBlob(store, 'twice');
      await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: user.id }] });
      const again = await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: user.id, mailbox: 'Sent' }] });
      await store.mailboxes.expunge(again.local[0]!.mailboxId, [again.local[0]!.uid]);
      assert.equal((await store.blobs.readAll(blobId)).toString(), 'twice');
    }));

    test('deliverMany records every message with ascending UIDs and publishes them', withStore(async (store) => {
      const user = await store.accounts.addUser('many@example.org', 'h');
      const inbox = (await store.mailboxes.getMailbox(user.id, 'INBOX'))!;
      const heard: number[] = [];
      const stop = store.bus.subscribe(user.id, (event) => {
        if (event.kind === 'append' && event.mailboxId === inbox.id) heard.push(...event.uids);
      });
      const blobs = await Promise.all([bodyOf(10, 1), bodyOf(70_000, 2), bodyOf(20, 3)].map((b) => putBlob(store, b)));
      const { delivered: results, recent } = await store.messages.deliverMany(
        blobs.map(({ blobId, size }, i) => ({ blobId, size, internalDate: new Date(), local: [{ accountId: user.id, flags: i === 0 ? ['\\Seen', '$First'] : [] }] })),
      );
      assert.deepEqual(results.map((r) => r.local[0]!.uid), [1, 2, 3]);
      assert.equal(recent, null, 'no claim asked for');
      assert.deepEqual(heard, [1, 2, 3]);
      const listed = await store.mailboxes.listMessages(inbox.id);
      assert.deepEqual(listed.map((m) => m.blobId), blobs.map((b) => b.blobId));
      assert.deepEqual(listed[0]!.flags, ['\\Seen', '$First']);
      for (const [i, { blobId }] of blobs.entries()) assert.equal((await store.blobs.readAll(blobId)).length, [10, 70_000, 20][i]);
      stop();
    }));

    test('deliverMany with claimRecentIn claims \\Recent in the same step: the appended and any unclaimed before', withStore(async (store) => {
      const user = await store.accounts.addUser('claim@example.org', 'h');
      const inbox = (await store.mailboxes.getMailbox(user.id, 'INBOX'))!;
      await store.mailboxes.claimRecent(inbox.id);
      const earlier = await putBlob(store, 'delivered by SMTP meanwhile');
      await store.messages.deliver({ ...earlier, internalDate: new Date(), local: [{ accountId: user.id }] });
      const mine = await Promise.all(['one', 'two'].map((b) => putBlob(store, b)));
      const { delivered, recent } = await store.messages.deliverMany(
        mine.map((b) => ({ ...b, internalDate: new Date(), local: [{ accountId: user.id }] })),
        { claimRecentIn: inbox.id },
      );
      assert.deepEqual(delivered.map((d) => d.local[0]!.uid), [2, 3]);
      assert.deepEqual(recent, { fromUid: 1, toUid: 4, count: 3 });
      assert.equal((await store.mailboxes.status(inbox.id)).recent, 0, 'nothing left for another session to claim');
      assert.equal((await store.mailboxes.claimRecent(inbox.id)).count, 0);
    }));

    test('deliverMany records nothing when one of them is refused (quota, or an unknown mailbox)', withStore(async (store) => {
      const user = await store.accounts.addUser('atomic@example.org', 'h');
      await store.accounts.setQuota('atomic@example.org', 100);
      const inbox = (await store.mailboxes.getMailbox(user.id, 'INBOX'))!;
      const fits = await putBlob(store, bodyOf(60, 1));
      const second = await putBlob(store, bodyOf(60, 2));
      const request = (blob: { blobId: string; size: number }, mailbox = 'INBOX') => ({ ...blob, internalDate: new Date(), local: [{ accountId: user.id, mailbox }] });
      // Each fits alone; together they pass the quota.
      await assert.rejects(store.messages.deliverMany([request(fits), request(second)]), isStoreError('quota'));
      assert.equal((await store.mailboxes.status(inbox.id)).messages, 0);
      await assert.rejects(store.messages.deliverMany([request(fits), request(second, 'Missing')]), isStoreError('not-found'));
      assert.equal((await store.mailboxes.status(inbox.id)).messages, 0);
      assert.equal((await store.mailboxes.getMailbox(user.id, 'INBOX'))!.uidNext, inbox.uidNext, 'no UID was used');
      // The bodies were not taken: the caller may still deliver them.
      const { delivered: done } = await store.messages.deliverMany([request(fits)]);
      assert.equal(done[0]!.local[0]!.uid, 1);
      assert.equal((await store.blobs.readAll(fits.blobId)).length, 60);
    }));
  });
}
