import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetworkList } from '../net/address.ts';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import type { BanStore } from '../store/types.ts';
import { BanGuard, type BanGuardOptions } from './ban-guard.ts';

function setup(options: Partial<BanGuardOptions> = {}) {
  let now = Date.UTC(2026, 0, 1);
  const store = createMemoryStore();
  const guard = new BanGuard({ bans: store.bans, banAfterFailures: 3, windowMs: 60_000, durationMs: 600_000, refreshMs: 1000, now: () => now, ...options });
  return { guard, store, advance: (ms: number) => (now += ms), now: () => new Date(now) };
}

test('a source reaching banAfterFailures within the window is banned, in memory and in the store', async () => {
  const { guard, store, now } = setup();
  assert.equal(await guard.recordFailure('198.51.100.7'), null);
  assert.equal(await guard.recordFailure('198.51.100.7'), null);
  assert.equal(await guard.isBanned('198.51.100.7'), false);
  const ban = await guard.recordFailure('198.51.100.7');
  assert.equal(ban?.source, '198.51.100.7');
  assert.equal(ban?.reason, '3 failed logins within 60 s');
  assert.equal(await guard.isBanned('198.51.100.7'), true);
  assert.equal(guard.isBannedNow('198.51.100.7'), true);
  assert.equal(await guard.isBanned('198.51.100.8'), false, 'only that source');
  assert.deepEqual((await store.bans.listBans(now())).map((b) => [b.source, b.expiresAt.getTime() - b.createdAt.getTime()]), [['198.51.100.7', 600_000]]);
});

test('failures spread beyond the window do not ban', async () => {
  const { guard, advance } = setup();
  await guard.recordFailure('198.51.100.7');
  await guard.recordFailure('198.51.100.7');
  advance(60_001);
  assert.equal(await guard.recordFailure('198.51.100.7'), null);
  assert.equal(await guard.isBanned('198.51.100.7'), false);
});

test('a ban ends after its duration', async () => {
  const { guard, advance } = setup();
  for (let i = 0; i < 3; i++) await guard.recordFailure('198.51.100.7');
  advance(599_999);
  assert.equal(await guard.isBanned('198.51.100.7'), true);
  advance(1);
  assert.equal(await guard.isBanned('198.51.100.7'), false);
});

test('a ban lifted in the store (septet ban del) stops applying once the list is older than refreshMs', async () => {
  const { guard, store, advance, now } = setup();
  for (let i = 0; i < 3; i++) await guard.recordFailure('198.51.100.7');
  assert.equal(await guard.isBanned('198.51.100.7'), true);
  assert.equal(await store.bans.deleteBan('198.51.100.7', now()), true);
  advance(1000);
  assert.equal(await guard.isBanned('198.51.100.7'), false);
  // And one added by another process (septet ban add) starts applying the same way.
  await store.bans.addBan({ source: '192.0.2.1', reason: 'by hand', createdAt: now(), expiresAt: new Date(now().getTime() + 60_000) });
  assert.equal(await guard.isBanned('192.0.2.1'), false, 'the list read a moment ago is still used');
  advance(1000);
  assert.equal(await guard.isBanned('192.0.2.1'), true);
  assert.equal(guard.isBannedNow('192.0.2.1'), true);
});

test('an IPv6 ban covers the whole /64', async () => {
  const { guard } = setup();
  await guard.recordFailure('2001:db8:1:2::1');
  await guard.recordFailure('2001:db8:1:2::2');
  assert.equal((await guard.recordFailure('2001:db8:1:2:aaaa::3'))?.source, '2001:db8:1:2::/64');
  assert.equal(await guard.isBanned('2001:db8:1:2:ffff:ffff:ffff:ffff'), true);
  assert.equal(await guard.isBanned('2001:db8:1:3::1'), false);
});

test('exempt networks are never banned; banAfterFailures 0 never bans', async () => {
  const exempt = setup({ exempt: new NetworkList(['127.0.0.1', '::1']) });
  for (let i = 0; i < 10; i++) assert.equal(await exempt.guard.recordFailure('127.0.0.1'), null);
  assert.equal(await exempt.guard.isBanned('127.0.0.1'), false);
  for (let i = 0; i < 3; i++) await exempt.guard.recordFailure('127.0.0.2');
  assert.equal(await exempt.guard.isBanned('127.0.0.2'), true, 'other loopback addresses can be banned');
  const never = setup({ banAfterFailures: 0 });
  for (let i = 0; i < 10; i++) assert.equal(await never.guard.recordFailure('198.51.100.7'), null);
});

test('a store that cannot be read keeps the last list (fail open for others, bans made here stay)', async () => {
  const { guard, store, advance } = setup();
  for (let i = 0; i < 3; i++) await guard.recordFailure('198.51.100.7');
  const broken: BanStore = { ...createMemoryStore().bans, listBans: async () => { throw new Error('db down'); } };
  const failing = new BanGuard({ bans: broken, banAfterFailures: 1, windowMs: 60_000, durationMs: 600_000 });
  assert.equal(await failing.isBanned('198.51.100.7'), false);
  assert.equal((await failing.recordFailure('192.0.2.5'))?.source, '192.0.2.5');
  assert.equal(await failing.isBanned('192.0.2.5'), true);
  advance(5000);
  assert.equal(await guard.isBanned('198.51.100.7'), true);
});
