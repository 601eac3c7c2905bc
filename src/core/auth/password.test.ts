import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, hashSchemeName, isCurrentHash, passwordPolicy, verifyPassword, type PasswordPolicy } from './password.ts';

const ARGON2: PasswordPolicy = { scheme: 'argon2id', memoryKib: 256, passes: 1, parallelism: 1 };

test('argon2id hashes are PHC strings with the configured parameters, and verify', async () => {
  const hash = await hashPassword('correct horse', ARGON2);
  assert.match(hash, /^\$argon2id\$v=19\$m=256,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct horsE', hash), false);
  assert.equal(hashSchemeName(hash), 'argon2id');
});

test("Septet's own argon2id hashes are of the NFC form, as its scrypt ones", async () => {
  const hash = await hashPassword('p\u00e4ss', ARGON2);
  assert.equal(await verifyPassword('pa\u0308ss', hash), true);
});

test('a number is a scrypt cost; scrypt stays the default scheme', async () => {
  assert.equal(hashSchemeName(await hashPassword('pw', 1024)), 'scrypt');
  const settings = { password_scheme: 'scrypt', scrypt_cost: 2048, argon2_memory_kib: 65536, argon2_passes: 3, argon2_parallelism: 1 };
  assert.deepEqual(passwordPolicy(settings), { scheme: 'scrypt', cost: 2048 });
  assert.deepEqual(passwordPolicy({ ...settings, password_scheme: 'argon2id' }), { scheme: 'argon2id', memoryKib: 65536, passes: 3, parallelism: 1 });
});

test('isCurrentHash: same scheme and parameters only (what a login upgrades)', async () => {
  const argon = await hashPassword('pw', ARGON2);
  const scrypt = await hashPassword('pw', 1024);
  assert.equal(isCurrentHash(argon, ARGON2), true);
  assert.equal(isCurrentHash(argon, { ...ARGON2, passes: 2 }), false);
  assert.equal(isCurrentHash(argon, { scheme: 'scrypt', cost: 1024 }), false);
  assert.equal(isCurrentHash(scrypt, { scheme: 'scrypt', cost: 1024 }), true);
  assert.equal(isCurrentHash(scrypt, { scheme: 'scrypt', cost: 2048 }), false);
  assert.equal(isCurrentHash(scrypt, ARGON2), false);
  // An imported Dovecot hash is never current, even with the same parameters: it is not NFC-hashed.
  assert.equal(isCurrentHash(`{ARGON2ID}${argon}`, ARGON2), false);
  assert.equal(isCurrentHash('{SHA512-CRYPT}$6$abc$def', ARGON2), false);
});

test('hostile argon2 parameters and other versions never verify', async () => {
  const good = await hashPassword('pw', ARGON2);
  for (const stored of [good.replace('m=256', 'm=4194304'), good.replace('t=1', 't=1000'), good.replace('p=1', 'p=0'), good.replace('m=256', 'm=4'), good.replace('v=19', 'v=16'), good.replace('argon2id', 'argon2d'), `${good}!`]) {
    assert.equal(await verifyPassword('pw', stored), false, stored);
  }
  assert.equal(hashSchemeName('nonsense'), 'unreadable');
});
