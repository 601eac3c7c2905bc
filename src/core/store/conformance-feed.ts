// The part of the conformance suite that states the change feed's contract (Store.bus,
// src/core/bus/bus.ts): queue events for the relay, and, for backends that can be
// opened twice on the same data (SQLite files; PostgreSQL later), that a change made
// through one instance reaches the other's subscribers, in order, and that each
// instance hears its own changes exactly once.
// Called from runStoreConformance(); the cross-instance part only with a pair factory.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChangeEvent, QueueEvent, StoreEvent } from '../bus/bus.ts';
import { deliverText, enqueue, putBlob, type WithStore } from './conformance-helpers.ts';
import type { Store } from './types.ts';

/** Two stores on the same data, as the server and the CLI open it. */
export type StorePairFactory = () => Promise<{ first: Store; second: Store; cleanup: () => Promise<void> }>;

/** Generous: the feed is meant to deliver within a poll interval (100 ms); this only stops a hung test. */
const SAFETY_TIMEOUT_MS = 15_000;

/** Records events and lets a test wait for one that matches, without fixed sleeps. */
class Recorder<E> {
  readonly events: E[] = [];
  private waiters: { match: (e: E) => boolean; resolve: () => void }[] = [];

  readonly listener = (event: E): void => {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(event)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  /** Resolves once an event matching `match` has been recorded (already or later). */
  async until(what: string, match: (e: E) => boolean): Promise<void> {
    if (this.events.some(match)) return;
    let timer!: NodeJS.Timeout;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push({ match, resolve })),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no event: ${what}; heard ${JSON.stringify(this.events)}`)), SAFETY_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
  }
}

/** One queued message's id. */
const enqueueOne = async (store: Store, recipient = 'bob@remote.test'): Promise<string> => (await enqueue(store, [recipient])).id;

/**
 * Waits until `reader` has heard everything `writer` committed so far: the feed is
 * ordered, so once a marker written last arrives, nothing earlier is still on its
 * way (a test then subscribes without catching the tail of its own setup).
 */
async function caughtUp(writer: Store, reader: Store): Promise<void> {
  const heard = new Recorder<QueueEvent>();
  const stop = reader.bus.subscribeQueue(heard.listener);
  try {
    const marker = await enqueueOne(writer, 'marker@remote.test');
    await heard.until('the marker', (e) => e.queueId === marker);
    await writer.queue.remove(marker);
    await heard.until('the marker\'s removal', (e) => e.queueId === marker && e.change === 'remove');
  } finally {
    stop();
  }
}

const queueEvent = (queueId: string, change: QueueEvent['change']): QueueEvent => ({ kind: 'queue', queueId, change });

export function runChangeFeedConformance(withStore: WithStore, makePair?: StorePairFactory): void {
  describe('change feed', () => {
    test('queue changes an operator makes publish queue events; the relay\'s bookkeeping does not', withStore(async (store) => {
      const heard = new Recorder<QueueEvent>();
      const stop = store.bus.subscribeQueue(heard.listener);
      const id = await enqueueOne(store);
      assert.deepEqual(heard.events, [queueEvent(id, 'enqueue')]);
      await store.queue.claim(id);
      await store.queue.recordAttempt(id, { at: new Date(), host: null, results: [{ address: 'bob@remote.test', outcome: 'deferred', reply: '451 later' }] });
      await store.queue.defer(id, new Date(Date.now() + 3_600_000), '451 later');
      await store.queue.setDelayNotice(id, new Date());
      assert.equal(heard.events.length, 1, 'claim, recordAttempt, defer, setDelayNotice: no event');
      assert.equal(await store.queue.release(id), false, 'not held');
      await store.queue.hold(id);
      await store.queue.release(id);
      await store.queue.retryNow(id);
      await store.queue.remove(id);
      assert.equal(await store.queue.remove(id), false);
      assert.deepEqual(heard.events.slice(1), [queueEvent(id, 'hold'), queueEvent(id, 'release'), queueEvent(id, 'retry'), queueEvent(id, 'remove')]);
      stop();
      await store.queue.hold(await enqueueOne(store));
      assert.equal(heard.events.length, 5, 'nothing after unsubscribing');
    }));

    test('a delivery with local and remote recipients: the append for the account, the enqueue for the relay', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const account = new Recorder<ChangeEvent>();
      const queue = new Recorder<QueueEvent>();
      store.bus.subscribe(alice.id, account.listener);
      store.bus.subscribeQueue(queue.listener);
      const { blobId, size } = await putBlob(store, 'x\r\n');
      const result = await store.messages.deliver({
        blobId,
        size,
        internalDate: new Date(),
        local: [{ accountId: alice.id }],
        remote: { sender: 'alice@example.org', recipients: [{ address: 'bob@remote.test' }] },
      });
      assert.deepEqual(account.events.map((e) => e.kind), ['append']);
      assert.deepEqual(queue.events, [queueEvent(result.queueId!, 'enqueue')]);
    }));

    if (!makePair) return;

    const withPair = (body: (first: Store, second: Store) => Promise<void>) => async () => {
      const { first, second, cleanup } = await makePair();
      try {
        await body(first, second);
      } finally {
        await cleanup();
      }
    };

    test('a delivery through one instance reaches the other\'s subscriber, readable when heard', withPair(async (server, cli) => {
      const alice = await cli.accounts.addUser('alice@example.org', 'h');
      await caughtUp(cli, server);
      const inbox = (await server.mailboxes.getMailbox(alice.id, 'INBOX'))!;
      const heard = new Recorder<ChangeEvent>();
      let visibleAtEvent = -1;
      server.bus.subscribe(alice.id, (event) => {
        heard.listener(event);
        if (event.kind === 'append') void server.mailboxes.listMessages(inbox.id).then((list) => (visibleAtEvent = list.length));
      });
      const { uid } = await deliverText(cli, alice.id, 'Subject: from the CLI\r\n\r\nhi\r\n');
      await heard.until('the CLI\'s append', (e) => e.kind === 'append');
      assert.deepEqual(heard.events, [{ kind: 'append', accountId: alice.id, mailboxId: inbox.id, uids: [uid], modseq: inbox.highestModseq + 1 }]);
      await server.mailboxes.storeFlags(inbox.id, [uid], 'add', ['\\Seen']); // a round trip later, the read has run
      assert.equal(visibleAtEvent, 1);
    }));

    test('the other instance hears every change in commit order; each instance hears its own once', withPair(async (server, cli) => {
      const alice = await server.accounts.addUser('alice@example.org', 'h');
      await caughtUp(server, cli);
      const inbox = (await server.mailboxes.getMailbox(alice.id, 'INBOX'))!;
      const atServer = new Recorder<StoreEvent>();
      const atCli = new Recorder<StoreEvent>();
      server.bus.subscribe(alice.id, atServer.listener);
      server.bus.subscribeQueue(atServer.listener);
      cli.bus.subscribe(alice.id, atCli.listener);
      cli.bus.subscribeQueue(atCli.listener);

      // Changes from both sides, interleaved; each side's own subscriber hears its own
      // at once, the other side's when it looks.
      await deliverText(cli, alice.id, 'one\r\n');
      await deliverText(cli, alice.id, 'two\r\n');
      await cli.mailboxes.storeFlags(inbox.id, [1], 'add', ['\\Flagged']);
      await cli.mailboxes.createMailbox(alice.id, 'Projects');
      const queueId = await enqueueOne(cli);
      await cli.queue.retryNow(queueId);
      await cli.mailboxes.expunge(inbox.id, [2]);
      await atServer.until('the CLI\'s expunge', (e) => e.kind === 'expunge');
      await server.mailboxes.storeFlags(inbox.id, [1], 'add', ['\\Seen']);
      await deliverText(server, alice.id, 'three\r\n');
      await server.queue.hold(queueId);
      // The server's last change is heard by the CLI after everything before it: the
      // feed is ordered, so no earlier event can still be on its way to either side.
      await atCli.until('the server\'s hold', (e) => e.kind === 'queue' && e.change === 'hold');
      // ...and by the server itself once only: wait for one more change from the CLI,
      // which comes after any duplicate would have.
      await deliverText(cli, alice.id, 'four\r\n');
      await atServer.until('the CLI\'s last append', (e) => e.kind === 'append' && e.uids.includes(4));

      const summary = (e: StoreEvent) =>
        e.kind === 'queue' ? `queue ${e.change}` : e.kind === 'mailboxes' ? `mailboxes ${e.change} ${e.name}` : `${e.kind} ${e.uids.join(',')} @${e.modseq}`;
      assert.deepEqual(atCli.events.map(summary), atServer.events.map(summary), 'both heard the same changes in the same order');
      assert.deepEqual(atServer.events.map(summary), [
        `append 1 @${inbox.highestModseq + 1}`,
        `append 2 @${inbox.highestModseq + 2}`,
        `flags 1 @${inbox.highestModseq + 3}`,
        'mailboxes create Projects',
        'queue enqueue',
        'queue retry',
        `expunge 2 @${inbox.highestModseq + 4}`,
        `flags 1 @${inbox.highestModseq + 5}`,
        `append 3 @${inbox.highestModseq + 6}`,
        'queue hold',
        `append 4 @${inbox.highestModseq + 7}`,
      ]);
    }));

    test('events reach only the account concerned in the other instance too', withPair(async (server, cli) => {
      const alice = await cli.accounts.addUser('alice@example.org', 'h');
      const bob = await cli.accounts.addUser('bob@example.org', 'h');
      await caughtUp(cli, server);
      const atAlice = new Recorder<ChangeEvent>();
      const atBob = new Recorder<ChangeEvent>();
      server.bus.subscribe(alice.id, atAlice.listener);
      server.bus.subscribe(bob.id, atBob.listener);
      await deliverText(cli, bob.id, 'for bob\r\n');
      await deliverText(cli, alice.id, 'for alice\r\n');
      await atAlice.until('alice\'s append', (e) => e.kind === 'append');
      assert.deepEqual(atAlice.events.map((e) => e.kind), ['append']);
      assert.deepEqual(atBob.events.map((e) => e.kind), ['append']);
    }));
  });
}
