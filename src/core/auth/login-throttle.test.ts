import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sourceNetwork } from '../net/address.ts';
import { LoginThrottle, type ThrottleOptions } from './login-throttle.ts';

/** A throttle on a hand-moved clock: free 3 failures, then 100, 200, 400, ... up to 1600 ms. */
function setup(options: Partial<ThrottleOptions> = {}) {
  let now = 1_000_000;
  const throttle = new LoginThrottle({ freeFailures: 3, maxDelayMs: 1600, baseDelayMs: 100, windowMs: 60_000, now: () => now, ...options });
  /** One whole attempt: its delay, then its outcome. */
  const attempt = (source: string, account: string, ok: boolean): number => {
    const ticket = throttle.begin({ source, account });
    throttle.end(ticket, ok);
    return ticket.delayMs;
  };
  return { throttle, attempt, advance: (ms: number) => (now += ms) };
}

test('a failing source waits after freeFailures failures, on any account, doubling up to the maximum', () => {
  const { attempt } = setup();
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => attempt('198.51.100.7', `user${n}@example.org`, false));
  assert.deepEqual(delays, [0, 0, 0, 100, 200, 400, 800, 1600]);
  assert.equal(attempt('198.51.100.7', 'alice@example.org', true), 1600, 'a success from the failing source waits like a failure');
  assert.equal(attempt('198.51.100.7', 'bob@example.org', false), 0, 'the success forgot the source\'s failures');
});

test('many failures from one source on an account never delay a correct login from another source', () => {
  const { attempt } = setup();
  for (let i = 0; i < 50; i++) attempt('203.0.113.66', 'alice@example.org', false);
  assert.equal(attempt('203.0.113.66', 'alice@example.org', false), 1600, 'the attacker is slowed');
  // A source that never failed and never logged in before: the account counts one failing source.
  assert.equal(attempt('192.0.2.10', 'alice@example.org', true), 0);
  assert.equal(attempt('192.0.2.11', 'alice@example.org', false), 0, 'nor a mistyped password from elsewhere');
});

test('guessing from many sources slows sources new to the account, never its last good sources', () => {
  const { attempt, throttle } = setup();
  assert.equal(attempt('192.0.2.1', 'alice@example.org', true), 0, 'the owner logs in from home');
  // A botnet: one guess per source, so no source counter ever fills up.
  const botnet = [1, 2, 3, 4, 5, 6].map((n) => attempt(`203.0.113.${n}`, 'alice@example.org', false));
  assert.deepEqual(botnet, [0, 0, 0, 100, 200, 400]);
  assert.equal(attempt('203.0.113.99', 'alice@example.org', false), 800, 'a new source waits');
  assert.equal(attempt('192.0.2.1', 'alice@example.org', true), 0, 'the owner from a good source is answered at once');
  assert.equal(throttle.isGoodSource({ source: '192.0.2.1', account: 'alice@example.org' }), true);
  assert.equal(attempt('192.0.2.1', 'bob@example.org', false), 0, 'the account counter is per account');
  // The owner on a new network during the attack waits like any new source; then that network is good too.
  assert.equal(attempt('198.51.100.1', 'alice@example.org', true), 1600);
  assert.equal(attempt('198.51.100.1', 'alice@example.org', true), 0);
});

test('the delay depends on the name tried and the source only: a known and an unknown account wait alike', () => {
  const { attempt } = setup();
  for (let n = 1; n <= 5; n++) {
    attempt(`203.0.113.${n}`, 'alice@example.org', false);
    attempt(`203.0.113.${n}`, 'nobody@example.org', false);
  }
  assert.equal(attempt('192.0.2.50', 'alice@example.org', false), attempt('192.0.2.51', 'nobody@example.org', false));
});

test('only the last goodSourcesPerAccount sources stay good', () => {
  const { attempt, throttle } = setup({ goodSourcesPerAccount: 2 });
  for (const source of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) attempt(source, 'alice@example.org', true);
  const good = (source: string) => throttle.isGoodSource({ source, account: 'alice@example.org' });
  assert.deepEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map(good), [false, true, true]);
});

test('failures are forgotten after the window', () => {
  const { attempt, advance } = setup();
  for (let i = 0; i < 6; i++) attempt('198.51.100.7', 'alice@example.org', false);
  assert.ok(attempt('198.51.100.7', 'alice@example.org', false) > 0);
  advance(60_001);
  assert.equal(attempt('198.51.100.7', 'alice@example.org', false), 0);
  for (let n = 1; n <= 6; n++) attempt(`203.0.113.${n}`, 'bob@example.org', false);
  assert.ok(attempt('192.0.2.9', 'bob@example.org', false) > 0);
  advance(60_001);
  assert.equal(attempt('192.0.2.9', 'bob@example.org', false), 0);
});

test('parallel guesses after a failure do not all get the undelayed rate; parallel correct logins are not delayed', () => {
  const { throttle, attempt } = setup({ freeFailures: 1 });
  attempt('192.0.2.99', 'alice@example.org', false);
  const guesses = [1, 2, 3, 4].map(() => throttle.begin({ source: '192.0.2.99', account: 'alice@example.org' }));
  assert.deepEqual(guesses.map((t) => t.delayMs), [100, 200, 400, 800]);
  const client = [1, 2, 3, 4].map(() => throttle.begin({ source: '192.0.2.98', account: 'bob@example.org' }));
  assert.deepEqual(client.map((t) => t.delayMs), [0, 0, 0, 0]);
});

test('an IPv6 /64 is one source', () => {
  const { attempt } = setup();
  for (let n = 1; n <= 3; n++) attempt(sourceNetwork(`2001:db8:1:2::${n}`), 'alice@example.org', false);
  assert.equal(attempt(sourceNetwork('2001:db8:1:2:ffff::1'), 'bob@example.org', false), 100);
  assert.equal(attempt(sourceNetwork('2001:db8:1:3::1'), 'bob@example.org', false), 0, 'the next /64 is another source');
});

test('sourceNetwork: IPv4 as it is, IPv6 by /64 in canonical form', () => {
  assert.equal(sourceNetwork('192.0.2.1'), '192.0.2.1');
  assert.equal(sourceNetwork('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(sourceNetwork('2001:DB8:0:1:2:3:4:5'), '2001:db8:0:1::/64');
  assert.equal(sourceNetwork('2001:db8::1'), '2001:db8::/64');
  assert.equal(sourceNetwork('fe80::1%eth0'), 'fe80::/64');
  assert.equal(sourceNetwork('2001:db8:0:1::/64'), '2001:db8:0:1::/64');
  assert.equal(sourceNetwork('::1'), '::/64');
});
