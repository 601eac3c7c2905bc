// The administration API through inject(): who may reach it (anonymous 401, a user
// 403, CSRF on every change), and each operation: users, aliases, domains, queue,
// bans, the status summed over several processes' files, and recent log lines.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../core/log/logger.ts';
import { LogRing, recentLogLines } from '../../../core/log/ring.ts';
import { MetricsRegistry } from '../../../core/metrics/registry.ts';
import { startStatusPublisher, statusFolder } from '../../../core/metrics/status-files.ts';
import { ALICE, BOB, PASSWORD, WebFixture, type WebClient } from '../../testing/app.ts';

let fx: WebFixture;
let alice: WebClient;
let bob: WebClient;
before(async () => {
  fx = await WebFixture.start({ configure: (c) => (c.domains = ['lists.example.net']) });
  alice = await fx.signedIn(ALICE);
  bob = await fx.signedIn(BOB);
});
after(() => fx.close());

async function queueRemote(to = 'far@remote.example'): Promise<string> {
  const blob = await fx.store.blobs.create();
  await blob.write(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
  const { blobId, size } = await blob.commit();
  const { queueId } = await fx.store.messages.deliver({ blobId, size, internalDate: new Date(), local: [], remote: { sender: BOB, recipients: [{ address: to }] } });
  assert.ok(queueId);
  return queueId;
}

const endpoints: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; json?: unknown }[] = [
  { method: 'GET', url: '/api/admin/users' },
  { method: 'POST', url: '/api/admin/users', json: { address: 'mallory@example.org', password: 'x' } },
  { method: 'PATCH', url: `/api/admin/users/${encodeURIComponent(BOB)}`, json: { admin: true } },
  { method: 'DELETE', url: `/api/admin/users/${encodeURIComponent(ALICE)}` },
  { method: 'GET', url: '/api/admin/aliases' },
  { method: 'POST', url: '/api/admin/aliases', json: { alias: '@example.org', target: BOB } },
  { method: 'DELETE', url: '/api/admin/aliases/postmaster%40example.org' },
  { method: 'GET', url: '/api/admin/domains' },
  { method: 'GET', url: '/api/admin/queue' },
  { method: 'POST', url: '/api/admin/queue/ID/retry' },
  { method: 'POST', url: '/api/admin/queue/ID/hold' },
  { method: 'POST', url: '/api/admin/queue/ID/release' },
  { method: 'DELETE', url: '/api/admin/queue/ID' },
  { method: 'GET', url: '/api/admin/bans' },
  { method: 'DELETE', url: '/api/admin/bans?source=192.0.2.99' },
  { method: 'GET', url: '/api/admin/status' },
  { method: 'GET', url: '/api/admin/logs' },
];

