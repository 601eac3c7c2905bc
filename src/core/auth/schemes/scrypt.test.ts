import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashScrypt as hashPassword, verifyScrypt as verifyPassword } from './scrypt.ts';

test('hashPassword produces a self-describing scrypt string that verifies', async () => {
  const hash = await hashPassword('correct horse', 1024);
  assert.match(hash, /^\$scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct horsE', hash), false);
  assert.equal(await verifyPassword('', hash), false);
});

test('two hashes of one password differ (random salt)', async () => {
  const [a, b] = await Promise.all([hashPassword('pw', 1024), hashPassword('pw', 1024)]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('pw', b), true);
});

test('non-ASCII passwords verify (NFC-normalised)', async () => {
  const hash = await hashPassword('p\u00e4ss', 1024);
  assert.equal(await verifyPassword('pa\u0308ss', hash), true);
});

test('malformed or hostile stored hashes never verify', async () => {
  const good = await hashPassword('pw', 1024);
  for (const stored of ['', 'plain', '$scrypt$N=1000,r=8,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5', good.replace('N=1024', 'N=4194304'), good.replace('r=8', 'r=0'), `${good}!`]) {
    assert.equal(await verifyPassword('pw', stored), false, stored);
  }
});

test('hashPassword refuses a cost that is not a power of two', async () => {
  await assert.rejects(hashPassword('pw', 1000), RangeError);
});
