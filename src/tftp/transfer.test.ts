// Raw UDP transcripts of whole transfers against the server in-process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { encodeAck, encodeData, encodeRequest, Opcode, type Packet } from './wire.ts';
import { RawPeer, startTestServer, type Received } from './test-support.ts';

const rrq = (name: string, options: [string, string][] = [], mode = 'octet') => encodeRequest(Opcode.RRQ, name, mode, options);
const wrq = (name: string, options: [string, string][] = [], mode = 'octet') => encodeRequest(Opcode.WRQ, name, mode, options);

function data(r: Received): { block: number; payload: Buffer } {
  assert.equal(r.packet.kind, 'data', `expected DATA, got ${JSON.stringify(r.packet)}`);
  const p = r.packet as Extract<Packet, { kind: 'data' }>;
  return { block: p.block, payload: p.payload };
}
function ack(r: Received): number {
  assert.equal(r.packet.kind, 'ack', `expected ACK, got ${JSON.stringify(r.packet)}`);
  return (r.packet as Extract<Packet, { kind: 'ack' }>).block;
}
const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));

test('RRQ lock-step: 512-octet blocks from a new TID, each acknowledged, a short last block', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  const content = pattern(1300);
  await writeFile(join(s.root, 'f.bin'), content);
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('f.bin'), s.port);
  const got: Buffer[] = [];
  for (let block = 1; block <= 3; block++) {
    const r = await peer.expect();
    assert.notEqual(r.from.port, s.port, 'RFC 1350 §4: the transfer continues from a new port');
    const d = data(r);
    assert.equal(d.block, block);
    got.push(d.payload);
    peer.send(encodeAck(block), r.from.port);
  }
  assert.deepEqual(got.map((b) => b.length), [512, 512, 276]);
  assert.deepEqual(Buffer.concat(got), content);
  assert.equal(await peer.next(300), null, 'nothing after the last ACK');
});

test('RFC 1350 §6: a file of an exact multiple of 512 octets ends with an empty DATA block; an empty file is one empty block', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await writeFile(join(s.root, 'k.bin'), pattern(1024));
  await writeFile(join(s.root, 'empty'), '');
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('k.bin'), s.port);
  const lengths: number[] = [];
  for (let block = 1; block <= 3; block++) {
    const r = await peer.expect();
    const d = data(r);
    lengths.push(d.payload.length);
    peer.send(encodeAck(d.block), r.from.port);
  }
  assert.deepEqual(lengths, [512, 512, 0]);

  peer.send(rrq('empty'), s.port);
  const r = await peer.expect();
  assert.deepEqual(data(r), { block: 1, payload: Buffer.alloc(0) });
  peer.send(encodeAck(1), r.from.port);
});

test('a lost ACK: the server times out and retransmits the DATA block, then goes on', async (t) => {
  const s = await startTestServer({ timeout_ms: 100 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), pattern(600));
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('f'), s.port);
  const first = await peer.expect();
  assert.equal(data(first).block, 1);
  const startedAt = Date.now();
  const again = await peer.expect(); // our ACK "was lost"
  assert.equal(data(again).block, 1);
  assert.ok(Date.now() - startedAt >= 80, 'retransmitted after the timeout, not at once');
  peer.send(encodeAck(1), again.from.port);
  const second = await peer.expect();
  assert.deepEqual(data(second), { block: 2, payload: pattern(600).subarray(512) });
  peer.send(encodeAck(2), second.from.port);
});

test('RFC 1123 §4.2.3.1: a duplicate ACK never causes a duplicate DATA (Sorcerer\'s Apprentice)', async (t) => {
  const s = await startTestServer({ timeout_ms: 1000 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), pattern(512 * 3 + 1));
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('f'), s.port);
  const d1 = await peer.expect();
  const tid = d1.from.port;
  peer.send(encodeAck(1), tid);
  assert.equal(data(await peer.expect()).block, 2);
  peer.send(encodeAck(1), tid); // the duplicate (a delayed copy of the first ACK)
  peer.send(encodeAck(1), tid);
  assert.deepEqual(await peer.drain(300), [], 'no DATA 2 again, no DATA 3');
  peer.send(encodeAck(2), tid);
  assert.equal(data(await peer.expect()).block, 3);
  peer.send(encodeAck(3), tid);
  assert.equal(data(await peer.expect()).block, 4);
  peer.send(encodeAck(4), tid);
});