describe('who may reach the administration API', () => {
  test('every admin endpoint is in the OpenAPI document with the admin tag', async () => {
    const doc = (await fx.client().get('/api/openapi.json')).json();
    for (const e of endpoints) {
      const path = e.url.split('?')[0]!.replace(/\/users\/[^/]+$/, '/users/{address}').replace(/\/aliases\/[^/]+$/, '/aliases/{alias}').replace(/\/queue\/ID/, '/queue/{id}');
      const op = doc.paths[path]?.[e.method.toLowerCase()];
      assert.ok(op, `${e.method} ${path} is documented`);
      assert.deepEqual(op.tags, ['admin']);
    }
  });

  test('anonymous: 401 on every admin endpoint (changes with a valid CSRF token too)', async () => {
    const anonymous = fx.client();
    anonymous.csrfToken = (await anonymous.get('/api/session')).json().csrfToken;
    for (const e of endpoints) {
      const r = await anonymous.request(e.method, e.url, e.json === undefined ? {} : { json: e.json });
      assert.equal(r.statusCode, 401, `${e.method} ${e.url}: ${r.body}`);
      assert.equal(r.json().error, 'unauthenticated');
    }
  });

  test('a signed-in user who is not an administrator: 403 on every admin endpoint, and nothing changed', async () => {
    const queueId = await queueRemote();
    for (const e of endpoints) {
      const r = await bob.request(e.method, e.url.replace('ID', queueId), e.json === undefined ? {} : { json: e.json });
      assert.equal(r.statusCode, 403, `${e.method} ${e.url}: ${r.body}`);
      assert.equal(r.json().error, 'forbidden');
    }
    assert.equal((await fx.store.accounts.getUser(BOB))?.admin, false);
    assert.ok(await fx.store.accounts.getUser(ALICE));
    assert.equal(await fx.store.accounts.getUser('mallory@example.org'), null);
    assert.ok(await fx.store.queue.get(queueId));
    await fx.store.queue.remove(queueId);
  });

  test('an administrator without the CSRF token (or with another session\'s) is refused every change', async () => {
    const queueId = await queueRemote();
    for (const e of endpoints.filter((x) => x.method !== 'GET')) {
      const missing = await alice.request(e.method, e.url.replace('ID', queueId), { csrf: false, ...(e.json === undefined ? {} : { json: e.json }) });
      assert.equal(missing.statusCode, 403, `${e.method} ${e.url}: ${missing.body}`);
      assert.equal(missing.json().error, 'csrf');
      const foreign = await alice.request(e.method, e.url.replace('ID', queueId), { headers: { 'x-csrf-token': bob.csrfToken }, csrf: false, ...(e.json === undefined ? {} : { json: e.json }) });
      assert.equal(foreign.statusCode, 403, `${e.method} ${e.url} with bob's token`);
    }
    assert.equal((await fx.store.accounts.getUser(BOB))?.admin, false);
    assert.ok(await fx.store.queue.get(queueId));
    await fx.store.queue.remove(queueId);
  });

  test('a cross-site change is refused even with the token; an oversized body is 413', async () => {
    const cross = await alice.request('POST', '/api/admin/users', { json: { address: 'x@example.org', password: 'p' }, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(cross.statusCode, 403);
    const huge = await alice.post('/api/admin/users', { address: 'x@example.org', password: 'p'.repeat(fx.config.web.max_body + 10) });
    assert.equal(huge.statusCode, 413);
    assert.equal(await fx.store.accounts.getUser('x@example.org'), null);
  });
});

describe('users', () => {
  test('list: address, administrator flag, quota and usage', async () => {
    await fx.store.accounts.setQuota(BOB, 5_000_000);
    const users = (await alice.get('/api/admin/users')).json().users as { address: string; admin: boolean; quotaBytes: number | null; usedBytes: number }[];
    const a = users.find((u) => u.address === ALICE)!;
    const b = users.find((u) => u.address === BOB)!;
    assert.equal(a.admin, true);
    assert.equal(b.admin, false);
    assert.equal(b.quotaBytes, 5_000_000);
    assert.equal(a.quotaBytes, null);
    assert.equal(typeof b.usedBytes, 'number');
  });

  test('add with a password: the new user signs in and has the default mailboxes; a duplicate is 409, a non-address 400', async () => {
    const r = await alice.post('/api/admin/users', { address: 'Carol@Example.ORG', password: 'carol secret', quotaBytes: 1000 });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().user.address, 'Carol@example.org');
    assert.equal(r.json().user.quotaBytes, 1000);
    assert.match(r.json().message, /added Carol@example\.org/);
    const carol = fx.client();
    await carol.signIn('carol@example.org', 'carol secret');
    const account = (await fx.store.accounts.getUser('carol@example.org'))!;
    assert.ok((await fx.store.mailboxes.listMailboxes(account.id)).some((m) => m.name === 'INBOX'));
    assert.equal((await alice.post('/api/admin/users', { address: 'carol@example.org', password: 'x' })).statusCode, 409);
    const bad = await alice.post('/api/admin/users', { address: 'not an address', password: 'x' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await alice.post('/api/admin/users', { address: 'dave@example.org', password: 'a\nb' })).statusCode, 400, 'a password with a line end');
    assert.equal((await alice.post('/api/admin/users', { address: 'dave@example.org' })).statusCode, 400, 'no password');
  });

  test('set password (the user\'s other sessions end), quota, administrator on and off, send as domain', async () => {
    const url = `/api/admin/users/${encodeURIComponent('carol@example.org')}`;
    const carol = fx.client();
    await carol.signIn('carol@example.org', 'carol secret');
    const p = await alice.patch(url, { password: 'carol new' });
    assert.equal(p.statusCode, 200, p.body);
    assert.deepEqual(p.json().messages, ['password changed for Carol@example.org']);
    assert.equal((await carol.get('/api/session')).json().signedIn, false, 'signed out by the change');
    await assert.rejects(fx.client().signIn('carol@example.org', 'carol secret'));
    await fx.client().signIn('carol@example.org', 'carol new');

    assert.equal((await alice.patch(url, { quotaBytes: 2048 })).json().user.quotaBytes, 2048);
    assert.equal((await alice.patch(url, { quotaBytes: null })).json().user.quotaBytes, null);
    assert.equal((await alice.patch(url, { quotaBytes: -1 })).statusCode, 400);
    const on = await alice.patch(url, { admin: true, sendAsDomain: true });
    assert.equal(on.json().user.admin, true);
    assert.equal(on.json().user.sendAsDomain, true);
    const carolAdmin = fx.client();
    await carolAdmin.signIn('carol@example.org', 'carol new');
    assert.equal((await carolAdmin.get('/api/admin/users')).statusCode, 200, 'now an administrator');
    assert.equal((await alice.patch(url, { admin: false })).json().user.admin, false);
    assert.equal((await carolAdmin.get('/api/admin/users')).statusCode, 403, 'no longer, at once');
    assert.equal((await alice.patch(url, {})).statusCode, 400, 'nothing to change');
    assert.equal((await alice.patch(url, { address: 'x' })).statusCode, 400, 'nothing known to change (unknown fields are dropped)');
    assert.equal((await alice.patch(`/api/admin/users/${encodeURIComponent('nobody@example.org')}`, { admin: true })).statusCode, 404);
  });

  test('an administrator cannot delete their own account or drop their own flag; delete removes a user', async () => {
    const self = `/api/admin/users/${encodeURIComponent(ALICE)}`;
    assert.equal((await alice.delete(self)).statusCode, 422);
    assert.equal((await alice.patch(self, { admin: false })).statusCode, 422);
    assert.equal((await fx.store.accounts.getUser(ALICE))?.admin, true);
    const r = await alice.delete(`/api/admin/users/${encodeURIComponent('carol@example.org')}`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().message, 'deleted Carol@example.org');
    assert.equal(await fx.store.accounts.getUser('carol@example.org'), null);
    assert.equal((await alice.delete(`/api/admin/users/${encodeURIComponent('carol@example.org')}`)).statusCode, 404);
  });
});

test('hostile path parameters: NUL, "..", a slash and an overlong address are refused, nothing is touched', async () => {
  for (const bad of ['%00', 'bob%00@example.org', '..', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(400) + '@example.org']) {
    const r = await alice.patch(`/api/admin/users/${bad}`, { admin: true });
    assert.ok([400, 404].includes(r.statusCode), `users/${bad.slice(0, 40)}: ${r.statusCode}`);
    const d = await alice.delete(`/api/admin/aliases/${bad}`);
    assert.ok([400, 404].includes(d.statusCode), `aliases/${bad.slice(0, 40)}: ${d.statusCode}`);
    const q = await alice.delete(`/api/admin/queue/${bad}`);
    assert.ok([400, 404].includes(q.statusCode), `queue/${bad.slice(0, 40)}: ${q.statusCode}`);
  }
  assert.equal((await fx.store.accounts.getUser(BOB))?.admin, false);
  assert.equal((await fx.store.accounts.listUsers()).length, 2);
});

describe('aliases and domains', () => {
  test('add, list and delete aliases (a catch-all too); a duplicate is 409, a bad target 400, an unknown alias 404', async () => {
    assert.equal((await alice.post('/api/admin/aliases', { alias: 'Sales@Example.org', target: BOB })).statusCode, 201);
    assert.equal((await alice.post('/api/admin/aliases', { alias: '@shop.example.com', target: BOB })).statusCode, 201);
    assert.equal((await alice.post('/api/admin/aliases', { alias: 'sales@example.org', target: BOB })).statusCode, 409);
    assert.equal((await alice.post('/api/admin/aliases', { alias: 'x@example.org', target: 'nope' })).statusCode, 400);
    assert.equal((await alice.post('/api/admin/aliases', { alias: BOB, target: ALICE })).statusCode, 409, 'a user is not an alias');
    const list = (await alice.get('/api/admin/aliases')).json().aliases;
    assert.deepEqual(list.map((a: { alias: string }) => a.alias).sort(), ['@shop.example.com', 'Sales@example.org']);
    assert.deepEqual(await fx.store.accounts.aliasTargets('sales@example.org'), [BOB]);
  });

  test('domains: those of users and aliases and the configured ones, with counts and the catch-all', async () => {
    const domains = (await alice.get('/api/admin/domains')).json().domains as { domain: string; users: number; aliases: number; catchAll: string | null; configured: boolean }[];
    assert.deepEqual(domains.map((d) => d.domain), ['example.org', 'lists.example.net', 'shop.example.com']);
    assert.deepEqual(domains[0], { domain: 'example.org', users: 2, aliases: 1, catchAll: null, configured: false });
    assert.deepEqual(domains[1], { domain: 'lists.example.net', users: 0, aliases: 0, catchAll: null, configured: true });
    assert.deepEqual(domains[2], { domain: 'shop.example.com', users: 0, aliases: 1, catchAll: BOB, configured: false });
  });

  test('deleting the aliases; the domain of the last one goes with it', async () => {
    assert.equal((await alice.delete(`/api/admin/aliases/${encodeURIComponent('sales@example.org')}`)).json().message, 'deleted sales@example.org');
    assert.equal((await alice.delete(`/api/admin/aliases/${encodeURIComponent('@shop.example.com')}`)).statusCode, 200);
    assert.equal((await alice.delete(`/api/admin/aliases/${encodeURIComponent('@shop.example.com')}`)).statusCode, 404);
    assert.deepEqual((await alice.get('/api/admin/aliases')).json().aliases, []);
    const domains = (await alice.get('/api/admin/domains')).json().domains.map((d: { domain: string }) => d.domain);
    assert.deepEqual(domains, ['example.org', 'lists.example.net']);
  });
});

describe('the mail queue', () => {
  test('list with recipients, attempts, next attempt and last error; hold, release, retry now, delete', async () => {
    const id = await queueRemote('far@remote.example');
    await fx.store.queue.claim(id);
    await fx.store.queue.recordAttempt(id, { at: new Date(), host: null, results: [{ address: 'far@remote.example', outcome: 'deferred', reply: 'no MX reachable' }] });
    await fx.store.queue.defer(id, new Date(Date.now() + 3_600_000), 'no MX reachable');
    const entries = (await alice.get('/api/admin/queue')).json().entries;
    assert.equal(entries.length, 1);
    const e = entries[0];
    assert.equal(e.id, id);
    assert.equal(e.state, 'deferred');
    assert.equal(e.attempts, 1);
    assert.equal(e.lastError, 'no MX reachable');
    assert.equal(e.sender, BOB);
    assert.ok(Date.parse(e.nextAttemptAt) > Date.now() + 3_000_000);
    assert.deepEqual(e.recipients, [{ address: 'far@remote.example', status: 'pending', lastReply: 'no MX reachable', remoteMta: null }]);

    assert.equal((await alice.post(`/api/admin/queue/${id}/hold`)).json().message, `${id}: held`);
    assert.equal((await fx.store.queue.get(id))?.state, 'held');
    assert.equal((await alice.post(`/api/admin/queue/${id}/release`)).statusCode, 200);
    assert.equal((await alice.post(`/api/admin/queue/${id}/release`)).statusCode, 404, 'not held');
    await fx.store.queue.defer(id, new Date(Date.now() + 3_600_000), 'no MX reachable');
    assert.equal((await alice.post(`/api/admin/queue/${id}/retry`)).json().message, `${id}: will be tried at once`);
    assert.ok((await fx.store.queue.get(id))!.nextAttemptAt.getTime() <= Date.now());
    assert.equal((await alice.delete(`/api/admin/queue/${id}`)).json().message, `${id}: deleted (no report is sent)`);
    assert.equal(await fx.store.queue.get(id), null);
    for (const action of ['retry', 'hold', 'release']) assert.equal((await alice.post(`/api/admin/queue/${id}/${action}`)).statusCode, 404);
    assert.equal((await alice.delete(`/api/admin/queue/${id}`)).statusCode, 404);
    assert.equal((await alice.post(`/api/admin/queue/${'x'.repeat(300)}/retry`)).statusCode, 400, 'an id beyond the schema');
  });
});

describe('bans', () => {
  test('list and lift (IPv4 and an IPv6 /64); an unknown source is 404, garbage 400', async () => {
    const now = Date.now();
    await fx.store.bans.addBan({ source: '198.51.100.7', reason: '20 failed logins in 900 s', createdAt: new Date(now), expiresAt: new Date(now + 600_000) });
    await fx.store.bans.addBan({ source: '2001:db8:1:2::/64', reason: 'banned by the administrator', createdAt: new Date(now), expiresAt: new Date(now + 600_000) });
    const bans = (await alice.get('/api/admin/bans')).json().bans;
    assert.deepEqual(bans.map((b: { source: string }) => b.source), ['198.51.100.7', '2001:db8:1:2::/64']);
    assert.equal(bans[0].reason, '20 failed logins in 900 s');
    assert.equal((await alice.delete('/api/admin/bans?source=198.51.100.7')).json().message, 'lifted the ban of 198.51.100.7');
    assert.equal((await alice.delete(`/api/admin/bans?source=${encodeURIComponent('2001:db8:1:2::/64')}`)).statusCode, 200);
    assert.deepEqual(await fx.store.bans.listBans(new Date()), []);
    assert.equal((await alice.delete('/api/admin/bans?source=198.51.100.7')).statusCode, 404);
    assert.equal((await alice.delete('/api/admin/bans?source=..%2F..%2Fetc')).statusCode, 400);
    assert.equal((await alice.delete('/api/admin/bans')).statusCode, 400);
  });
});

describe('status and logs over several processes', () => {
  /** A process that runs while the test does (its pid is "alive"). */
  function sleeper(): { pid: number; stop: () => void } {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    return { pid: child.pid!, stop: () => child.kill() };
  }
  /** A pid that no process has: a child that has exited. */
  async function deadPid(): Promise<number> {
    const child = spawn('true', [], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    return child.pid!;
  }
  const sample = (name: string, labels: Record<string, string>, value: number) => ({ name, labels, value });

  test('the status sums the files of live processes, drops those of dead ones and ignores stale ones', async () => {
    const folder = statusFolder(fx.dataDir);
    await mkdir(folder, { recursive: true });
    const other = sleeper();
    const stale = sleeper();
    const dead = await deadPid();
    try {
      const now = new Date().toISOString();
      const write = (pid: number, worker: number, writtenAt: string, samples: unknown[]) =>
        writeFile(join(folder, `${pid}.json`), JSON.stringify({ pid, worker, startedAt: now, writtenAt, samples }));
      await write(process.pid, 1, now, [
        sample('septet_sessions_open', { listener: 'pop3' }, 2),
        sample('septet_sessions_total', { listener: 'pop3' }, 7),
        sample('septet_messages_accepted_total', { via: 'smtp' }, 3),
        sample('septet_messages_delivered_total', { path: 'local' }, 4),
        sample('septet_transfer_octets_total', { service: 'ftp', direction: 'upload' }, 1000),
        sample('septet_connection_octets_total', { listener: 'https', direction: 'out' }, 5000),
      ]);
      await write(other.pid, 2, now, [
        sample('septet_sessions_open', { listener: 'pop3' }, 1),
        sample('septet_sessions_open', { listener: 'imap' }, 5),
        sample('septet_messages_accepted_total', { via: 'submission' }, 2),
        sample('septet_messages_delivered_total', { path: 'relay' }, 1),
        sample('septet_transfer_octets_total', { service: 'ftp', direction: 'upload' }, 24),
        sample('septet_transfer_octets_total', { service: 'tftp', direction: 'download' }, 512),
        sample('septet_connection_octets_total', { listener: 'https', direction: 'out' }, 5),
      ]);
      await write(dead, 3, now, [sample('septet_sessions_open', { listener: 'pop3' }, 100)]);
      await write(stale.pid, 4, new Date(Date.now() - 60_000).toISOString(), [sample('septet_sessions_open', { listener: 'pop3' }, 1000)]);
      await writeFile(join(folder, `${dead}.log.json`), JSON.stringify({ pid: dead, worker: 3, lines: [] }));

      const r = await alice.get('/api/admin/status');
      assert.equal(r.statusCode, 200, r.body);
      const s = r.json();
      assert.deepEqual(s.processes.map((p: { pid: number }) => p.pid).sort(), [process.pid, other.pid].sort());
      const pop3 = s.listeners.find((l: { name: string }) => l.name === 'pop3');
      assert.equal(pop3.open, 3);
      assert.equal(pop3.total, 7);
      assert.equal(pop3.port, 110);
      assert.equal(s.sessions.pop3, 3);
      assert.equal(s.sessions.imap, 5);
      assert.deepEqual(s.messages, { accepted: 5, deliveredLocal: 4, relayed: 1 });
      assert.deepEqual(s.transfer.ftp, { in: 1024, out: 0 });
      assert.deepEqual(s.transfer.tftp, { in: 0, out: 512 });
      assert.deepEqual(s.transfer.https, { in: 0, out: 5005 });
      const files = await readdir(folder);
      assert.ok(!files.includes(`${dead}.json`) && !files.includes(`${dead}.log.json`), 'a dead process\'s files are removed');
      assert.ok(files.includes(`${stale.pid}.json`), 'a stale file is ignored, not removed (its process runs)');
    } finally {
      other.stop();
      stale.stop();
    }
  });

  test('a publisher writes this process\'s counters 0600 and removes its files when stopped', async () => {
    const folder = join(fx.dataDir, 'publisher');
    const registry = new MetricsRegistry();
    const opened = registry.gauge('septet_sessions_open', 'test');
    opened.add({ listener: 'imap' }, 2);
    const ring = new LogRing(3);
    for (const n of [1, 2, 3, 4]) ring.write(`{"level":30,"time":${n},"msg":"line ${n}"}\n`);
    const publisher = await startStatusPublisher({ folder, worker: null, registry, ring, intervalMs: 60_000 });
    const file = join(folder, `${process.pid}.json`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(folder)).mode & 0o777, 0o700);
    opened.add({ listener: 'imap' }, -1);
    await publisher.publish();
    const { readServerStatus, readRecentLogs } = await import('../../../core/metrics/status-files.ts');
    assert.deepEqual((await readServerStatus(folder)).samples, [{ name: 'septet_sessions_open', labels: { listener: 'imap' }, value: 1 }]);
    assert.deepEqual((await readRecentLogs(folder)).map((l) => l.msg), ['line 4', 'line 3', 'line 2'], 'the ring keeps its last lines, newest first');
    await publisher.stop();
    assert.deepEqual(await readdir(folder), []);
  });

  test('logs: newest first across processes, with a level filter; a logged password is redacted', async () => {
    const folder = statusFolder(fx.dataDir);
    const other = sleeper();
    try {
      const line = (time: number, level: number, msg: string, extra: object = {}) => JSON.stringify({ level, time, pid: other.pid, worker: 2, msg, ...extra });
      await writeFile(join(folder, `${other.pid}.log.json`), JSON.stringify({ pid: other.pid, worker: 2, lines: [line(1000, 30, 'old info', { service: 'imap', remote: '192.0.2.1' }), line(3000, 40, 'newer warning'), line(2000, 20, 'debug line'), 'not json'] }));
      // This process's own logger writes to the ring; its lines go to the file of this pid.
      const before = recentLogLines.version;
      const log = createLogger({ level: 'info', file: join(fx.dataDir, 'test.log') });
      log.warn({ user: 'eve@example.org', password: PASSWORD, args: { password: PASSWORD } }, 'login with a password field');
      assert.ok(recentLogLines.version > before);
      const publisher = await startStatusPublisher({ folder, worker: 1, intervalMs: 60_000 });
      try {
        const all = (await alice.get('/api/admin/logs?level=debug')).json().lines as { msg: string; level: string; pid: number; service: string | null; details: string; time: string }[];
        const ours = all.find((l) => l.msg === 'login with a password field')!;
        assert.ok(ours, 'this process\'s line is listed');
        assert.equal(ours.level, 'warn');
        assert.ok(!ours.details.includes(PASSWORD), `no password in ${ours.details}`);
        assert.ok(!JSON.stringify(all).includes(PASSWORD));
        const theirs = all.filter((l) => l.pid === other.pid).map((l) => l.msg);
        assert.deepEqual(theirs, ['newer warning', 'debug line', 'old info']);
        const old = all.find((l) => l.msg === 'old info')!;
        assert.equal(old.service, 'imap');
        assert.equal(old.details, '{"remote":"192.0.2.1"}');
        const times = all.map((l) => Date.parse(l.time));
        assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
        const warnings = (await alice.get('/api/admin/logs?level=warn')).json().lines.filter((l: { pid: number }) => l.pid === other.pid);
        assert.deepEqual(warnings.map((l: { msg: string }) => l.msg), ['newer warning']);
        assert.equal((await alice.get('/api/admin/logs?level=loud')).statusCode, 400);
        assert.equal((await alice.get('/api/admin/logs?limit=1')).json().lines.length, 1);
      } finally {
        await publisher.stop();
      }
    } finally {
      other.stop();
    }
  });
});
