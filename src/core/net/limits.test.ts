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
  assert.deepEqual(limits.acquire('192.0.2.1'), { ok: false, reason: 'too-many-from-ip', scope: 'server' });
  lease(limits, '192.0.2.2'); // other addresses are not affected
  a.release();
  lease(limits, '192.0.2.1');
  assert.equal(limits.active, 3);
});

test('global maximum counts every address', () => {
  const limits = new ConnectionLimits({ maxConnections: 2, maxPerIp: 5 });
  lease(limits, '192.0.2.1');
  const b = lease(limits, '2001:db8::1');
  assert.deepEqual(limits.acquire('192.0.2.3'), { ok: false, reason: 'too-many', scope: 'server' });
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
  assert.deepEqual(limits.acquire('192.0.2.1'), { ok: false, reason: 'too-many-from-ip', scope: 'server' });
  assert.equal(limits.activeFrom('192.0.2.1'), 1);
});

// ---- per service, deadlines and stress (injected clock) ----

import { createServer, connect, type Socket } from 'node:net';
import { Connection, DeadlineExceededError } from './connection.ts';
import { ReadTimeoutError } from './byte-reader.ts';
import { ManualClock, capturingLogger } from './testing.ts';
import type { LimitsOptions } from './limits.ts';

/** Records what the limits told a connection. */
function holder() {
  const h = { expired: 0, idleCaps: [] as number[] };
  return { h, holder: { deadlineExpired: () => void h.expired++, capIdleTimeout: (ms: number) => void h.idleCaps.push(ms) } };
}

function withClock(o: Partial<LimitsOptions> = {}) {
  const clock = new ManualClock();
  const limits = new ConnectionLimits({ maxConnections: 1000, maxPerIp: 1000, clock, ...o });
  return { clock, limits };
}

function leaseIn(limits: ConnectionLimits, ip: string, service: string): ConnectionLease {
  const result = limits.acquire(ip, service);
  assert.ok(result.ok, `expected a slot for ${ip} in ${service}`);
  return result.lease;
}

test('a full service refuses new connections while the other services still take them', () => {
  const { limits } = withClock({ maxPerService: 3, maxPerIpPerService: 100 });
  for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) leaseIn(limits, ip, 'smtp');
  assert.deepEqual(limits.acquire('127.0.0.5', 'smtp'), { ok: false, reason: 'too-many', scope: 'service' });
  assert.equal(limits.acquire('127.0.0.5', 'imap').ok, true);
  assert.equal(limits.acquire('127.0.0.2', 'pop3').ok, true);
  assert.equal(limits.activeIn('smtp'), 3);
  assert.equal(limits.active, 5);
});

test('per address per service: one address fills its share of one service only', () => {
  const { limits } = withClock({ maxPerService: 100, maxPerIpPerService: 2 });
  leaseIn(limits, '192.0.2.1', 'smtp');
  const b = leaseIn(limits, '192.0.2.1', 'smtp');
  assert.deepEqual(limits.acquire('192.0.2.1', 'smtp'), { ok: false, reason: 'too-many-from-ip', scope: 'service' });
  assert.equal(limits.acquire('192.0.2.1', 'imap').ok, true);
  assert.equal(limits.acquire('192.0.2.2', 'smtp').ok, true);
  assert.equal(limits.activeFrom('192.0.2.1', 'smtp'), 2);
  assert.equal(limits.activeFrom('192.0.2.1'), 3);
  b.release();
  assert.equal(limits.acquire('192.0.2.1', 'smtp').ok, true);
});

test('the server-wide cap still applies as the last resort', () => {
  const { limits } = withClock({ maxConnections: 2, maxPerService: 10 });
  leaseIn(limits, '192.0.2.1', 'smtp');
  leaseIn(limits, '192.0.2.2', 'imap');
  assert.deepEqual(limits.acquire('192.0.2.3', 'pop3'), { ok: false, reason: 'too-many', scope: 'server' });
});

test('an untrusted connection expires at its total deadline; a per-service deadline overrides the default', () => {
  const { clock, limits } = withClock({ preauthDeadlineMs: 60_000, serviceDeadlineMs: { smtp: 300_000 } });
  const imap = holder();
  leaseIn(limits, '192.0.2.1', 'imap').attach(imap.holder);
  const smtp = holder();
  leaseIn(limits, '192.0.2.1', 'smtp').attach(smtp.holder);
  clock.advance(59_999);
  assert.equal(imap.h.expired, 0);
  clock.advance(1);
  assert.equal(imap.h.expired, 1);
  assert.equal(smtp.h.expired, 0);
  clock.advance(240_000);
  assert.equal(smtp.h.expired, 1);
  clock.advance(1_000_000);
  assert.equal(imap.h.expired, 1, 'expires once');
});

