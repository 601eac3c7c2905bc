import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import { fixtures } from './fixtures.test-data.ts';
import { installKeys, normalizeFingerprint } from './install.ts';
import { parsePublicKeys } from './parse.ts';

test('installKeys adds new keys in order, reports ones the account has (or the input repeats), and needs the account', async () => {
  const store = createMemoryStore();
  const alice = await store.accounts.addUser('alice@example.org', 'h');
  const first = await installKeys(store.sshKeys, alice.id, parsePublicKeys(fixtures.ed.text).keys);
  assert.deepEqual(first.added.map((k) => k.comment), ['alice@laptop']);
  const both = parsePublicKeys(`${fixtures.ed.text}${fixtures.rsa.text}${fixtures.rsa.text}`).keys;
  const second = await installKeys(store.sshKeys, alice.id, both);
  assert.deepEqual(second.added.map((k) => k.comment), ['rsa two k']);
  assert.deepEqual(second.present.map((k) => k.comment), ['alice@laptop', 'rsa two k']);
  const stored = await store.sshKeys.list(alice.id);
  assert.deepEqual(stored.map((k) => [k.algorithm, k.comment]), [['ssh-ed25519', 'alice@laptop'], ['ssh-rsa', 'rsa two k']]);
  assert.deepEqual(stored[0]!.publicKey, both[0]!.blob);
  await assert.rejects(installKeys(store.sshKeys, 999, both), (error: unknown) => (error as { code?: string }).code === 'not-found');
});

test('normalizeFingerprint takes the fingerprint with or without SHA256:, nothing else', () => {
  const fp = fixtures.ed.lf.split(' ')[1]!;
  assert.equal(normalizeFingerprint(fp), fp);
  assert.equal(normalizeFingerprint(fp.slice(7)), fp);
  assert.equal(normalizeFingerprint(` ${fp}= `), fp);
  assert.equal(normalizeFingerprint('MD5:12:34'), null);
  assert.equal(normalizeFingerprint('SHA256:short'), null);
});
