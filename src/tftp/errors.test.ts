// Every ERROR the server sends (codes 0 to 8), option negotiation, and bad input:
// bogus packets, a flood of requests. Raw UDP against the server in-process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeAck, encodeData, encodeError, encodeRequest, Opcode, type Packet } from './wire.ts';
import { RawPeer, startTestServer, type TestServer } from './test-support.ts';

const rrq = (name: string, options: [string, string][] = [], mode = 'octet') => encodeRequest(Opcode.RRQ, name, mode, options);
const wrq = (name: string, options: [string, string][] = [], mode = 'octet') => encodeRequest(Opcode.WRQ, name, mode, options);

async function errorFor(s: TestServer, packet: Buffer): Promise<{ code: number; message: string }> {
  const peer = await RawPeer.open();
  try {
    peer.send(packet, s.port);
    const r = await peer.expect();
    assert.equal(r.packet.kind, 'error', `expected ERROR, got ${JSON.stringify(r.packet)}`);
    const p = r.packet as Extract<Packet, { kind: 'error' }>;
    return { code: p.code, message: p.message };
  } finally {
    peer.close();
  }
}

async function idle(s: TestServer, ms = 3000): Promise<void> {
  for (let waited = 0; s.server.activeTransfers > 0 && waited < ms; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.server.activeTransfers, 0, 'every transfer slot is free again');
}

test('error 1: file not found; error 2: "..", a symlink out of the root, writing disabled, a folder', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await mkdir(join(s.root, 'dir'));
  await writeFile(join(s.dataDir, 'outside'), 'secret');
  await symlink(join(s.dataDir, 'outside'), join(s.root, 'link'));
  assert.deepEqual(await errorFor(s, rrq('nope')), { code: 1, message: 'File not found' });
  assert.equal((await errorFor(s, rrq('../outside'))).code, 2);
  assert.equal((await errorFor(s, rrq('dir/../../outside'))).code, 2);
  assert.equal((await errorFor(s, rrq('link'))).code, 2);
  assert.equal((await errorFor(s, rrq('dir'))).code, 2);
  assert.deepEqual(await errorFor(s, wrq('new')), { code: 2, message: 'Access violation: writing is disabled' });
  await idle(s);
});

test('an absolute path is taken relative to the root (tftpd-hpa --secure)', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await mkdir(join(s.root, 'boot'));
  await writeFile(join(s.root, 'boot', 'kernel'), 'K');
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('/boot/kernel'), s.port);
  const r = await peer.expect();
  assert.deepEqual(r.packet, { kind: 'data', block: 1, payload: Buffer.from('K') });
  peer.send(encodeAck(1), r.from.port);
});

test('writes: only existing files by default (error 2 for new ones), new files in upload_dir, error 6 without overwrite', async (t) => {
  const s = await startTestServer({ allow_write: true, upload_dir: 'incoming', overwrite: false });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'exists'), 'old');
  assert.deepEqual(await errorFor(s, wrq('brand-new')), { code: 2, message: 'Access violation: new files may not be created here' });
  assert.deepEqual(await errorFor(s, wrq('exists')), { code: 6, message: 'File already exists' });
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(wrq('incoming/fresh'), s.port);
  const a0 = await peer.expect();
  assert.deepEqual(a0.packet, { kind: 'ack', block: 0 });
  peer.send(encodeData(1, Buffer.from('hello')), a0.from.port);
  assert.deepEqual((await peer.expect()).packet, { kind: 'ack', block: 1 });
  assert.equal(await readFile(join(s.root, 'incoming', 'fresh'), 'utf8'), 'hello');
});

test('error 3: an upload beyond max_file_size (announced by tsize, or while sending); the old file stays', async (t) => {
  const s = await startTestServer({ allow_write: true, max_file_size: 1000 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'target'), 'previous');
  assert.equal((await errorFor(s, wrq('target', [['tsize', '5000']]))).code, 3);
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(wrq('target'), s.port);
  const a0 = await peer.expect();
  peer.send(encodeData(1, Buffer.alloc(512)), a0.from.port);
  assert.deepEqual((await peer.expect()).packet, { kind: 'ack', block: 1 });
  peer.send(encodeData(2, Buffer.alloc(512)), a0.from.port);
  const err = await peer.expect();
  assert.equal(err.packet.kind, 'error');
  assert.equal((err.packet as { code: number }).code, 3);
  assert.equal(await readFile(join(s.root, 'target'), 'utf8'), 'previous');
  await idle(s);
});

