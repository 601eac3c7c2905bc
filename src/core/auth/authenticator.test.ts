import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import { capturingLogger } from '../net/testing.ts';
import { PasswordAuthenticator } from './authenticator.ts';
import { BanGuard } from './ban-guard.ts';
import { hashPassword, hashSchemeName, isCurrentHash } from './password.ts';

const COST = 1024;

async function setup(options: { freeFailures?: number; maxDelayMs?: number; baseDelayMs?: number; log?: ReturnType<typeof capturingLogger>['log'] } = {}) {
  const store = createMemoryStore();
  await store.accounts.addUser('alice@example.org', await hashPassword('secret', COST));
  const auth = new PasswordAuthenticator({ accounts: store.accounts, defaultDomain: 'Example.ORG', scryptCost: COST, freeFailures: 2, maxDelayMs: 200, baseDelayMs: 100, ...options });
  return { store, auth };
}

const attempt = (username: string, password: string, remoteAddress = '192.0.2.1') => ({ username, password, remoteAddress, service: 'test' });

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work;
  return { value, ms: performance.now() - start };
}

test('canonicalUsername adds the default domain and lower-cases the domain only', async () => {
  const { auth } = await setup();
  assert.equal(auth.canonicalUsername('alice'), 'alice@example.org');
  assert.equal(auth.canonicalUsername('Alice@EXAMPLE.org'), 'Alice@example.org');
  const bare = new PasswordAuthenticator({ accounts: createMemoryStore().accounts, scryptCost: COST });
  assert.equal(bare.canonicalUsername('alice'), 'alice');
});

test('login succeeds with the right password, by bare name or any case, and fails otherwise', async () => {
  const { auth } = await setup();
  assert.equal((await auth.login(attempt('alice', 'secret')))?.address, 'alice@example.org');
  assert.equal((await auth.login(attempt('ALICE@Example.Org', 'secret')))?.address, 'alice@example.org');
  assert.equal(await auth.login(attempt('alice', 'Secret')), null);
  assert.equal(await auth.login(attempt('nobody', 'secret')), null);
});

test('after freeFailures failures from one address, further attempts are delayed, success included', async () => {
  const { auth } = await setup();
  // Different accounts, same client address: only the address key accumulates.
  for (const user of ['u1', 'u2']) {
    const { ms } = await timed(auth.login(attempt(user, 'x', '198.51.100.7')));
    assert.ok(ms < 5000);
  }
  const throttled = await timed(auth.login(attempt('u3', 'x', '198.51.100.7')));
  assert.equal(throttled.value, null);
  assert.ok(throttled.ms >= 90, `throttled failure took ${throttled.ms} ms`);
  const success = await timed(auth.login(attempt('alice', 'secret', '198.51.100.7')));
  assert.equal(success.value?.address, 'alice@example.org');
  assert.ok(success.ms >= 150, `a throttled success is delayed too (${success.ms} ms)`);
});

test('failures from one address on an account do not delay the owner logging in from elsewhere', async () => {
  const { log, entries } = capturingLogger();
  const { auth } = await setup({ baseDelayMs: 150, log });
  for (let i = 0; i < 4; i++) await auth.login(attempt('alice', 'bad', '203.0.113.1'));
  const ok = await auth.login(attempt('alice', 'secret', '192.0.2.50'));
  assert.equal(ok?.address, 'alice@example.org');
  const logins = entries.filter((e) => e.user === 'alice@example.org');
  assert.deepEqual(logins.map((e) => [e.remote, e.ok, e.delayMs]), [
    ['203.0.113.1', false, 0],
    ['203.0.113.1', false, 0],
    ['203.0.113.1', false, 150],
    ['203.0.113.1', false, 200],
    ['192.0.2.50', true, 0],
  ]);
});

test('guesses on one account from many addresses delay new addresses, not one the owner logged in from', async () => {
  const { log, entries } = capturingLogger();
  const { auth } = await setup({ baseDelayMs: 150, log });
  assert.ok(await auth.login(attempt('alice', 'secret', '192.0.2.50')));
  for (const n of [1, 2, 3]) await auth.login(attempt('alice', 'bad', `203.0.113.${n}`));
  const fresh = await timed(auth.login(attempt('alice', 'secret', '203.0.113.4')));
  assert.ok(fresh.value);
  assert.ok(fresh.ms >= 140, `a new address is delayed before the success is known (${fresh.ms} ms)`);
  assert.ok(await auth.login(attempt('alice', 'secret', '192.0.2.50')));
  assert.deepEqual(entries.filter((e) => e.remote === '192.0.2.50').map((e) => e.delayMs), [0, 0]);
});

test('an unknown account is delayed exactly like a known one', async () => {
  const { log, entries } = capturingLogger();
  const { auth } = await setup({ baseDelayMs: 50, log });
  for (const n of [1, 2, 3]) {
    await auth.login(attempt('alice', 'bad', `203.0.113.${n}`));
    await auth.login(attempt('nobody', 'bad', `203.0.113.${n}`));
  }
  await auth.login(attempt('alice', 'bad', '198.51.100.1'));
  await auth.login(attempt('nobody', 'bad', '198.51.100.2'));
  const last = entries.slice(-2).map((e) => e.delayMs);
  assert.equal(last[0], last[1]);
  assert.ok((last[0] as number) > 0);
});

