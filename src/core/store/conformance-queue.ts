// The part of the conformance suite that states what the relay (src/mail/relay/)
// needs from the outbound queue: due entries, claiming, attempts with per-recipient
// replies, deferral, operator hold/release/retry, and requeueing after a restart.
// Called from runStoreConformance() for every backend.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blobExists, enqueue, type WithStore } from './conformance-helpers.ts';
import type { Store } from './types.ts';


const soon = () => new Date(Date.now() + 1000);

export function runQueueStoreConformance(withStore: WithStore): void {
  describe('queue (relay)', () => {
    test('a new entry is due at once; claim makes it inflight exactly once', withStore(async (store) => {
      const { id } = await enqueue(store, ['bob@remote.test'], { envid: 'ENV1', ret: 'HDRS' });
      const due = await store.queue.due(soon(), 10);
      assert.deepEqual(due.map((e) => e.id), [id]);
      assert.equal(due[0]!.envid, 'ENV1');
      assert.equal(due[0]!.ret, 'HDRS');
      assert.equal(due[0]!.recipients[0]!.notify, 'FAILURE,DELAY');
      assert.equal(due[0]!.recipients[0]!.orcpt, 'rfc822;bob@remote.test');
      assert.deepEqual(await store.queue.due(new Date(Date.now() - 60_000), 10), [], 'not due before its time');
      const claimed = await store.queue.claim(id);
      assert.equal(claimed?.state, 'inflight');
      assert.equal(await store.queue.claim(id), null, 'a second claim fails');
      assert.deepEqual(await store.queue.due(soon(), 10), [], 'inflight is not due');
      assert.equal(await store.queue.claim('nope'), null);
    }));

    test('recordAttempt applies per-recipient results and keeps the history', withStore(async (store) => {
      const { id } = await enqueue(store, ['a@remote.test', 'b@remote.test', 'c@remote.test']);
      await store.queue.claim(id);
      const at = new Date('2030-01-02T03:04:05Z');
      const after = await store.queue.recordAttempt(id, {
        at,
        host: 'mx.remote.test',
        results: [
          { address: 'a@remote.test', outcome: 'delivered', reply: '250 2.1.5 ok' },
          { address: 'b@remote.test', outcome: 'failed', reply: '550 5.1.1 no such user' },
          { address: 'c@remote.test', outcome: 'deferred', reply: '451 4.3.0 try later' },
        ],
      });
      assert.equal(after?.attempts, 1);
      const byAddress = new Map(after!.recipients.map((r) => [r.address, r]));
      assert.equal(byAddress.get('a@remote.test')?.status, 'delivered');
      assert.equal(byAddress.get('b@remote.test')?.status, 'failed');
      assert.equal(byAddress.get('b@remote.test')?.lastReply, '550 5.1.1 no such user');
      assert.equal(byAddress.get('b@remote.test')?.remoteMta, 'mx.remote.test');
      assert.equal(byAddress.get('c@remote.test')?.status, 'pending');
      assert.equal(byAddress.get('c@remote.test')?.notify, 'FAILURE,DELAY', 'DSN parameters survive');
      await store.queue.recordAttempt(id, { at: new Date(at.getTime() + 1000), host: null, results: [{ address: 'c@remote.test', outcome: 'deferred', reply: 'connection refused' }] });
      const history = await store.queue.attempts(id);
      assert.equal(history.length, 2);
      assert.equal(history[0]!.at.getTime(), at.getTime());
      assert.equal(history[0]!.host, 'mx.remote.test');
      assert.equal(history[0]!.results[1]!.reply, '550 5.1.1 no such user');
      assert.equal(history[1]!.host, null);
      assert.equal((await store.queue.get(id))?.attempts, 2);
      assert.deepEqual(await store.queue.attempts('nope'), []);
      assert.equal(await store.queue.recordAttempt('nope', { at, host: null, results: [] }), null);
    }));

    test('defer sets the next time and the error; a hold placed in flight survives it', withStore(async (store) => {
      const { id } = await enqueue(store, ['bob@remote.test']);
      await store.queue.claim(id);
      const next = new Date(Date.now() + 3_600_000);
      assert.equal(await store.queue.defer(id, next, 'connection refused'), true);
      let entry = await store.queue.get(id);
      assert.equal(entry?.state, 'deferred');
      assert.equal(entry?.nextAttemptAt.getTime(), next.getTime());
      assert.equal(entry?.lastError, 'connection refused');
      assert.deepEqual(await store.queue.due(new Date(), 10), []);
      assert.deepEqual((await store.queue.due(new Date(next.getTime() + 1), 10)).map((e) => e.id), [id]);

      await store.queue.claim(id);
      assert.equal(await store.queue.hold(id), true);
      await store.queue.defer(id, new Date(), 'again');
      entry = await store.queue.get(id);
      assert.equal(entry?.state, 'held');
      assert.equal(await store.queue.defer('nope', new Date(), null), false);
    }));

    test('hold, release and retryNow', withStore(async (store) => {
      const { id } = await enqueue(store, ['bob@remote.test']);
      await store.queue.claim(id);
      await store.queue.defer(id, new Date(Date.now() + 3_600_000), 'x');
      assert.equal(await store.queue.release(id), false, 'not held');
      assert.equal(await store.queue.hold(id), true);
      assert.equal(await store.queue.claim(id), null, 'a held entry cannot be claimed');
      assert.deepEqual(await store.queue.due(new Date(Date.now() + 7_200_000), 10), []);
      assert.equal(await store.queue.release(id), true);
      assert.equal((await store.queue.get(id))?.state, 'queued');
      assert.deepEqual((await store.queue.due(soon(), 10)).map((e) => e.id), [id], 'due at once after release');
      await store.queue.defer(id, new Date(Date.now() + 3_600_000), 'x');
      assert.equal(await store.queue.retryNow(id), true);
      assert.deepEqual((await store.queue.due(soon(), 10)).map((e) => e.id), [id]);
      await store.queue.claim(id);
      assert.equal(await store.queue.retryNow(id), false, 'not while in flight');
      assert.equal(await store.queue.hold('nope'), false);
      assert.equal(await store.queue.retryNow('nope'), false);
    }));

    test('requeueInFlight puts claimed entries back (restart); due() honours the limit and order', withStore(async (store) => {
      const first = await enqueue(store, ['a@remote.test']);
      const second = await enqueue(store, ['b@remote.test']);
      await store.queue.claim(first.id);
      await store.queue.claim(second.id);
      await store.queue.hold(second.id);
      assert.equal(await store.queue.requeueInFlight(), 1);
      assert.equal((await store.queue.get(first.id))?.state, 'queued');
      assert.equal((await store.queue.get(second.id))?.state, 'held');
      await store.queue.release(second.id);
      await store.queue.defer(first.id, new Date(Date.now() - 10_000), null);
      const due = await store.queue.due(soon(), 1);
      assert.deepEqual(due.map((e) => e.id), [first.id], 'earliest first, at most limit');
    }));

    test('setDelayNotice; remove drops the attempts and the blob', withStore(async (store) => {
      const { id, blobId } = await enqueue(store, ['bob@remote.test']);
      assert.equal((await store.queue.get(id))?.delayNoticeAt ?? null, null);
      const at = new Date('2030-05-06T07:08:09Z');
      assert.equal(await store.queue.setDelayNotice(id, at), true);
      assert.equal((await store.queue.get(id))?.delayNoticeAt?.getTime(), at.getTime());
      await store.queue.recordAttempt(id, { at, host: null, results: [] });
      assert.equal(await store.queue.remove(id), true);
      assert.deepEqual(await store.queue.attempts(id), []);
      assert.equal(await blobExists(store, blobId), false);
    }));
  });
}
