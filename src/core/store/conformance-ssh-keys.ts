// The part of the conformance suite for SSH public keys kept per account (SshKeyStore):
// what `septet ssh key add|list|del`, the console's key commands and the SSH server's
// public-key authentication rely on. Called from runStoreConformance() for every backend.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { isStoreError, type WithStore } from './conformance-helpers.ts';

/** A key record as the CLI makes it: the fingerprint is SHA256 of the blob (ssh-keygen -l). */
function key(seed: string, comment = `key ${seed}`, algorithm = 'ssh-ed25519') {
  const publicKey = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), createHash('sha256').update(seed).digest()]);
  const fingerprint = `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
  return { algorithm, publicKey, fingerprint, comment };
}

export function runSshKeyStoreConformance(withStore: WithStore): void {
  describe('ssh keys', () => {
    test('add returns the stored key; list is oldest first; find matches the exact blob', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const one = key('one', 'alice@laptop');
      const two = key('two', '');
      const added = await store.sshKeys.add(alice.id, one);
      assert.equal(added.accountId, alice.id);
      assert.equal(added.algorithm, 'ssh-ed25519');
      assert.ok(Buffer.isBuffer(added.publicKey), 'publicKey is a Buffer');
      assert.deepEqual(added.publicKey, one.publicKey);
      assert.equal(added.fingerprint, one.fingerprint);
      assert.equal(added.comment, 'alice@laptop');
      assert.ok(added.createdAt instanceof Date && Math.abs(added.createdAt.getTime() - Date.now()) < 60_000);
      await store.sshKeys.add(alice.id, two);
      const listed = await store.sshKeys.list(alice.id);
      assert.deepEqual(listed.map((k) => k.fingerprint), [one.fingerprint, two.fingerprint]);
      assert.deepEqual(listed[0], added);
      assert.ok(Buffer.isBuffer(listed[1]!.publicKey));
      assert.equal(listed[1]!.comment, '');
      const found = await store.sshKeys.find(alice.id, Buffer.from(two.publicKey));
      assert.equal(found?.fingerprint, two.fingerprint);
      assert.ok(Buffer.isBuffer(found!.publicKey));
      assert.equal(await store.sshKeys.find(alice.id, key('three').publicKey), null);
      assert.equal(await store.sshKeys.find(alice.id, one.publicKey.subarray(0, one.publicKey.length - 1)), null, 'a prefix of a blob is another blob');
    }));

    test('keys belong to one account: another account neither lists nor finds them, and may add the same key', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const bob = await store.accounts.addUser('bob@example.org', 'h');
      const shared = key('shared');
      await store.sshKeys.add(alice.id, shared);
      assert.deepEqual(await store.sshKeys.list(bob.id), []);
      assert.equal(await store.sshKeys.find(bob.id, shared.publicKey), null);
      assert.equal(await store.sshKeys.delete(bob.id, shared.fingerprint), false);
      // OpenSSH allows one key in several users' authorized_keys; so do we.
      const bobs = await store.sshKeys.add(bob.id, shared);
      assert.equal(bobs.accountId, bob.id);
      assert.equal((await store.sshKeys.find(alice.id, shared.publicKey))?.accountId, alice.id);
      assert.equal((await store.sshKeys.find(bob.id, shared.publicKey))?.accountId, bob.id);
    }));

    test('the same key twice for one account is refused with exists, whatever its comment', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      await store.sshKeys.add(alice.id, key('one', 'first'));
      await assert.rejects(store.sshKeys.add(alice.id, key('one', 'second')), isStoreError('exists'));
      assert.deepEqual((await store.sshKeys.list(alice.id)).map((k) => k.comment), ['first']);
    }));

    test('add for an unknown account is refused with not-found; list of one is empty', withStore(async (store) => {
      await assert.rejects(store.sshKeys.add(4242, key('one')), isStoreError('not-found'));
      assert.deepEqual(await store.sshKeys.list(4242), []);
      assert.equal(await store.sshKeys.find(4242, key('one').publicKey), null);
    }));

    test('add refuses a record whose fingerprint is not SHA256 of its blob, or an empty blob or type', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      await assert.rejects(store.sshKeys.add(alice.id, { ...key('one'), fingerprint: key('two').fingerprint }), isStoreError('invalid'));
      await assert.rejects(store.sshKeys.add(alice.id, { ...key('one'), algorithm: '' }), isStoreError('invalid'));
      const empty = Buffer.alloc(0);
      await assert.rejects(
        store.sshKeys.add(alice.id, { algorithm: 'ssh-ed25519', publicKey: empty, fingerprint: `SHA256:${createHash('sha256').update(empty).digest('base64').replace(/=+$/, '')}`, comment: '' }),
        isStoreError('invalid'),
      );
      assert.deepEqual(await store.sshKeys.list(alice.id), []);
    }));

    test('delete by fingerprint removes that key only; false the second time', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const one = key('one');
      const two = key('two');
      await store.sshKeys.add(alice.id, one);
      await store.sshKeys.add(alice.id, two);
      assert.equal(await store.sshKeys.delete(alice.id, one.fingerprint), true);
      assert.deepEqual((await store.sshKeys.list(alice.id)).map((k) => k.fingerprint), [two.fingerprint]);
      assert.equal(await store.sshKeys.find(alice.id, one.publicKey), null);
      assert.equal(await store.sshKeys.delete(alice.id, one.fingerprint), false);
      assert.equal(await store.sshKeys.delete(alice.id, 'SHA256:nothing'), false);
      // Deleted keys may come back.
      await store.sshKeys.add(alice.id, one);
      assert.deepEqual((await store.sshKeys.list(alice.id)).map((k) => k.fingerprint), [two.fingerprint, one.fingerprint]);
    }));

    test('deleting the account deletes its keys; a new account of the same address starts with none', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const one = key('one');
      await store.sshKeys.add(alice.id, one);
      assert.equal(await store.accounts.deleteUser('alice@example.org'), true);
      assert.deepEqual(await store.sshKeys.list(alice.id), []);
      assert.equal(await store.sshKeys.find(alice.id, one.publicKey), null);
      const again = await store.accounts.addUser('alice@example.org', 'h');
      assert.deepEqual(await store.sshKeys.list(again.id), []);
      assert.equal(await store.sshKeys.find(again.id, one.publicKey), null);
    }));

    test('a returned key is a copy: changing it changes nothing stored', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const one = key('one');
      const added = await store.sshKeys.add(alice.id, one);
      added.publicKey.fill(0);
      added.createdAt.setTime(0);
      one.publicKey.fill(1); // nor does changing the caller's buffer after add
      const [stored] = await store.sshKeys.list(alice.id);
      assert.deepEqual(stored!.publicKey, key('one').publicKey);
      assert.notEqual(stored!.createdAt.getTime(), 0);
    }));
  });
}
