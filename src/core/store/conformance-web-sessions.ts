// The part of the conformance suite for web console sessions (WebSessionStore): what the
// web console's sign-in, sign-out and password change rely on. Called from
// runStoreConformance() for every backend.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStoreError, type WithStore } from './conformance-helpers.ts';
import type { WebSession } from './types.ts';

function session(id: string, accountId: number, expiresAt: number): WebSession {
  return { id, accountId, createdAt: new Date(1_000_000), expiresAt: new Date(expiresAt), remoteAddress: '192.0.2.1', userAgent: 'test agent' };
}

export function runWebSessionStoreConformance(withStore: WithStore): void {
  describe('web sessions', () => {
    test('create then get returns the session until it expires; touch moves the expiry on', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      await store.webSessions.create(session('a1', alice.id, 5_000_000));
      const got = await store.webSessions.get('a1', new Date(2_000_000));
      assert.deepEqual(got, session('a1', alice.id, 5_000_000));
      assert.equal(await store.webSessions.get('a1', new Date(5_000_000)), null, 'expired at its expiry time');
      assert.equal(await store.webSessions.get('nope', new Date(2_000_000)), null);
      assert.equal(await store.webSessions.touch('a1', new Date(9_000_000)), true);
      assert.equal((await store.webSessions.get('a1', new Date(6_000_000)))?.expiresAt.getTime(), 9_000_000);
      assert.equal(await store.webSessions.touch('nope', new Date(9_000_000)), false);
    }));

    test('delete, deleteForAccount (with an exception) and purgeExpired remove what they say', withStore(async (store) => {
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      const bob = await store.accounts.addUser('bob@example.org', 'h');
      await store.webSessions.create(session('a1', alice.id, 5_000_000));
      await store.webSessions.create(session('a2', alice.id, 5_000_000));
      await store.webSessions.create(session('a3', alice.id, 5_000_000));
      await store.webSessions.create(session('b1', bob.id, 1_500_000));
      assert.equal(await store.webSessions.delete('a1'), true);
      assert.equal(await store.webSessions.delete('a1'), false);
      assert.equal(await store.webSessions.deleteForAccount(alice.id, 'a2'), 1);
      const now = new Date(1_200_000);
      assert.ok(await store.webSessions.get('a2', now), 'the excepted session stays');
      assert.equal(await store.webSessions.get('a3', now), null);
      assert.ok(await store.webSessions.get('b1', now), "another account's session stays");
      assert.equal(await store.webSessions.purgeExpired(new Date(2_000_000)), 1);
      assert.equal(await store.webSessions.get('b1', new Date(1_200_000)), null);
      assert.equal(await store.webSessions.deleteForAccount(alice.id), 1);
    }));

    test('a session needs its account and goes with it', withStore(async (store) => {
      await assert.rejects(store.webSessions.create(session('x', 9999, 5_000_000)), isStoreError('not-found'));
      const alice = await store.accounts.addUser('alice@example.org', 'h');
      await store.webSessions.create(session('a1', alice.id, 5_000_000));
      await store.accounts.deleteUser('alice@example.org');
      assert.equal(await store.webSessions.get('a1', new Date(2_000_000)), null);
    }));
  });
}
