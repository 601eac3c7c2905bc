// Deletion marks, the UPDATE state and the maildrop lock (RFC 1939 §6, §8; RFC 2449 §8.1.2).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Store } from '../core/store/types.ts';
import { messageOfSize, PASSWORD, Pop3Fixture, USER } from './test-support.ts';

let fixture: Pop3Fixture;
afterEach(() => fixture?.close());

async function withThreeMessages(options: Parameters<typeof Pop3Fixture.start>[0] = {}): Promise<number[]> {
  fixture = await Pop3Fixture.start(options);
  return [await fixture.deliver(messageOfSize(100)), await fixture.deliver(messageOfSize(200)), await fixture.deliver(messageOfSize(300))];
}

describe('POP3 deletions and locking', () => {
  it('RSET unmarks everything (RFC 1939 §5)', async () => {
    const uids = await withThreeMessages();
    const c = await fixture.login();
    await c.expectOk('DELE 1');
    await c.expectOk('DELE 3');
    assert.equal(await c.command('STAT'), '+OK 1 200');
    assert.equal(await c.command('RSET'), '+OK maildrop has 3 messages (600 octets)');
    assert.equal(await c.command('STAT'), '+OK 3 600');
    assert.equal(await c.command('QUIT'), '+OK Septet POP3 server signing off (0 messages deleted)');
    await c.closedByServer();
    assert.deepEqual(await fixture.inboxUids(), uids);
  });

  it('DELE then a dropped connection deletes nothing and releases the lock (RFC 1939 §6)', async () => {
    const uids = await withThreeMessages();
    const c = await fixture.login();
    await c.expectOk('DELE 1');
    await c.expectOk('DELE 2');
    c.destroy();
    await fixture.sessionsEnded();
    assert.deepEqual(await fixture.inboxUids(), uids);
    // The lock is gone and the marks with it.
    const again = await fixture.login();
    assert.equal(await again.command('STAT'), '+OK 3 600');
    await again.expectOk('QUIT');
  });

  it('DELE then QUIT removes exactly the marked messages (RFC 1939 §6 UPDATE)', async () => {
    const uids = await withThreeMessages();
    const c = await fixture.login();
    await c.expectOk('DELE 2');
    assert.equal(await c.command('QUIT'), '+OK Septet POP3 server signing off (1 messages deleted)');
    await c.closedByServer();
    assert.deepEqual(await fixture.inboxUids(), [uids[0], uids[2]]);
  });

  it('QUIT in AUTHORIZATION state ends the session without UPDATE', async () => {
    await withThreeMessages();
    const c = await fixture.connect();
    await c.expectOk(`USER ${USER}`);
    assert.equal(await c.command('QUIT'), '+OK Septet POP3 server signing off');
    await c.closedByServer();
  });

  it('a failing UPDATE answers -ERR [SYS/TEMP] and still releases the lock', async () => {
    const wrap = (store: Store): Store => ({
      ...store,
      mailboxes: { ...store.mailboxes, expunge: async () => { throw new Error('disk full'); } },
    });
    const uids = await withThreeMessages({ wrapStore: wrap });
    const c = await fixture.login();
    await c.expectOk('DELE 1');
    assert.equal(await c.command('QUIT'), '-ERR [SYS/TEMP] Some deleted messages not removed, try again later');
    await c.closedByServer();
    await fixture.sessionsEnded();
    assert.deepEqual(await fixture.inboxUids(), uids);
    const again = await fixture.login();
    await again.expectOk('QUIT');
  });

  it('a second session gets -ERR [IN-USE] and stays in AUTHORIZATION (RFC 2449 §8.1.2)', async () => {
    await withThreeMessages();
    const first = await fixture.login();
    const second = await fixture.connect();
    await second.expectOk(`USER ${USER}`);
    assert.equal(await second.command(`PASS ${PASSWORD}`), '-ERR [IN-USE] maildrop already locked by another session');
    assert.equal(await second.command('STAT'), '-ERR STAT is not valid in this state');
    // Once the first session quits, the second may log in.
    await first.expectOk('QUIT');
    await first.closedByServer();
    await second.expectOk(`USER ${USER}`);
    assert.match(await second.command(`PASS ${PASSWORD}`), /^\+OK Logged in, maildrop has 3 messages/);
    await second.expectOk('QUIT');
  });

  it('with pop3.exclusive_lock = false two sessions share the maildrop; a message both delete goes once', async () => {
    await withThreeMessages({ configure: (config) => (config.pop3.exclusive_lock = false) });
    const first = await fixture.login();
    const second = await fixture.login();
    await first.expectOk('DELE 1');
    await second.expectOk('DELE 1');
    await second.expectOk('DELE 2');
    assert.equal(await first.command('QUIT'), '+OK Septet POP3 server signing off (1 messages deleted)');
    await first.closedByServer();
    assert.match(await second.command('QUIT'), /^\+OK /);
    await second.closedByServer();
    await fixture.sessionsEnded();
    assert.equal((await fixture.inboxUids()).length, 1);
  });

  it('mail delivered during a session does not change message numbers (RFC 1939 §8)', async () => {
    const uids = await withThreeMessages();
    const c = await fixture.login();
    await c.expectOk('DELE 1');
    const late = await fixture.deliver(messageOfSize(999));
    assert.equal(await c.command('STAT'), '+OK 2 500');
    assert.deepEqual((await c.multiline('LIST')).lines, ['2 200', '3 300']);
    assert.equal(await c.command('RETR 4'), '-ERR No such message 4');
    assert.equal(await c.command('QUIT'), '+OK Septet POP3 server signing off (1 messages deleted)');
    await c.closedByServer();
    assert.deepEqual(await fixture.inboxUids(), [uids[1], uids[2], late]);
    // The next session sees the new message.
    const next = await fixture.login();
    assert.equal(await next.command('STAT'), '+OK 3 1499');
    await next.expectOk('QUIT');
  });

  it('an idle timeout closes the session without UPDATE (RFC 1939 §3)', async () => {
    const uids = await withThreeMessages({ configure: (config) => (config.pop3.idle_timeout = 1) });
    const c = await fixture.login();
    await c.expectOk('DELE 1');
    const started = Date.now();
    assert.equal(await c.line(3000), '-ERR Idle timeout, closing connection; nothing was deleted');
    await c.closedByServer();
    assert.ok(Date.now() - started >= 900);
    await fixture.sessionsEnded();
    assert.deepEqual(await fixture.inboxUids(), uids);
    const again = await fixture.login();
    assert.equal(await again.command('STAT'), '+OK 3 600');
    await again.expectOk('QUIT');
  });
});