test('markTrusted ends the deadline; release cancels it', () => {
  const { clock, limits } = withClock({ preauthDeadlineMs: 1000 });
  const a = holder();
  const trusted = leaseIn(limits, '192.0.2.1', 'pop3');
  trusted.attach(a.holder);
  trusted.markTrusted();
  assert.equal(trusted.trusted, true);
  const gone = leaseIn(limits, '192.0.2.1', 'pop3');
  const b = holder();
  gone.attach(b.holder);
  gone.release();
  clock.advance(10_000);
  assert.equal(a.h.expired, 0);
  assert.equal(b.h.expired, 0);
  assert.equal(clock.pending, 0);
  assert.equal(limits.untrustedCount(), 0);
});

test('a deadline that passes before the connection is attached (slow TLS handshake) expires it on attach', () => {
  const { clock, limits } = withClock({ preauthDeadlineMs: 1000 });
  const lease = leaseIn(limits, '192.0.2.1', 'imaps');
  clock.advance(2000);
  const a = holder();
  lease.attach(a.holder);
  assert.equal(a.h.expired, 1);
});

test('under stress the deadlines of untrusted sessions shrink, never grow, and their idle timeouts are capped; trusted ones are untouched', () => {
  const { clock, limits } = withClock({ maxPerService: 8, preauthDeadlineMs: 60_000, stressPercent: 75, stressDeadlineMs: 10_000, stressIdleMs: 5_000 });
  const early = holder();
  leaseIn(limits, '192.0.2.1', 'smtp').attach(early.holder);
  clock.advance(55_000); // 5 s left: stress must not extend it to 10
  const trusted = holder();
  const t = leaseIn(limits, '192.0.2.2', 'smtp');
  t.attach(trusted.holder);
  t.markTrusted();
  const others = [holder(), holder(), holder(), holder()];
  for (const o of others) leaseIn(limits, '192.0.2.3', 'smtp').attach(o.holder);
  assert.equal(limits.stressed('smtp'), false); // 6 of 8
  assert.deepEqual(others[0]!.h.idleCaps, []);
  const late = holder();
  leaseIn(limits, '192.0.2.4', 'smtp').attach(late.holder); // 7 of 8 > 75 %: stress
  assert.equal(limits.stressed('smtp'), true);
  assert.equal(limits.stressed('imap'), false);
  for (const o of [early, ...others, late]) assert.deepEqual(o.h.idleCaps, [5_000]);
  assert.deepEqual(trusted.h.idleCaps, []);
  clock.advance(5_000);
  assert.equal(early.h.expired, 1, 'the earlier deadline holds');
  assert.equal(others[0]!.h.expired, 0);
  clock.advance(5_000);
  for (const o of [...others, late]) assert.equal(o.h.expired, 1);
  assert.equal(trusted.h.expired, 0);
});

test('a connection arriving under stress gets the short deadline from the start; stress ends below the threshold', () => {
  const { clock, limits } = withClock({ maxPerService: 4, preauthDeadlineMs: 60_000, stressPercent: 75, stressDeadlineMs: 10_000, stressIdleMs: 5_000 });
  const leases = [0, 1, 2].map(() => leaseIn(limits, '192.0.2.1', 'ftp'));
  for (const l of leases) l.markTrusted();
  assert.equal(limits.stressed('ftp'), false); // 3 of 4 is not above 75 %
  const a = holder();
  const newcomer = leaseIn(limits, '192.0.2.9', 'ftp');
  assert.equal(limits.stressed('ftp'), true);
  newcomer.attach(a.holder);
  assert.deepEqual(a.h.idleCaps, [5_000]);
  clock.advance(10_000);
  assert.equal(a.h.expired, 1);
  newcomer.release();
  leases[0]!.release();
  assert.equal(limits.stressed('ftp'), false);
  const b = holder();
  leaseIn(limits, '192.0.2.9', 'ftp').attach(b.holder);
  assert.deepEqual(b.h.idleCaps, []);
});

