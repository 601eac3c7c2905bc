import assert from 'node:assert/strict';
import type { MxRecord } from 'node:dns';
import { describe, test } from 'node:test';
import type { DnsLookup } from './dns.ts';
import { findMailHosts, orderByPreference, RouteError } from './mx.ts';

const dnsError = (code: string) => Object.assign(new Error(`query failed ${code}`), { code });

/** A DNS made of tables; a name missing from every table is NXDOMAIN. */
function tableDns(tables: { mx?: Record<string, MxRecord[] | string>; a?: Record<string, string[] | string>; aaaa?: Record<string, string[] | string> }): DnsLookup {
  const known = new Set([...Object.keys(tables.mx ?? {}), ...Object.keys(tables.a ?? {}), ...Object.keys(tables.aaaa ?? {})]);
  const lookup = <T>(table: Record<string, T | string> | undefined, name: string): Promise<T> => {
    const value = table?.[name];
    if (typeof value === 'string') return Promise.reject(dnsError(value));
    if (value !== undefined) return Promise.resolve(value as T);
    return Promise.reject(dnsError(known.has(name) ? 'ENODATA' : 'ENOTFOUND'));
  };
  return {
    resolveMx: (d) => lookup(tables.mx, d),
    resolve4: (h) => lookup(tables.a, h),
    resolve6: (h) => lookup(tables.aaaa, h),
  };
}

const isRoute = (permanent: boolean, status: string) => (e: unknown) => e instanceof RouteError && e.permanent === permanent && e.status === status;

describe('MX routing (RFC 5321 §5.1, RFC 7505)', () => {
  test('preference order; equal preferences are shuffled', () => {
    const records = [
      { name: 'c', preference: 20 },
      { name: 'a1', preference: 10 },
      { name: 'a2', preference: 10 },
      { name: 'a3', preference: 10 },
    ];
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const order = orderByPreference(records).map((r) => r.name);
      assert.equal(order.at(-1), 'c', 'the worse preference always comes last');
      assert.deepEqual(order.slice(0, 3).sort(), ['a1', 'a2', 'a3']);
      seen.add(order.slice(0, 3).join());
    }
    assert.ok(seen.size > 1, 'equal preferences come in different orders');
    // With a fixed random source the order is deterministic.
    assert.deepEqual(orderByPreference(records, () => 0).map((r) => r.name), ['a2', 'a3', 'a1', 'c']);
  });

  test('MX hosts with their A and AAAA addresses, hosts without addresses skipped', async () => {
    const dns = tableDns({
      mx: { 'b.test': [{ exchange: 'mx2.b.test', priority: 20 }, { exchange: 'mx1.b.test', priority: 10 }, { exchange: 'gone.b.test', priority: 5 }] },
      a: { 'mx1.b.test': ['192.0.2.1'], 'mx2.b.test': ['192.0.2.2'] },
      aaaa: { 'mx1.b.test': ['2001:db8::1'] },
    });
    const hosts = await findMailHosts('b.test', dns);
    assert.deepEqual(hosts, [
      { name: 'mx1.b.test', preference: 10, addresses: ['192.0.2.1', '2001:db8::1'] },
      { name: 'mx2.b.test', preference: 20, addresses: ['192.0.2.2'] },
    ]);
  });

  test('§5.1 implicit MX: no MX record, the domain\'s own address', async () => {
    const dns = tableDns({ a: { 'c.test': ['192.0.2.3'] } });
    assert.deepEqual(await findMailHosts('c.test', dns), [{ name: 'c.test', preference: 0, addresses: ['192.0.2.3'] }]);
  });

  test('RFC 7505 null MX is a permanent failure (5.1.10)', async () => {
    const dns = tableDns({ mx: { 'null.test': [{ exchange: '', priority: 0 }] }, a: { 'null.test': ['192.0.2.9'] } });
    await assert.rejects(findMailHosts('null.test', dns), isRoute(true, '5.1.10'));
  });

  test('no such domain is permanent; a DNS failure is temporary', async () => {
    await assert.rejects(findMailHosts('nowhere.test', tableDns({})), isRoute(true, '5.1.2'));
    await assert.rejects(findMailHosts('x.test', tableDns({ mx: { 'x.test': 'ESERVFAIL' } })), isRoute(false, '4.4.3'));
    await assert.rejects(findMailHosts('y.test', tableDns({ mx: { 'y.test': [{ exchange: 'mx.y.test', priority: 1 }] }, a: { 'mx.y.test': 'ETIMEOUT' } })), isRoute(false, '4.4.3'));
  });

  test('a domain literal needs no DNS', async () => {
    assert.deepEqual(await findMailHosts('[127.0.0.1]', tableDns({})), [{ name: '127.0.0.1', preference: 0, addresses: ['127.0.0.1'] }]);
  });
});
