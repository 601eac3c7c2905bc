// The part of the conformance suite for source bans (BanStore): what the ban guard
// and `septet ban list|del` rely on. Called from runStoreConformance() for every backend.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WithStore } from './conformance-helpers.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

export function runBanStoreConformance(withStore: WithStore): void {
  describe('bans', () => {
    test('addBan, listBans in force at a time, oldest first; expired bans are not listed', withStore(async (store) => {
      await store.bans.addBan({ source: '192.0.2.7', reason: 'twenty failures', createdAt: at(0), expiresAt: at(600) });
      await store.bans.addBan({ source: '2001:db8:1:2::/64', reason: 'more', createdAt: at(10), expiresAt: at(100) });
      assert.deepEqual(await store.bans.listBans(at(50)), [
        { source: '192.0.2.7', reason: 'twenty failures', createdAt: at(0), expiresAt: at(600) },
        { source: '2001:db8:1:2::/64', reason: 'more', createdAt: at(10), expiresAt: at(100) },
      ]);
      assert.deepEqual((await store.bans.listBans(at(100))).map((b) => b.source), ['192.0.2.7'], 'a ban ends at expiresAt');
      assert.deepEqual(await store.bans.listBans(at(600)), []);
    }));

    test('banning a banned source again replaces the reason but never shortens the ban', withStore(async (store) => {
      await store.bans.addBan({ source: '192.0.2.7', reason: 'first', createdAt: at(0), expiresAt: at(600) });
      await store.bans.addBan({ source: '192.0.2.7', reason: 'second', createdAt: at(5), expiresAt: at(300) });
      assert.deepEqual(await store.bans.listBans(at(400)), [{ source: '192.0.2.7', reason: 'second', createdAt: at(5), expiresAt: at(600) }]);
      await store.bans.addBan({ source: '192.0.2.7', reason: 'third', createdAt: at(6), expiresAt: at(900) });
      assert.equal((await store.bans.listBans(at(700)))[0]?.expiresAt.getTime(), at(900).getTime());
    }));

    test('deleteBan lifts a ban at once; false for an unknown or expired one', withStore(async (store) => {
      await store.bans.addBan({ source: '192.0.2.7', reason: 'r', createdAt: at(0), expiresAt: at(600) });
      await store.bans.addBan({ source: '192.0.2.8', reason: 'r', createdAt: at(0), expiresAt: at(10) });
      assert.equal(await store.bans.deleteBan('192.0.2.7', at(1)), true);
      assert.deepEqual((await store.bans.listBans(at(1))).map((b) => b.source), ['192.0.2.8']);
      assert.equal(await store.bans.deleteBan('192.0.2.7', at(1)), false);
      assert.equal(await store.bans.deleteBan('198.51.100.1', at(1)), false);
      assert.equal(await store.bans.deleteBan('192.0.2.8', at(20)), false, 'an expired ban is no ban');
      assert.deepEqual(await store.bans.listBans(at(0)), []);
    }));

    test('a returned ban is a copy: changing it changes nothing stored', withStore(async (store) => {
      await store.bans.addBan({ source: '192.0.2.7', reason: 'r', createdAt: at(0), expiresAt: at(600) });
      const [ban] = await store.bans.listBans(at(1));
      ban!.expiresAt.setTime(at(2).getTime());
      assert.equal((await store.bans.listBans(at(3))).length, 1);
    }));
  });
}