test('error 4: unknown opcode, missing NUL, unknown mode, DATA on the request port, DATA during an RRQ', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), 'abc');
  assert.equal((await errorFor(s, Buffer.from([0, 9, 1, 2]))).code, 4);
  assert.equal((await errorFor(s, Buffer.from('\x00\x01f\x00octet', 'latin1'))).code, 4);
  assert.equal((await errorFor(s, Buffer.from('\x00\x01\x00', 'latin1'))).code, 4);
  assert.deepEqual(await errorFor(s, rrq('f', [], 'binary')), { code: 4, message: 'Illegal TFTP operation: unknown transfer mode' });
  assert.equal((await errorFor(s, encodeData(1, Buffer.from('x')))).code, 4);
  assert.equal((await errorFor(s, encodeAck(1))).code, 4);
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('f'), s.port);
  const d1 = await peer.expect();
  peer.send(encodeData(1, Buffer.from('?')), d1.from.port);
  const err = await peer.expect();
  assert.equal((err.packet as { code: number }).code, 4);
  await idle(s);
});

test('error 5: unknown transfer ID (raw, see transfer.test.ts for "not disturbing")', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), 'abc');
  const peer = await RawPeer.open();
  const other = await RawPeer.open();
  t.after(() => (peer.close(), other.close()));
  peer.send(rrq('f'), s.port);
  const d1 = await peer.expect();
  other.send(encodeData(1, Buffer.from('x')), d1.from.port);
  assert.deepEqual((await other.expect()).packet, { kind: 'error', code: 5, message: 'Unknown transfer ID' });
  other.send(encodeError(0, 'an ERROR is never answered'), d1.from.port);
  assert.equal(await other.next(200), null);
  peer.send(encodeAck(1), d1.from.port);
});

test('error 7: mail mode (RFC 1350) names a user, and there is none; error 8: bogus option values', async (t) => {
  const s = await startTestServer({ allow_write: true });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), 'abc');
  assert.equal((await errorFor(s, wrq('root', [], 'MAIL'))).code, 7);
  for (const [name, value] of [['blksize', '4'], ['blksize', 'lots'], ['windowsize', '0'], ['timeout', '999'], ['tsize', '-5']] as const) {
    const e = await errorFor(s, rrq('f', [[name, value]]));
    assert.equal(e.code, 8, `${name}=${value}`);
  }
  await idle(s);
});

test('error 0: too many transfers from one client; the slots come back when transfers time out', async (t) => {
  const s = await startTestServer({ max_transfers_per_client: 3, timeout_ms: 30, retries: 2 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), 'abc');
  const peers = await Promise.all(Array.from({ length: 10 }, () => RawPeer.open()));
  t.after(() => peers.forEach((p) => p.close()));
  for (const p of peers) p.send(rrq('f'), s.port);
  const firsts = await Promise.all(peers.map((p) => p.expect()));
  const started = firsts.filter((r) => r.packet.kind === 'data');
  const refused = firsts.filter((r) => r.packet.kind === 'error');
  assert.equal(started.length, 3);
  assert.equal(refused.length, 7);
  for (const r of refused) assert.deepEqual(r.packet, { kind: 'error', code: 0, message: 'Too many transfers from your address, try again later' });
  // Nobody acknowledges: each transfer gives up with ERROR 0 and frees its slot.
  await idle(s);
  const winner = peers[firsts.indexOf(started[0]!)]!;
  const tail = await winner.drain(100);
  assert.ok(tail.some((r) => r.packet.kind === 'error' && (r.packet as { code: number }).code === 0), 'a timed-out transfer says so');
  // And a new request is served again.
  const fresh = await RawPeer.open();
  t.after(() => fresh.close());
  fresh.send(rrq('f'), s.port);
  assert.deepEqual((await fresh.expect()).packet, { kind: 'data', block: 1, payload: Buffer.from('abc') });
});