test('a source is banned after banAfterFailures failures; its logins then fail, the right password too', async () => {
  const { log, entries } = capturingLogger();
  const store = createMemoryStore();
  await store.accounts.addUser('alice@example.org', await hashPassword('secret', COST));
  const bans = new BanGuard({ bans: store.bans, banAfterFailures: 3, windowMs: 60_000, durationMs: 60_000 });
  const auth = new PasswordAuthenticator({ accounts: store.accounts, defaultDomain: 'example.org', scryptCost: COST, freeFailures: 100, maxDelayMs: 0, bans, log });
  for (const user of ['u1', 'u2', 'u3']) assert.equal(await auth.login(attempt(user, 'x', '198.51.100.9')), null);
  assert.equal(await bans.isBanned('198.51.100.9'), true);
  assert.equal(await auth.login(attempt('alice', 'secret', '198.51.100.9')), null);
  assert.equal(entries.at(-1)?.msg, 'login refused: source banned');
  assert.ok(await auth.login(attempt('alice', 'secret', '192.0.2.1')), 'other sources log in');
  assert.deepEqual((await store.bans.listBans(new Date())).map((b) => b.source), ['198.51.100.9']);
});

test('after a failure, parallel guesses do not all get the undelayed rate', async () => {
  const { auth } = await setup({ freeFailures: 1, maxDelayMs: 200, baseDelayMs: 120 });
  assert.equal(await auth.login(attempt('alice', 'bad', '192.0.2.99')), null);
  const results = await Promise.all([1, 2, 3, 4].map(() => timed(auth.login(attempt('alice', 'bad', '192.0.2.99')))));
  const slowest = Math.max(...results.map((r) => r.ms));
  assert.ok(slowest >= 110, `slowest of four parallel guesses took ${slowest} ms`);
});

test('parallel logins with the right password (a mail client opening several connections) are not throttled', async () => {
  const { auth } = await setup({ freeFailures: 1, maxDelayMs: 5000, baseDelayMs: 2000 });
  const results = await Promise.all([...Array(12)].map(() => timed(auth.login(attempt('alice', 'secret', '192.0.2.98')))));
  for (const r of results) assert.ok(r.value, 'every login succeeds');
  const slowest = Math.max(...results.map((r) => r.ms));
  assert.ok(slowest < 2000, `a throttling delay was applied to correct logins (${slowest} ms)`);
});

test('a broken account store makes login fail, not hang', async () => {
  const auth = new PasswordAuthenticator({
    accounts: { ...createMemoryStore().accounts, getUser: async () => { throw new Error('db down'); } },
    scryptCost: COST,
  });
  await assert.rejects(auth.login(attempt('a@b.c', 'x')), /db down/);
});

test('a login with an imported or older hash replaces it with one of the configured scheme; a failed one does not', async () => {
  const policy = { scheme: 'argon2id', memoryKib: 256, passes: 1, parallelism: 1 } as const;
  const store = createMemoryStore();
  // doveadm pw -s SSHA512 -p secret
  const imported = '{SSHA512}knviGqAiuv4GNbMREznpEuL+E05X0OZ+ZETou2IoVckLV3RKFIzqMz1K2WLZPiyEJdpuFRXbz5aEVsbmAKshE9xT5Wk=';
  await store.accounts.addUser('bob@example.org', imported);
  const { log, entries } = capturingLogger();
  const auth = new PasswordAuthenticator({ accounts: store.accounts, passwordPolicy: policy, freeFailures: 100, maxDelayMs: 0, log });
  assert.equal(await auth.login(attempt('bob@example.org', 'wrong')), null);
  assert.equal((await store.accounts.getUser('bob@example.org'))?.passwordHash, imported);
  assert.ok(await auth.login(attempt('bob@example.org', 'secret')));
  const upgraded = (await store.accounts.getUser('bob@example.org'))!.passwordHash;
  assert.equal(hashSchemeName(upgraded), 'argon2id');
  assert.equal(isCurrentHash(upgraded, policy), true);
  assert.ok(entries.some((e) => e.msg === 'password hash upgraded'));
  // The next login verifies the new hash and leaves it alone.
  assert.ok(await auth.login(attempt('bob@example.org', 'secret')));
  assert.equal((await store.accounts.getUser('bob@example.org'))?.passwordHash, upgraded);
});

test('the upgrade never undoes a password changed between the check and the write', async () => {
  const store = createMemoryStore();
  await store.accounts.addUser('bob@example.org', await hashPassword('old', COST));
  const accounts = {
    ...store.accounts,
    // The administrator sets a new password just after the old one was verified.
    async replacePasswordHash(address: string, expected: string, hash: string) {
      await store.accounts.setPassword(address, 'set-by-admin');
      return store.accounts.replacePasswordHash(address, expected, hash);
    },
  };
  const auth = new PasswordAuthenticator({ accounts, scryptCost: 2048, freeFailures: 100, maxDelayMs: 0 });
  assert.ok(await auth.login(attempt('bob@example.org', 'old')));
  assert.equal((await store.accounts.getUser('bob@example.org'))?.passwordHash, 'set-by-admin');
});

test('an unknown user costs a hash of the configured scheme (the dummy hash follows auth.password_scheme)', async () => {
  const policy = { scheme: 'argon2id', memoryKib: 256, passes: 1, parallelism: 1 } as const;
  const auth = new PasswordAuthenticator({ accounts: createMemoryStore().accounts, passwordPolicy: policy, freeFailures: 100, maxDelayMs: 0 });
  const dummy = await (auth as unknown as { dummy(): Promise<string> }).dummy();
  assert.equal(isCurrentHash(dummy, policy), true);
  assert.equal(await auth.login(attempt('nobody@example.org', 'septet-dummy-password')), null);
  const scryptAuth = new PasswordAuthenticator({ accounts: createMemoryStore().accounts, scryptCost: COST });
  assert.equal(isCurrentHash(await (scryptAuth as unknown as { dummy(): Promise<string> }).dummy(), { scheme: 'scrypt', cost: COST }), true);
});