test('a full service of authenticated sessions refuses newcomers and evicts nobody', () => {
  const { clock, limits } = withClock({ maxPerService: 2, preauthDeadlineMs: 1000, stressPercent: 50, stressDeadlineMs: 100, stressIdleMs: 100 });
  const sessions = [holder(), holder()];
  for (const s of sessions) {
    const l = leaseIn(limits, '192.0.2.1', 'imap');
    l.attach(s.holder);
    l.markTrusted();
  }
  assert.deepEqual(limits.acquire('192.0.2.2', 'imap'), { ok: false, reason: 'too-many', scope: 'service' });
  clock.advance(1_000_000);
  for (const s of sessions) assert.equal(s.h.expired, 0);
});

// The Connection side: bytes trickling in do not extend the deadline, and the pending read fails.
async function socketPair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => listener.once('connection', r));
  const client = connect(port, '127.0.0.1');
  const server = await accepted;
  return { server, client, close: () => (client.destroy(), server.destroy(), listener.close()) };
}

test('a connection trickling bytes is cut at the deadline: the pending read fails with DeadlineExceededError and a log line says why', async () => {
  const { clock, limits } = withClock({ preauthDeadlineMs: 60_000 });
  const { server, client, close } = await socketPair();
  const captured = capturingLogger();
  const conn = new Connection(server, captured.log);
  conn.attachLease(leaseIn(limits, '127.0.0.1', 'pop3'));
  const read = conn.reader.readLine(100);
  for (let i = 0; i < 59; i++) {
    client.write('x');
    await new Promise((r) => server.once('data', r));
    clock.advance(1000);
  }
  clock.advance(1000);
  await assert.rejects(read, DeadlineExceededError);
  assert.ok(captured.entries.some((e) => e.msg === 'pre-authentication deadline reached; closing'));
  close();
});

test('a trusted connection keeps reading past the deadline', async () => {
  const { clock, limits } = withClock({ preauthDeadlineMs: 1000 });
  const { server, client, close } = await socketPair();
  const conn = new Connection(server, capturingLogger().log);
  conn.attachLease(leaseIn(limits, '127.0.0.1', 'imap'));
  conn.markTrusted();
  clock.advance(5000);
  client.write('a NOOP\r\n');
  assert.equal((await conn.reader.readLine(100))?.toString(), 'a NOOP');
  close();
});

test('under stress an unauthenticated connection\'s idle timeout is capped; after markTrusted its own applies again', async () => {
  // A real clock for the socket's idle timer; the deadline itself is off.
  const limits = new ConnectionLimits({ maxConnections: 100, maxPerIp: 100, maxPerService: 2, stressPercent: 50, stressIdleMs: 50, stressDeadlineMs: 0 });
  const filler = leaseIn(limits, '127.0.0.1', 'smtp');
  filler.markTrusted();
  const { server, client, close } = await socketPair();
  const conn = new Connection(server, capturingLogger().log);
  conn.attachLease(leaseIn(limits, '127.0.0.1', 'smtp')); // 2 of 2: stress
  conn.setIdleTimeout(600_000);
  const error = await conn.reader.readLine(100).then(() => null, (e: unknown) => e);
  assert.ok(error instanceof ReadTimeoutError && !(error instanceof DeadlineExceededError), String(error));
  close();

  const second = await socketPair();
  const trusted = new Connection(second.server, capturingLogger().log);
  filler.release();
  trusted.attachLease(leaseIn(limits, '127.0.0.1', 'smtp'));
  trusted.setIdleTimeout(600_000);
  trusted.markTrusted();
  const read = trusted.reader.readLine(100);
  await new Promise((r) => setTimeout(r, 200)); // four times the stress idle timeout
  second.client.write('still here\r\n');
  assert.equal((await read)?.toString(), 'still here');
  second.close();
});

test('an IPv6 client counts by its /64: addresses of one /64 share the per-source cap, another /64 does not', () => {
  const limits = new ConnectionLimits({ maxConnections: 10, maxPerIp: 2 });
  assert.equal(limits.acquire('2001:db8:1:2::1').ok, true);
  assert.equal(limits.acquire('2001:db8:1:2:aaaa::7').ok, true);
  assert.deepEqual(limits.acquire('2001:db8:1:2:ffff:ffff:ffff:ffff'), { ok: false, reason: 'too-many-from-ip', scope: 'server' });
  assert.equal(limits.acquire('2001:db8:1:3::1').ok, true);
});
