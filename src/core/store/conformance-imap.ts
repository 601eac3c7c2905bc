// The part of the conformance suite that states what IMAP needs from a store:
// RENAME / DELETE / subscriptions (RFC 3501 §6.3), STATUS aggregates, \Recent,
// CONDSTORE / QRESYNC (RFC 7162), COPY / MOVE (RFC 4315, RFC 6851) and the bus events
// a selected session lives on. Called from runStoreConformance() for every backend.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChangeEvent } from '../bus/bus.ts';
import { blobExists, isStoreError, putBlob, type WithStore } from './conformance-helpers.ts';
import type { Mailbox, Store } from './types.ts';

/** IMAP APPEND: one deliver() into a named mailbox with flags. */
async function append(store: Store, accountId: number, mailbox: string, body: string, flags: string[] = []) {
  const { blobId, size } = await putBlob(store, body);
  const result = await store.messages.deliver({ blobId, size, internalDate: new Date('2024-01-02T03:04:05Z'), local: [{ accountId, mailbox, flags }] });
  return { blobId, size, uid: result.local[0]!.uid };
}

async function box(store: Store, accountId: number, name: string): Promise<Mailbox> {
  const mailbox = await store.mailboxes.getMailbox(accountId, name);
  assert.ok(mailbox, `mailbox ${name} exists`);
  return mailbox;
}

const uidsOf = async (store: Store, mailboxId: number) => [...(await store.mailboxes.listUids(mailboxId))];

