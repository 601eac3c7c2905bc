import assert from 'node:assert/strict';
import type { MxRecord } from 'node:dns';
import { describe, test } from 'node:test';
import { configFromObject } from '../../core/config/load.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { createMemoryStore } from '../../core/store/memory/memory-store.ts';
import type { Store } from '../../core/store/types.ts';
import { MailService } from '../mail-service.ts';
import { submitFromStream } from '../submit.ts';
import { Readable } from 'node:stream';
import type { DnsLookup } from './dns.ts';
import { FakeSmtpServer, type FakeServerOptions } from './test-support.ts';
import { RelayWorker } from './worker.ts';

const noData = (name: string) => Promise.reject(Object.assign(new Error(`no ${name}`), { code: 'ENOTFOUND' }));

/** b.test -> mx.b.test -> 127.0.0.1; null.test has a null MX. */
const DNS: DnsLookup = {
  resolveMx: (d): Promise<MxRecord[]> =>
    d === 'b.test' ? Promise.resolve([{ exchange: 'mx.b.test', priority: 10 }]) : d === 'null.test' ? Promise.resolve([{ exchange: '', priority: 0 }]) : noData(d),
  resolve4: (h) => (h === 'mx.b.test' ? Promise.resolve(['127.0.0.1']) : noData(h)),
  resolve6: (h) => noData(h),
};

interface Setup {
  store: Store;
  mail: MailService;
  worker: RelayWorker;
  fake: FakeSmtpServer;
  aliceId: number;
  clock: { offset: number };
}

async function setup(fakeOptions: FakeServerOptions, relay: Record<string, unknown> = {}): Promise<Setup> {
  const fake = await FakeSmtpServer.start(fakeOptions);
  const store = createMemoryStore();
  const alice = await store.accounts.addUser('alice@a.test', 'h');
  const config = configFromObject({ relay: { port: fake.port, retry_schedule: ['30m', '2h'], poll_interval: 3600, ...relay } });
  const mail = new MailService({ config, store, log: silentLogger(), hostname: 'mx.a.test' });
  const clock = { offset: 0 };
  const worker = new RelayWorker({ mail, config, dns: DNS, now: () => new Date(Date.now() + clock.offset) });
  return { store, mail, worker, fake, aliceId: alice.id, clock };
}

async function send(s: Setup, recipients: string[], body = 'From: alice@a.test\r\nSubject: to b\r\n\r\nhello\r\n'): Promise<string> {
  const { queueId } = await submitFromStream(s.mail, { sender: 'alice@a.test', recipients, source: Readable.from([Buffer.from(body)]), submitter: null });
  assert.ok(queueId);
  return queueId;
}

async function inboxTexts(s: Setup): Promise<string[]> {
  const inbox = await s.store.mailboxes.getMailbox(s.aliceId, 'INBOX');
  const messages = await s.store.mailboxes.listMessages(inbox!.id);
  return Promise.all(messages.map(async (m) => (await s.store.blobs.readAll(m.blobId)).toString()));
}

async function teardown(s: Setup): Promise<void> {
  await s.worker.stop();
  await s.fake.close();
}