test('a flood of the same RRQ from one client port starts one transfer, not many', async (t) => {
  const s = await startTestServer({ timeout_ms: 1000 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), 'abc');
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  for (let i = 0; i < 50; i++) peer.send(rrq('f'), s.port);
  const got = await peer.drain(300);
  assert.equal(got.length, 1, 'one DATA 1');
  assert.equal(s.server.activeTransfers, 1);
  peer.send(encodeAck(1), got[0]!.from.port);
  await idle(s);
});

test('options: blksize, timeout, tsize and windowsize in the OACK, unknown ones left out; then the agreed block size', async (t) => {
  const s = await startTestServer({ max_blksize: 1468 });
  t.after(() => s.stop());
  const content = Buffer.alloc(3000, 0x5a);
  await writeFile(join(s.root, 'f'), content);
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('f', [['blksize', '9000'], ['timeout', '2'], ['tsize', '0'], ['windowsize', '2'], ['x-vendor', 'y']]), s.port);
  const oack = await peer.expect();
  assert.deepEqual(oack.packet, {
    kind: 'oack',
    options: new Map([['blksize', '1468'], ['timeout', '2'], ['tsize', '3000'], ['windowsize', '2']]),
  });
  peer.send(encodeAck(0), oack.from.port);
  const sizes = [];
  for (let i = 0; i < 2; i++) sizes.push(((await peer.expect()).packet as { payload: Buffer }).payload.length);
  assert.deepEqual(sizes, [1468, 1468]);
  peer.send(encodeAck(2), oack.from.port);
  assert.equal(((await peer.expect()).packet as { payload: Buffer }).payload.length, 3000 - 2 * 1468);
  peer.send(encodeAck(3), oack.from.port);

  // Only unknown options: plain RFC 1350, DATA 1 at once.
  peer.send(rrq('f', [['x-vendor', 'y']]), s.port);
  const d1 = await peer.expect();
  assert.equal(d1.packet.kind, 'data');
  peer.send(encodeError(8, 'client gives up'), d1.from.port);
  await idle(s);
});

test('a client refusing the OACK with ERROR 8 ends the transfer and frees its slot', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), 'abc');
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('f', [['blksize', '1024']]), s.port);
  const oack = await peer.expect();
  assert.equal(oack.packet.kind, 'oack');
  peer.send(encodeError(8, 'no thanks'), oack.from.port);
  await idle(s);
  assert.equal(await peer.next(200), null, 'no reply to an ERROR');
});

test('bogus packets of every length to the request port and to a transfer port never crash the server', async (t) => {
  const s = await startTestServer({ timeout_ms: 1000 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), Buffer.alloc(2000, 1));
  const peer = await RawPeer.open();
  const noise = await RawPeer.open();
  t.after(() => (peer.close(), noise.close()));
  peer.send(rrq('f'), s.port);
  const d1 = await peer.expect();
  // A seeded generator (xorshift): every run sends the same noise.
  let seed = 0x2545f491;
  const rand = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), seed >>> 0);
  for (let i = 0; i < 400; i++) {
    const length = rand() % 40;
    const junk = Buffer.alloc(length);
    for (let j = 0; j < length; j++) junk[j] = rand() & 0xff;
    if (length >= 2 && i % 3 === 0) junk[0] = 0; // many with a plausible opcode
    if (length >= 2 && i % 3 === 0) junk[1] = 1 + (rand() % 6);
    noise.send(junk, i % 2 === 0 ? s.port : d1.from.port);
  }
  // Truncated packets from the real client are dropped, the transfer goes on.
  peer.send(Buffer.from([0, 4, 0]), d1.from.port);
  peer.send(Buffer.from([0]), d1.from.port);
  await noise.drain(200);
  peer.send(encodeAck(1), d1.from.port);
  let next = await peer.expect();
  while (next.packet.kind === 'data' && (next.packet as { block: number }).block === 1) next = await peer.expect();
  assert.deepEqual(next.packet, { kind: 'data', block: 2, payload: Buffer.alloc(512, 1) });
  for (let block = 2; block <= 4; block++) peer.send(encodeAck(block), d1.from.port);
  await peer.drain(100);
  await idle(s);
});