test('RFC 1350 §4: a packet from another TID gets ERROR 5 and does not disturb the transfer', async (t) => {
  const s = await startTestServer({ timeout_ms: 1000 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'f'), pattern(700));
  const peer = await RawPeer.open();
  const stranger = await RawPeer.open();
  t.after(() => (peer.close(), stranger.close()));
  peer.send(rrq('f'), s.port);
  const d1 = await peer.expect();
  stranger.send(encodeAck(1), d1.from.port);
  const err = await stranger.expect();
  assert.deepEqual(err.packet, { kind: 'error', code: 5, message: 'Unknown transfer ID' });
  assert.equal(await peer.next(200), null, 'the real client saw nothing');
  peer.send(encodeAck(1), d1.from.port);
  assert.equal(data(await peer.expect()).payload.length, 700 - 512);
});

test('RFC 7440 §4: an out-of-sequence ACK restarts the window right after it', async (t) => {
  const s = await startTestServer({ timeout_ms: 1000 });
  t.after(() => s.stop());
  const content = pattern(512 * 10 + 100);
  await writeFile(join(s.root, 'w'), content);
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('w', [['windowsize', '4']]), s.port);
  const oack = await peer.expect();
  assert.deepEqual(oack.packet, { kind: 'oack', options: new Map([['windowsize', '4']]) });
  const tid = oack.from.port;
  peer.send(encodeAck(0), tid);
  const window1 = [];
  for (let i = 0; i < 4; i++) window1.push(data(await peer.expect()).block);
  assert.deepEqual(window1, [1, 2, 3, 4]);
  peer.send(encodeAck(2), tid); // "block 3 was lost"
  const window2 = [];
  for (let i = 0; i < 4; i++) window2.push(data(await peer.expect()).block);
  assert.deepEqual(window2, [3, 4, 5, 6]);
  peer.send(encodeAck(6), tid);
  const window3 = [];
  for (let i = 0; i < 4; i++) window3.push(data(await peer.expect()).block);
  assert.deepEqual(window3, [7, 8, 9, 10]);
  peer.send(encodeAck(10), tid);
  const last = data(await peer.expect());
  assert.deepEqual(last, { block: 11, payload: content.subarray(5120) });
  peer.send(encodeAck(11), tid);
  assert.deepEqual(await peer.drain(200), []);
});

test('RFC 7440 §4: on timeout the window restarts after the last ACK', async (t) => {
  const s = await startTestServer({ timeout_ms: 100 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'w'), pattern(512 * 5));
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(rrq('w', [['windowsize', '3']]), s.port);
  const tid = (await peer.expect()).from.port;
  peer.send(encodeAck(0), tid);
  for (const block of [1, 2, 3]) assert.equal(data(await peer.expect()).block, block);
  // No ACK: after the timeout the same window again.
  for (const block of [1, 2, 3]) assert.equal(data(await peer.expect()).block, block);
  peer.send(encodeAck(3), tid);
  for (const block of [4, 5, 6]) assert.equal(data(await peer.expect()).block, block);
  peer.send(encodeAck(6), tid);
});

test('WRQ: a duplicate DATA block is acknowledged again and written once', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 1000 });
  t.after(() => s.stop());
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(wrq('up.bin'), s.port);
  const a0 = await peer.expect();
  assert.equal(ack(a0), 0);
  const tid = a0.from.port;
  const b1 = pattern(512);
  peer.send(encodeData(1, b1), tid);
  assert.equal(ack(await peer.expect()), 1);
  peer.send(encodeData(1, b1), tid); // our ACK 1 "was lost": the client sends block 1 again
  assert.equal(ack(await peer.expect()), 1);
  peer.send(encodeData(2, Buffer.from('tail')), tid);
  assert.equal(ack(await peer.expect()), 2);
  assert.deepEqual(await readFile(join(s.root, 'up.bin')), Buffer.concat([b1, Buffer.from('tail')]));
  // Dallying (RFC 1350 §6): the final DATA again gets the final ACK again.
  peer.send(encodeData(2, Buffer.from('tail')), tid);
  assert.equal(ack(await peer.expect()), 2);
});

test('WRQ: the server retransmits ACK 0 while the first DATA does not come; a failed upload leaves no file', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 50, retries: 2 });
  t.after(() => s.stop());
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(wrq('never.bin'), s.port);
  assert.equal(ack(await peer.expect()), 0);
  assert.equal(ack(await peer.expect()), 0);
  assert.equal(ack(await peer.expect()), 0);
  const end = await peer.expect();
  assert.equal(end.packet.kind, 'error');
  assert.equal((end.packet as { code: number }).code, 0);
  await assert.rejects(readFile(join(s.root, 'never.bin')), { code: 'ENOENT' });
  for (let i = 0; i < 50 && s.server.activeTransfers > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.server.activeTransfers, 0);
});