describe('relay worker', () => {
  test('a queued message is tried at once, delivered, and leaves the queue', async () => {
    const s = await setup({});
    try {
      await s.worker.start();
      await send(s, ['bob@b.test', 'carol@b.test']);
      await waitFor(async () => (await s.store.queue.list()).length === 0);
      assert.equal(s.fake.messages.length, 1, 'one transaction for both recipients of the domain');
      assert.deepEqual(s.fake.messages[0]!.rcptTo, ['bob@b.test', 'carol@b.test']);
      assert.match(s.fake.messages[0]!.data.toString(), /Subject: to b/);
    } finally {
      await teardown(s);
    }
  });

  test('a refused recipient: a DSN in the sender\'s INBOX; the accepted one is delivered', async () => {
    const s = await setup({ rcptReplies: { 'nobody@b.test': '550 5.1.1 <nobody@b.test>: no such user' } });
    try {
      await s.worker.start();
      await send(s, ['bob@b.test', 'nobody@b.test']);
      await waitFor(async () => (await s.store.queue.list()).length === 0 && (await inboxTexts(s)).length === 1);
      const [dsn] = await inboxTexts(s);
      assert.match(dsn!, /Content-Type: multipart\/report;\r\n\treport-type=delivery-status/);
      assert.match(dsn!, /Final-Recipient: rfc822; nobody@b\.test\r\nAction: failed\r\nStatus: 5\.1\.1/);
      assert.match(dsn!, /Diagnostic-Code: smtp; 550 5\.1\.1 <nobody@b\.test>: no such user/);
      assert.match(dsn!, /Remote-MTA: dns; mx\.b\.test/);
      assert.doesNotMatch(dsn!, /Final-Recipient: rfc822; bob@b\.test/);
      assert.deepEqual(s.fake.messages[0]!.rcptTo, ['bob@b.test']);
    } finally {
      await teardown(s);
    }
  });

  test('no bounce to the null sender; a null MX fails for good', async () => {
    const s = await setup({});
    try {
      await s.worker.start();
      const { queueId } = await submitFromStream(s.mail, { sender: '', recipients: ['x@null.test'], source: Readable.from([Buffer.from('Subject: dsn\r\n\r\nx\r\n')]), submitter: null });
      await send(s, ['y@null.test']);
      await waitFor(async () => (await s.store.queue.list()).length === 0 && (await inboxTexts(s)).length === 1);
      assert.ok(queueId);
      const [dsn] = await inboxTexts(s);
      assert.match(dsn!, /Final-Recipient: rfc822; y@null\.test\r\nAction: failed\r\nStatus: 5\.1\.10/);
      await s.worker.idle();
      assert.equal((await inboxTexts(s)).length, 1, 'only the bounce for alice, none for <>');
    } finally {
      await teardown(s);
    }
  });

  test('the store\'s queue events wake the worker: retryNow and release are tried at once, not at the next poll', async () => {
    const s = await setup({ rcptReplies: { 'bob@b.test': '451 4.3.0 try later' } });
    try {
      await s.worker.start();
      const id = await send(s, ['bob@b.test']);
      await waitFor(async () => (await s.store.queue.get(id))?.state === 'deferred');
      assert.equal((await s.store.queue.get(id))?.attempts, 1);
      // poll_interval is an hour and the next attempt 30 minutes away; worker.wake() is not called.
      assert.equal(await s.store.queue.retryNow(id), true);
      await waitFor(async () => (await s.store.queue.get(id))?.attempts === 2 && (await s.store.queue.get(id))?.state === 'deferred');
      await s.store.queue.hold(id);
      assert.equal(await s.store.queue.release(id), true);
      await waitFor(async () => (await s.store.queue.get(id))?.attempts === 3 && (await s.store.queue.get(id))?.state === 'deferred');
    } finally {
      await teardown(s);
    }
  });

  test('remote down: deferred by the schedule (+30 min, then 2 h), the destination is not hammered, delivered when it is back', async () => {
    const s = await setup({});
    const port = s.fake.port;
    await s.fake.close();
    try {
      await s.worker.start();
      const first = await send(s, ['bob@b.test']);
      await waitFor(async () => (await s.store.queue.get(first))?.state === 'deferred');
      let entry = (await s.store.queue.get(first))!;
      assert.equal(entry.attempts, 1);
      assert.equal(entry.nextAttemptAt.getTime() - (await lastAttemptAt(s, first)), 30 * 60_000);
      assert.match(entry.lastError ?? '', /connect|ECONNREFUSED/);
      // New mail for the same destination waits for the destination's retry: no new attempt.
      const second = await send(s, ['carol@b.test']);
      await waitFor(async () => (await s.store.queue.get(second))?.state === 'deferred');
      const waiting = (await s.store.queue.get(second))!;
      assert.equal(waiting.attempts, 0, 'not attempted while b.test is known down');
      assert.equal(waiting.nextAttemptAt.getTime(), entry.nextAttemptAt.getTime());

      // 30 minutes later it is still down: next wait 2 hours.
      s.clock.offset += 30 * 60_000;
      s.worker.wake();
      await waitFor(async () => (await s.store.queue.get(first))?.attempts === 2 && (await s.store.queue.get(first))?.state === 'deferred');
      entry = (await s.store.queue.get(first))!;
      assert.equal(entry.nextAttemptAt.getTime() - (await lastAttemptAt(s, first)), 2 * 3_600_000);
      assert.equal((await s.store.queue.attempts(first)).length, 2);

      // b.test comes back on the same port; two hours later both go.
      const back = await FakeSmtpServer.start({}, '127.0.0.1', port);
      try {
        s.clock.offset += 2 * 3_600_000;
        s.worker.wake();
        await waitFor(async () => (await s.store.queue.list()).length === 0);
        assert.deepEqual(back.messages.map((m) => m.rcptTo[0]).sort(), ['bob@b.test', 'carol@b.test']);
      } finally {
        await back.close();
      }
    } finally {
      await s.worker.stop();
    }
  });

  test('past max_age the sender gets a failure DSN; after delay_notice_after a "delayed" notice, once', async () => {
    const s = await setup({}, { max_age: '5h', delay_notice_after: '1h', retry_schedule: ['1h'] });
    await s.fake.close();
    try {
      await s.worker.start();
      const id = await send(s, ['bob@b.test']);
      await waitFor(async () => (await s.store.queue.get(id))?.state === 'deferred');
      for (let hour = 1; hour <= 5; hour++) {
        s.clock.offset += 3_600_000;
        s.worker.wake();
        await waitFor(async () => {
          const e = await s.store.queue.get(id);
          return e === null || (e.state === 'deferred' && e.attempts === hour + 1);
        });
      }
      await waitFor(async () => (await s.store.queue.get(id)) === null);
      const texts = await inboxTexts(s);
      assert.equal(texts.length, 2);
      assert.match(texts[0]!, /Action: delayed/);
      assert.match(texts[0]!, /Will-Retry-Until: /);
      assert.match(texts[1]!, /Action: failed\r\nStatus: 5\.4\.\d/);
      assert.match(texts[1]!, /gave up after/);
    } finally {
      await s.worker.stop();
    }
  });

  test('restart: entries left in flight are queued again and delivered', async () => {
    const s = await setup({});
    try {
      const id = await send(s, ['bob@b.test']);
      await s.store.queue.claim(id); // a previous run died here
      await s.worker.start();
      await waitFor(async () => (await s.store.queue.list()).length === 0);
      assert.equal(s.fake.messages.length, 1);
    } finally {
      await teardown(s);
    }
  });
});

async function lastAttemptAt(s: Setup, id: string): Promise<number> {
  return (await s.store.queue.attempts(id)).at(-1)!.at.getTime();
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
