import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionLimits, type ConnectionLease } from './limits.ts';

function lease(limits: ConnectionLimits, ip: string): ConnectionLease {
  const result = limits.acquire(ip);
  assert.ok(result.ok, `expected a slot for ${ip}`);
  return result.lease;
}

test('per-address maximum, then a slot again after a release', () => {
  const limits = new ConnectionLimits({ maxConnections: 10, maxPerIp: 2 });
  const a = lease(limits, '192.0.2.1');
  lease(limits, '192.0.2.1');
  assert.deepEqual(limits.acquire('192.0.2.1'), { ok: false, reason: 'too-many-from-ip' });
  lease(limits, '192.0.2.2'); // other addresses are not affected
  a.release();
  lease(limits, '192.0.2.1');
  assert.equal(limits.active, 3);
});

test('global maximum counts every address', () => {
  const limits = new ConnectionLimits({ maxConnections: 2, maxPerIp: 5 });
  lease(limits, '192.0.2.1');
  const b = lease(limits, '2001:db8::1');
  assert.deepEqual(limits.acquire('192.0.2.3'), { ok: false, reason: 'too-many' });
  b.release();
  assert.equal(limits.acquire('192.0.2.3').ok, true);
});

test('release is idempotent and the per-address entry disappears at zero', () => {
  const limits = new ConnectionLimits({ maxConnections: 5, maxPerIp: 5 });
  const a = lease(limits, '192.0.2.1');
  const b = lease(limits, '192.0.2.1');
  a.release();
  a.release();
  assert.equal(limits.active, 1);
  assert.equal(limits.activeFrom('192.0.2.1'), 1);
  b.release();
  assert.equal(limits.active, 0);
  assert.equal(limits.activeFrom('192.0.2.1'), 0);
});

test('an IPv4-mapped IPv6 address counts as its IPv4 address', () => {
  const limits = new ConnectionLimits({ maxConnections: 5, maxPerIp: 1 });
  lease(limits, '::ffff:192.0.2.1');
  assert.deepEqual(limits.acquire('192.0.2.1'), { ok: false, reason: 'too-many-from-ip' });
  assert.equal(limits.activeFrom('192.0.2.1'), 1);
});