test('WRQ with windowsize: a missing block is reported at once with the last block in order', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 1000 });
  t.after(() => s.stop());
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(wrq('win.bin', [['windowsize', '4'], ['blksize', '8']]), s.port);
  const oack = await peer.expect();
  assert.deepEqual(oack.packet, { kind: 'oack', options: new Map([['windowsize', '4'], ['blksize', '8']]) });
  const tid = oack.from.port;
  const block = (n: number) => Buffer.alloc(8, 0x40 + n);
  peer.send(encodeData(1, block(1)), tid);
  peer.send(encodeData(2, block(2)), tid);
  peer.send(encodeData(4, block(4)), tid); // 3 lost
  assert.equal(ack(await peer.expect()), 2);
  peer.send(encodeData(5, block(5)), tid); // still out of sequence: no second ACK right away
  assert.equal(await peer.next(150), null);
  for (const n of [3, 4, 5, 6]) peer.send(encodeData(n, block(n)), tid);
  assert.equal(ack(await peer.expect()), 6);
  peer.send(encodeData(7, Buffer.from('end')), tid);
  assert.equal(ack(await peer.expect()), 7);
  const expected = Buffer.concat([1, 2, 3, 4, 5, 6].map(block).concat([Buffer.from('end')]));
  assert.deepEqual(await readFile(join(s.root, 'win.bin')), expected);
});

test('block numbers roll over past 65535: a file over 32 MiB at 512-octet blocks', async (t) => {
  const s = await startTestServer({ timeout_ms: 2000 });
  t.after(() => s.stop());
  const size = 32 * 1024 * 1024 + 100; // 65536 full blocks and a short one: blocks 65536 and 65537 go out as 0 and 1
  const content = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) content.writeUInt32BE((i * 2654435761) >>> 0, i);
  await writeFile(join(s.root, 'big.bin'), content);
  const peer = await RawPeer.open();
  t.after(() => peer.close());
  const hash = createHash('sha256');
  const wireNumbers: number[] = [];
  let expected = 1;
  await new Promise<void>((resolve, reject) => {
    peer.socket.removeAllListeners('message');
    peer.socket.on('message', (msg, from) => {
      if (msg.readUInt16BE(0) !== Opcode.DATA) return reject(new Error(`not DATA: ${msg.toString('hex', 0, 8)}`));
      const block = msg.readUInt16BE(2);
      if (block !== (expected & 0xffff)) return; // a retransmission
      if (expected >= 65535) wireNumbers.push(block);
      hash.update(msg.subarray(4));
      peer.socket.send(msg.subarray(0, 4).fill(Opcode.ACK, 1, 2), from.port, from.address);
      if (msg.length - 4 < 512) resolve();
      else expected++;
    });
    peer.send(rrq('big.bin'), s.port);
  });
  assert.equal(expected, 65537);
  assert.deepEqual(wireNumbers, [65535, 0, 1]);
  assert.equal(hash.digest('hex'), createHash('sha256').update(content).digest('hex'));
});

test('IPv6: a transfer over ::1', async (t) => {
  const s = await startTestServer({}, '::1');
  t.after(() => s.stop());
  await writeFile(join(s.root, 'six'), 'over IPv6');
  const peer = await RawPeer.open('::1');
  t.after(() => peer.close());
  peer.send(rrq('six'), s.port, '::1');
  const r = await peer.expect();
  assert.equal(r.from.address, '::1');
  assert.deepEqual(data(r), { block: 1, payload: Buffer.from('over IPv6') });
  peer.send(encodeAck(1), r.from.port, '::1');
});

test('listen([]) takes IPv4 and IPv6 clients on one port', async (t) => {
  const { configFromObject } = await import('../core/config/load.ts');
  const { silentLogger } = await import('../core/log/logger.ts');
  const { createTftpServer } = await import('./server.ts');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dataDir = await mkdtemp(join(tmpdir(), 'septet-tftp-'));
  const server = createTftpServer({ config: configFromObject({}), log: silentLogger(), dataDir });
  t.after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const bound = await server.listen([], 0);
  await server.serve();
  assert.equal(bound.length, 1);
  await writeFile(join(dataDir, 'tftp', 'both'), 'x');
  for (const host of ['127.0.0.1', '::1']) {
    const peer = await RawPeer.open(host);
    peer.send(rrq('both'), bound[0]!.port, host);
    const r = await peer.expect();
    assert.deepEqual(data(r).payload, Buffer.from('x'), host);
    peer.send(encodeAck(1), r.from.port, host);
    peer.close();
  }
});