export function runImapStoreConformance(withStore: WithStore): void {
  describe('IMAP: mailboxes', () => {
    test('RFC 3501 §6.3.5: RENAME renames children, keeps ids and UIDVALIDITY, moves subscriptions', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const a = await store.mailboxes.createMailbox(alice.id, 'a', { subscribe: true });
      const ab = await store.mailboxes.createMailbox(alice.id, 'a/b');
      await store.mailboxes.createMailbox(alice.id, 'ab'); // not a child of "a"
      await store.mailboxes.subscribe(alice.id, 'a/b');
      const { uid } = await append(store, alice.id, 'a/b', 'x\r\n', ['\\Seen']);
      const events: ChangeEvent[] = [];
      store.bus.subscribe(alice.id, (e) => events.push(e));

      const renamed = await store.mailboxes.renameMailbox(alice.id, 'a', 'c');
      assert.equal(renamed.id, a.id);
      assert.equal(renamed.name, 'c');
      assert.equal(renamed.uidValidity, a.uidValidity);
      assert.equal(await store.mailboxes.getMailbox(alice.id, 'a'), null);
      const cb = await box(store, alice.id, 'c/b');
      assert.equal(cb.id, ab.id);
      assert.equal(cb.uidValidity, ab.uidValidity);
      assert.deepEqual((await store.mailboxes.getMessages(cb.id, [uid])).map((m) => m.flags), [['\\Seen']]);
      assert.equal((await box(store, alice.id, 'ab')).name, 'ab');
      const subscribed = await store.mailboxes.listSubscriptions(alice.id);
      assert.ok(subscribed.includes('c') && subscribed.includes('c/b'));
      assert.ok(!subscribed.includes('a') && !subscribed.includes('a/b'));
      assert.equal((await box(store, alice.id, 'c')).subscribed, true);
      const renames = events.filter((e) => e.kind === 'mailboxes' && e.change === 'rename');
      assert.deepEqual(
        renames.map((e) => (e.kind === 'mailboxes' ? [e.oldName, e.name] : [])).sort(),
        [['a', 'c'], ['a/b', 'c/b']],
      );
    }));

    test('RENAME refuses an existing target (also for a child), a missing source and a move into itself', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      await store.mailboxes.createMailbox(alice.id, 'a');
      await store.mailboxes.createMailbox(alice.id, 'a/x');
      await store.mailboxes.createMailbox(alice.id, 'b');
      await store.mailboxes.createMailbox(alice.id, 'd/x');
      await assert.rejects(store.mailboxes.renameMailbox(alice.id, 'a', 'b'), isStoreError('exists'));
      await assert.rejects(store.mailboxes.renameMailbox(alice.id, 'a', 'd'), isStoreError('exists'), 'a/x would become the existing d/x');
      await assert.rejects(store.mailboxes.renameMailbox(alice.id, 'a', 'inbox'), isStoreError('exists'));
      await assert.rejects(store.mailboxes.renameMailbox(alice.id, 'nope', 'z'), isStoreError('not-found'));
      await assert.rejects(store.mailboxes.renameMailbox(alice.id, 'a', 'a/y'), isStoreError('invalid'));
      // Nothing changed by the refusals.
      assert.deepEqual((await store.mailboxes.listMailboxes(alice.id)).map((m) => m.name).filter((n) => /^[abd]/.test(n)).sort(), ['a', 'a/x', 'b', 'd/x']);
    }));

    test('RENAME "a/b" to "a" when a child "a/b/b" becomes "a/b"', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const ab = await store.mailboxes.createMailbox(alice.id, 'p/b', { subscribe: true });
      const abb = await store.mailboxes.createMailbox(alice.id, 'p/b/b', { subscribe: true });
      await store.mailboxes.renameMailbox(alice.id, 'p/b', 'p');
      assert.equal((await box(store, alice.id, 'p')).id, ab.id);
      assert.equal((await box(store, alice.id, 'p/b')).id, abb.id);
      const subscribed = await store.mailboxes.listSubscriptions(alice.id);
      assert.ok(subscribed.includes('p') && subscribed.includes('p/b') && !subscribed.includes('p/b/b'));
    }));

    test('RFC 3501 §6.3.5: renaming INBOX moves its messages to a new mailbox and leaves INBOX empty', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      await store.mailboxes.createMailbox(alice.id, 'INBOX/child');
      await append(store, alice.id, 'INBOX', 'one\r\n', ['\\Flagged', '$Work']);
      await append(store, alice.id, 'INBOX', 'two\r\n');
      const inbox = await box(store, alice.id, 'INBOX');
      const usage = await store.mailboxes.usage(alice.id);
      const events: ChangeEvent[] = [];
      store.bus.subscribe(alice.id, (e) => events.push(e));

      const old = await store.mailboxes.renameMailbox(alice.id, 'inbox', 'Old');
      assert.equal(old.name, 'Old');
      assert.notEqual(old.id, inbox.id);
      assert.notEqual(old.uidValidity, inbox.uidValidity);
      assert.deepEqual(await uidsOf(store, old.id), [1, 2]);
      assert.deepEqual((await store.mailboxes.getMessages(old.id, [1]))[0]?.flags, ['\\Flagged', '$Work']);
      assert.ok(old.uidNext >= 3);
      assert.deepEqual(await store.mailboxes.listKeywords(old.id), ['$Work']);

      const after = await box(store, alice.id, 'INBOX');
      assert.equal(after.id, inbox.id);
      assert.equal(after.uidValidity, inbox.uidValidity);
      assert.equal(after.uidNext, inbox.uidNext, 'UIDs are never reused in INBOX');
      assert.deepEqual(await uidsOf(store, inbox.id), []);
      assert.ok(after.highestModseq > inbox.highestModseq);
      assert.deepEqual((await store.mailboxes.changesSince(inbox.id, inbox.highestModseq)).expunged, [1, 2]);
      assert.ok(await store.mailboxes.getMailbox(alice.id, 'INBOX/child'), "INBOX's children stay");
      assert.equal(await store.mailboxes.usage(alice.id), usage);
      assert.equal((await store.mailboxes.status(inbox.id)).messages, 0);
      assert.equal((await store.mailboxes.status(old.id)).messages, 2);
      assert.ok(events.some((e) => e.kind === 'expunge' && e.mailboxId === inbox.id && e.uids.join() === '1,2'));
      assert.ok(events.some((e) => e.kind === 'mailboxes' && e.change === 'create' && e.name === 'Old'));
      // A new delivery still lands in INBOX with the next UID.
      assert.equal((await append(store, alice.id, 'INBOX', 'three\r\n')).uid, inbox.uidNext);
    }));

    test('RFC 3501 §6.3.4: DELETE removes one mailbox with its messages, not INBOX, not its children', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const work = await store.mailboxes.createMailbox(alice.id, 'Work', { subscribe: true });
      await store.mailboxes.createMailbox(alice.id, 'Work/Old');
      const only = await append(store, alice.id, 'Work', 'only here\r\n');
      const { blobId, size } = await putBlob(store, 'shared\r\n');
      await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: alice.id, mailbox: 'Work' }, { accountId: alice.id }] });
      const events: ChangeEvent[] = [];
      store.bus.subscribe(alice.id, (e) => events.push(e));

      await store.mailboxes.deleteMailbox(alice.id, 'Work');
      assert.equal(await store.mailboxes.getMailbox(alice.id, 'Work'), null);
      assert.equal(await store.mailboxes.getMailboxById(work.id), null);
      assert.ok(await store.mailboxes.getMailbox(alice.id, 'Work/Old'));
      assert.equal(await blobExists(store, only.blobId), false, 'a body nothing refers to goes');
      assert.equal(await blobExists(store, blobId), true, 'a body INBOX still refers to stays');
      assert.equal(await store.mailboxes.usage(alice.id), size);
      assert.ok((await store.mailboxes.listSubscriptions(alice.id)).includes('Work'), 'RFC 3501 §6.3.6: the subscription outlives it');
      assert.deepEqual(events, [{ kind: 'mailboxes', accountId: alice.id, change: 'delete', mailboxId: work.id, name: 'Work' }]);
      await assert.rejects(store.mailboxes.deleteMailbox(alice.id, 'Work'), isStoreError('not-found'));
      await assert.rejects(store.mailboxes.deleteMailbox(alice.id, 'inbox'), isStoreError('invalid'));
      // The name can be created again, with a new UIDVALIDITY.
      const again = await store.mailboxes.createMailbox(alice.id, 'Work');
      assert.notEqual(again.uidValidity, work.uidValidity);
      assert.deepEqual(await uidsOf(store, again.id), []);
    }));

    test('RFC 3501 §6.3.6-7: subscriptions are names, idempotent, and sorted', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const defaults = await store.mailboxes.listSubscriptions(alice.id);
      assert.deepEqual(defaults, ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
      assert.equal((await store.mailboxes.createMailbox(alice.id, 'Plain')).subscribed, false);
      assert.equal((await store.mailboxes.createMailbox(alice.id, 'Subbed', { subscribe: true })).subscribed, true);
      const events: ChangeEvent[] = [];
      store.bus.subscribe(alice.id, (e) => events.push(e));
      await store.mailboxes.subscribe(alice.id, 'Not/There/Yet');
      await store.mailboxes.subscribe(alice.id, 'Not/There/Yet');
      await store.mailboxes.subscribe(alice.id, 'Plain');
      assert.equal((await box(store, alice.id, 'Plain')).subscribed, true);
      assert.equal(await store.mailboxes.unsubscribe(alice.id, 'inbox'), true);
      assert.equal(await store.mailboxes.unsubscribe(alice.id, 'INBOX'), false);
      assert.equal((await box(store, alice.id, 'INBOX')).subscribed, false);
      assert.deepEqual(await store.mailboxes.listSubscriptions(alice.id), ['Archive', 'Drafts', 'Junk', 'Not/There/Yet', 'Plain', 'Sent', 'Subbed', 'Trash']);
      assert.deepEqual(
        events.map((e) => (e.kind === 'mailboxes' ? `${e.change} ${e.name}` : e.kind)),
        ['subscribe Not/There/Yet', 'subscribe Plain', 'unsubscribe INBOX'],
      );
      const bob = await store.accounts.addUser('bob@example.org', 'h');
      assert.ok(!(await store.mailboxes.listSubscriptions(bob.id)).includes('Plain'), 'per account');
    }));

    test('RFC 6154: setSpecialUse; getMailboxById', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const mailbox = await store.mailboxes.createMailbox(alice.id, 'Old mail', { specialUse: null });
      await store.mailboxes.setSpecialUse(mailbox.id, '\\Archive');
      assert.equal((await store.mailboxes.getMailboxById(mailbox.id))?.specialUse, '\\Archive');
      await store.mailboxes.setSpecialUse(mailbox.id, null);
      assert.equal((await store.mailboxes.getMailboxById(mailbox.id))?.specialUse, null);
      assert.equal((await store.mailboxes.getMailboxById(mailbox.id))?.name, 'Old mail');
      assert.equal(await store.mailboxes.getMailboxById(mailbox.id + 10_000), null);
      await assert.rejects(store.mailboxes.setSpecialUse(mailbox.id + 10_000, null), isStoreError('not-found'));
    }));
  });

  describe('IMAP: status, UIDs and \\Recent', () => {
    test('status() counts messages, unseen, recent, size and follows every change', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      let status = await store.mailboxes.status(inbox.id);
      assert.deepEqual(status, {
        mailboxId: inbox.id,
        messages: 0,
        unseen: 0,
        firstUnseenUid: null,
        recent: 0,
        size: 0,
        uidNext: 1,
        uidValidity: inbox.uidValidity,
        highestModseq: inbox.highestModseq,
      });
      const sizes: number[] = [];
      for (const [body, flags] of [['aa\r\n', ['\\Seen']], ['bbbb\r\n', []], ['c\r\n', ['\\SEEN', '$x']], ['dd\r\n', []]] as const) {
        sizes.push((await append(store, alice.id, 'INBOX', body, [...flags])).size);
      }
      status = await store.mailboxes.status(inbox.id);
      assert.equal(status.messages, 4);
      assert.equal(status.unseen, 2);
      assert.equal(status.firstUnseenUid, 2);
      assert.equal(status.recent, 4);
      assert.equal(status.size, sizes.reduce((a, b) => a + b, 0));
      assert.equal(status.uidNext, 5);
      assert.equal(status.highestModseq, inbox.highestModseq + 4, 'every append raises HIGHESTMODSEQ');

      await store.mailboxes.storeFlags(inbox.id, [2], 'add', ['\\Seen']);
      await store.mailboxes.storeFlags(inbox.id, [1], 'remove', ['\\seen']);
      await store.mailboxes.expunge(inbox.id, [3]);
      status = await store.mailboxes.status(inbox.id);
      assert.equal(status.messages, 3);
      assert.equal(status.unseen, 2, 'uids 1 and 4');
      assert.equal(status.firstUnseenUid, 1);
      assert.equal(status.size, sizes[0]! + sizes[1]! + sizes[3]!);
      assert.equal(status.highestModseq, inbox.highestModseq + 7);
      // Status agrees with the messages themselves.
      const listed = await store.mailboxes.listMessages(inbox.id);
      assert.equal(listed.filter((m) => !m.flags.includes('\\Seen')).length, status.unseen);
      assert.equal(listed.reduce((sum, m) => sum + m.size, 0), status.size);
      await assert.rejects(store.mailboxes.status(inbox.id + 10_000), isStoreError('not-found'));
    }));

    test('RFC 3501 §2.3.2: claimRecent gives new messages to exactly one session', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      for (let i = 0; i < 3; i++) await append(store, alice.id, 'INBOX', `m${i}\r\n`);
      await store.mailboxes.expunge(inbox.id, [2]);
      const [first, second] = await Promise.all([store.mailboxes.claimRecent(inbox.id), store.mailboxes.claimRecent(inbox.id)]);
      const claims = [first!, second!].sort((a, b) => b.count - a.count);
      assert.deepEqual(claims[0], { fromUid: 1, toUid: 4, count: 2 });
      assert.equal(claims[1]!.count, 0);
      assert.equal(claims[1]!.fromUid, claims[1]!.toUid);
      assert.equal((await store.mailboxes.status(inbox.id)).recent, 0);
      await append(store, alice.id, 'INBOX', 'later\r\n');
      assert.equal((await store.mailboxes.status(inbox.id)).recent, 1);
      assert.deepEqual(await store.mailboxes.claimRecent(inbox.id), { fromUid: 4, toUid: 5, count: 1 });
      assert.equal((await store.mailboxes.listMessages(inbox.id)).some((m) => m.flags.includes('\\Recent')), false);
      await assert.rejects(store.mailboxes.claimRecent(inbox.id + 10_000), isStoreError('not-found'));
    }));

    test('listUids is ascending; getMessages returns just the UIDs asked for, ascending, skipping unknown ones', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      for (let i = 0; i < 60; i++) await append(store, alice.id, 'INBOX', `message ${i}\r\n`);
      await store.mailboxes.expunge(inbox.id, [2, 3, 30, 59]);
      const uids = await store.mailboxes.listUids(inbox.id);
      assert.ok(uids instanceof Uint32Array);
      assert.equal(uids.length, 56);
      assert.deepEqual([...uids.subarray(0, 3)], [1, 4, 5]);
      assert.ok(uids.every((uid, i) => i === 0 || uid > uids[i - 1]!));
      // Dense (a range scan) and sparse (lookups) requests, out of order and with duplicates.
      const dense = await store.mailboxes.getMessages(inbox.id, [...uids].reverse());
      assert.deepEqual(dense.map((m) => m.uid), [...uids]);
      assert.equal(dense[0]?.mailboxId, inbox.id);
      const sparse = await store.mailboxes.getMessages(inbox.id, [60, 1, 30, 1, 1000, 45]);
      assert.deepEqual(sparse.map((m) => m.uid), [1, 45, 60]);
      assert.equal((await store.blobs.readAll(sparse[1]!.blobId)).toString(), 'message 44\r\n');
      assert.deepEqual(await store.mailboxes.getMessages(inbox.id, []), []);
      assert.deepEqual(await store.mailboxes.getMessages(inbox.id, [2, 3]), []);
      await assert.rejects(store.mailboxes.listUids(inbox.id + 10_000), isStoreError('not-found'));
      await assert.rejects(store.mailboxes.getMessages(inbox.id + 10_000, [1]), isStoreError('not-found'));
    }));
  });

  describe('IMAP: flags and CONDSTORE', () => {
    test('RFC 7162 §3.1.3: UNCHANGEDSINCE leaves newer messages alone and reports them as modified', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      for (let i = 0; i < 3; i++) await append(store, alice.id, 'INBOX', `m${i}\r\n`);
      const checkpoint = (await store.mailboxes.status(inbox.id)).highestModseq;
      await store.mailboxes.storeFlags(inbox.id, [2], 'add', ['\\Answered']); // uid 2 changes after the checkpoint
      const result = await store.mailboxes.storeFlags(inbox.id, [1, 2, 3], 'add', ['\\Seen'], { unchangedSince: checkpoint });
      assert.deepEqual(result.modified, [2]);
      assert.deepEqual(result.changed, [1, 3]);
      assert.deepEqual(result.messages.map((m) => [m.uid, m.flags]), [[1, ['\\Seen']], [2, ['\\Answered']], [3, ['\\Seen']]]);
      const [one, two, three] = result.messages;
      assert.equal(one!.modseq, three!.modseq, 'one STORE, one modseq');
      assert.ok(one!.modseq > two!.modseq);
      assert.equal((await store.mailboxes.status(inbox.id)).highestModseq, one!.modseq);
      // A no-op store changes nothing and raises nothing.
      const noop = await store.mailboxes.storeFlags(inbox.id, [1], 'add', ['\\seen'], { unchangedSince: one!.modseq });
      assert.deepEqual([noop.changed, noop.modified], [[], []]);
      assert.equal((await store.mailboxes.status(inbox.id)).highestModseq, one!.modseq);
      // UNCHANGEDSINCE 0 fails for every message (RFC 7162 §3.1.3).
      assert.deepEqual((await store.mailboxes.storeFlags(inbox.id, [1, 3], 'set', [], { unchangedSince: 0 })).modified, [1, 3]);
    }));

    test('flags: system flags take the RFC spelling, keywords the first spelling; \\Recent is not stored; bad atoms are refused', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      await append(store, alice.id, 'INBOX', 'a\r\n', ['\\SEEN', '$Label1', '\\Recent']);
      await append(store, alice.id, 'INBOX', 'b\r\n');
      assert.deepEqual((await store.mailboxes.getMessages(inbox.id, [1]))[0]?.flags, ['\\Seen', '$Label1']);
      const result = await store.mailboxes.storeFlags(inbox.id, [2], 'add', ['$LABEL1', 'Work', '\\recent', '\\draft']);
      assert.deepEqual(result.messages[0]?.flags, ['$Label1', 'Work', '\\Draft']);
      assert.deepEqual(await store.mailboxes.listKeywords(inbox.id), ['$Label1', 'Work']);
      await store.mailboxes.storeFlags(inbox.id, [1, 2], 'remove', ['$label1', 'work']);
      assert.deepEqual(await store.mailboxes.listKeywords(inbox.id), ['$Label1', 'Work'], 'keywords ever used stay listed');
      for (const bad of ['two words', 'paren(', 'quote"', 'br]acket', 'caf\u00e9', 'tab\t']) {
        await assert.rejects(store.mailboxes.storeFlags(inbox.id, [1], 'add', [bad]), isStoreError('invalid'), bad);
      }
      assert.deepEqual((await store.mailboxes.getMessages(inbox.id, [1]))[0]?.flags, ['\\Seen']);
      await assert.rejects(store.mailboxes.listKeywords(inbox.id + 10_000), isStoreError('not-found'));
    }));

    test('RFC 7162: changesSince lists changed messages and tombstones of expunged UIDs', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      for (let i = 0; i < 5; i++) await append(store, alice.id, 'INBOX', `m${i}\r\n`);
      const start = (await store.mailboxes.status(inbox.id)).highestModseq;
      assert.deepEqual(await store.mailboxes.changesSince(inbox.id, start), { changed: [], expunged: [], highestModseq: start });
      await store.mailboxes.storeFlags(inbox.id, [4, 2], 'add', ['\\Flagged']);
      const expunged = await store.mailboxes.expunge(inbox.id, [3, 5, 42]);
      assert.deepEqual(expunged, [3, 5], 'expunge returns what existed');
      await append(store, alice.id, 'INBOX', 'new\r\n');
      const changes = await store.mailboxes.changesSince(inbox.id, start);
      assert.deepEqual(changes.changed.map((m) => m.uid), [2, 4, 6]);
      assert.deepEqual(changes.expunged, [3, 5]);
      assert.equal(changes.highestModseq, start + 3);
      const later = await store.mailboxes.changesSince(inbox.id, start + 1);
      assert.deepEqual(later.changed.map((m) => m.uid), [6]);
      assert.deepEqual(later.expunged, [3, 5]);
      assert.deepEqual((await store.mailboxes.changesSince(inbox.id, start + 2)).expunged, []);
      assert.deepEqual((await store.mailboxes.changesSince(inbox.id, 0)).changed.map((m) => m.uid), [1, 2, 4, 6]);
      assert.deepEqual(await store.mailboxes.expunge(inbox.id, [3]), [], 'nothing left to expunge');
    }));
  });

  describe('IMAP: APPEND, COPY, MOVE and quota', () => {
    test('APPEND (deliver with a LocalTarget) stores flags and date in the named mailbox and returns the UID', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const drafts = await box(store, alice.id, 'Drafts');
      const events: ChangeEvent[] = [];
      store.bus.subscribe(alice.id, (e) => events.push(e));
      const { uid } = await append(store, alice.id, 'Drafts', 'draft\r\n', ['\\Draft', '\\Seen']);
      assert.equal(uid, 1);
      const [message] = await store.mailboxes.getMessages(drafts.id, [uid]);
      assert.deepEqual(message?.flags, ['\\Draft', '\\Seen']);
      assert.equal(message?.internalDate.toISOString(), '2024-01-02T03:04:05.000Z');
      assert.deepEqual(await uidsOf(store, (await box(store, alice.id, 'INBOX')).id), []);
      assert.deepEqual(events, [{ kind: 'append', accountId: alice.id, mailboxId: drafts.id, uids: [1], modseq: drafts.highestModseq + 1 }]);
      await store.accounts.setQuota('alice@example.org', 10);
      await assert.rejects(append(store, alice.id, 'Drafts', 'this is more than ten octets\r\n'), isStoreError('quota'));
      await assert.rejects(append(store, alice.id, 'Nope', 'x'), isStoreError('not-found'));
    }));

    test('RFC 4315 COPY: new UIDs in order, flags and date kept, bodies shared, quota checked atomically', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      const archive = await box(store, alice.id, 'Archive');
      await append(store, alice.id, 'Archive', 'already there\r\n');
      const first = await append(store, alice.id, 'INBOX', 'first\r\n', ['\\Seen', '$Tag']);
      const second = await append(store, alice.id, 'INBOX', 'second\r\n');
      await append(store, alice.id, 'INBOX', 'third\r\n');
      const events: ChangeEvent[] = [];
      store.bus.subscribe(alice.id, (e) => events.push(e));

      const result = await store.mailboxes.copyMessages(inbox.id, [2, 1, 99], archive.id);
      assert.equal(result.uidValidity, archive.uidValidity);
      assert.deepEqual(result.mapping, [{ srcUid: 1, dstUid: 2 }, { srcUid: 2, dstUid: 3 }]);
      const copies = await store.mailboxes.getMessages(archive.id, [2, 3]);
      assert.deepEqual(copies.map((m) => m.flags), [['\\Seen', '$Tag'], []]);
      assert.equal(copies[0]?.blobId, first.blobId);
      assert.equal(copies[0]?.internalDate.toISOString(), '2024-01-02T03:04:05.000Z');
      assert.deepEqual(await store.mailboxes.listKeywords(archive.id), ['$Tag']);
      assert.deepEqual(await uidsOf(store, inbox.id), [1, 2, 3], 'the originals stay');
      const status = await store.mailboxes.status(archive.id);
      assert.equal(status.recent, 3, 'copies are \\Recent in the destination');
      assert.equal(status.uidNext, 4);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0], { kind: 'append', accountId: alice.id, mailboxId: archive.id, uids: [2, 3], modseq: status.highestModseq });

      // Expunging the originals keeps the shared bodies.
      await store.mailboxes.expunge(inbox.id, [1, 2]);
      assert.equal(await blobExists(store, first.blobId), true);
      assert.equal(await blobExists(store, second.blobId), true);

      // Quota: the whole copy is refused, nothing is recorded.
      const used = await store.mailboxes.usage(alice.id);
      await store.accounts.setQuota('alice@example.org', used + 5);
      await assert.rejects(store.mailboxes.copyMessages(archive.id, [1, 2, 3], inbox.id), isStoreError('quota'));
      assert.equal(await store.mailboxes.usage(alice.id), used);
      assert.deepEqual(await uidsOf(store, inbox.id), [3]);
      assert.equal((await store.mailboxes.status(inbox.id)).uidNext, 4);

      // Copy into the same mailbox is allowed; nothing to copy gives an empty mapping.
      await store.accounts.setQuota('alice@example.org', null);
      assert.deepEqual((await store.mailboxes.copyMessages(inbox.id, [3], inbox.id)).mapping, [{ srcUid: 3, dstUid: 4 }]);
      assert.deepEqual((await store.mailboxes.copyMessages(inbox.id, [77], archive.id)).mapping, []);
      const bob = await store.accounts.addUser('bob@example.org', 'h');
      await assert.rejects(store.mailboxes.copyMessages(inbox.id, [3], (await box(store, bob.id, 'INBOX')).id), isStoreError('invalid'));
      await assert.rejects(store.mailboxes.copyMessages(inbox.id, [3], inbox.id + 10_000), isStoreError('not-found'));
    }));

    test('RFC 6851 MOVE: mapping, originals expunged with tombstones, bodies kept, usage unchanged, events in order', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const inbox = await box(store, alice.id, 'INBOX');
      const trash = await box(store, alice.id, 'Trash');
      const one = await append(store, alice.id, 'INBOX', 'one\r\n', ['\\Deleted']);
      await append(store, alice.id, 'INBOX', 'two\r\n');
      await append(store, alice.id, 'INBOX', 'three\r\n');
      const used = await store.mailboxes.usage(alice.id);
      await store.accounts.setQuota('alice@example.org', used); // exactly full: a move still works
      const before = (await store.mailboxes.status(inbox.id)).highestModseq;
      const events: ChangeEvent[] = [];
      store.bus.subscribe(alice.id, (e) => events.push(e));

      const result = await store.mailboxes.moveMessages(inbox.id, [3, 1], trash.id);
      assert.deepEqual(result, { uidValidity: trash.uidValidity, mapping: [{ srcUid: 1, dstUid: 1 }, { srcUid: 3, dstUid: 2 }] });
      assert.deepEqual(await uidsOf(store, inbox.id), [2]);
      assert.deepEqual(await uidsOf(store, trash.id), [1, 2]);
      assert.deepEqual((await store.mailboxes.getMessages(trash.id, [1]))[0]?.flags, ['\\Deleted']);
      assert.equal(await blobExists(store, one.blobId), true);
      assert.equal(await store.mailboxes.usage(alice.id), used);
      assert.deepEqual((await store.mailboxes.changesSince(inbox.id, before)).expunged, [1, 3]);
      assert.deepEqual(
        events.map((e) => (e.kind === 'mailboxes' ? e.kind : [e.kind, e.mailboxId, e.uids])),
        [['append', trash.id, [1, 2]], ['expunge', inbox.id, [1, 3]]],
      );
      assert.deepEqual((await store.mailboxes.moveMessages(inbox.id, [99], trash.id)).mapping, []);
      assert.equal(events.length, 2, 'an empty move publishes nothing');
      // Moving within one mailbox gives new UIDs.
      assert.deepEqual((await store.mailboxes.moveMessages(trash.id, [1], trash.id)).mapping, [{ srcUid: 1, dstUid: 3 }]);
      assert.deepEqual(await uidsOf(store, trash.id), [2, 3]);
    }));

    test('RFC 9208: quota() reports usage, limit and message count', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      assert.deepEqual(await store.mailboxes.quota(alice.id), { usedBytes: 0, limitBytes: null, messages: 0 });
      const a = await append(store, alice.id, 'INBOX', '12345');
      const b = await append(store, alice.id, 'Sent', '123');
      await store.accounts.setQuota('alice@example.org', 1024);
      assert.deepEqual(await store.mailboxes.quota(alice.id), { usedBytes: a.size + b.size, limitBytes: 1024, messages: 2 });
      await assert.rejects(store.mailboxes.quota(alice.id + 10_000), isStoreError('not-found'));
    }));
  });
}
