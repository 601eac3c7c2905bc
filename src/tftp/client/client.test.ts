// Septet's own TFTP client against Septet's server: round trips with and without
// options, windows, netascii, a stream, errors and progress.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { tftpGet, tftpPut, TftpClientError } from './client.ts';
import { startTestServer } from '../test-support.ts';
import { createSocket } from 'node:dgram';

const random = (n: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7919 + (i >> 9)) & 0xff;
  return b;
};

test('get and put round trips: plain RFC 1350, blksize 1468, windowsize 16, an exact block multiple', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 1000 });
  t.after(() => s.stop());
  const cases = [
    { size: 5000, blksize: undefined, windowsize: undefined },
    { size: 300_000, blksize: 1468, windowsize: undefined },
    { size: 1_000_000, blksize: 1468, windowsize: 16 },
    { size: 512 * 64, blksize: 512, windowsize: 8 },
    { size: 0, blksize: 1024, windowsize: 4 },
  ];
  for (const c of cases) {
    const label = JSON.stringify(c);
    const content = random(c.size);
    const name = `rt-${c.size}.bin`;
    await writeFile(join(s.root, name), content);
    const local = join(s.dataDir, `local-${c.size}`);
    const progress: number[] = [];
    const got = await tftpGet({ host: '127.0.0.1', port: s.port, blksize: c.blksize, windowsize: c.windowsize, onProgress: (d) => progress.push(d) }, name, local);
    assert.deepEqual(await readFile(local), content, label);
    assert.equal(got.octets, c.size, label);
    assert.equal(got.blksize, c.blksize ?? 512, label);
    assert.equal(got.windowsize, c.windowsize ?? 1, label);
    assert.equal(progress.at(-1), c.size, label);

    const put = await tftpPut({ host: '127.0.0.1', port: s.port, blksize: c.blksize, windowsize: c.windowsize }, `back-${c.size}.bin`, local);
    assert.equal(put.octets, c.size, label);
    assert.deepEqual(await readFile(join(s.root, `back-${c.size}.bin`)), content, label);
  }
});

test('netascii both ways, to a stream', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 1000 });
  t.after(() => s.stop());
  const text = Buffer.from('a\nb\r\nc\rd\n'.repeat(500), 'latin1');
  await writeFile(join(s.root, 't.txt'), text);
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await tftpGet({ host: '127.0.0.1', port: s.port, mode: 'netascii', blksize: 100, windowsize: 3 }, 't.txt', stream);
  assert.deepEqual(Buffer.concat(chunks), text);
  const local = join(s.dataDir, 'up.txt');
  await writeFile(local, text);
  await tftpPut({ host: '127.0.0.1', port: s.port, mode: 'netascii' }, 'up.txt', local);
  assert.deepEqual(await readFile(join(s.root, 'up.txt')), text);
});

test('server errors reach the caller with their code, and a failed get leaves no local file', async (t) => {
  const s = await startTestServer({ timeout_ms: 1000 });
  t.after(() => s.stop());
  const local = join(s.dataDir, 'never');
  await assert.rejects(tftpGet({ host: '127.0.0.1', port: s.port }, 'missing', local), (e: unknown) => e instanceof TftpClientError && e.code === 1);
  await assert.rejects(stat(local), { code: 'ENOENT' });
  await writeFile(local, 'x');
  await assert.rejects(tftpPut({ host: '127.0.0.1', port: s.port }, 'x', local), (e: unknown) => e instanceof TftpClientError && e.code === 2);
});

test('no server: the request is retransmitted, then the client gives up', async () => {
  const started = Date.now();
  await assert.rejects(tftpGet({ host: '127.0.0.1', port: 9, timeoutMs: 20, retries: 2 }, 'x', new PassThrough()), /no answer/);
  assert.ok(Date.now() - started >= 40);
});

/** A UDP relay between client and server that drops a seeded 1 in `every` packets each way. */
async function lossyRelay(serverPort: number, every: number): Promise<{ port: number; dropped: () => number; close: () => void }> {
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => back.bind(0, '127.0.0.1', r));
  let client: { port: number } | null = null;
  let serverTid: number | null = null;
  let seed = 0x9e3779b9;
  let dropped = 0;
  const lose = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    if ((seed >>> 0) % every === 0) return (dropped++, true);
    return false;
  };
  front.on('message', (msg, from) => {
    client = { port: from.port };
    const isRequest = msg.length >= 2 && msg[0] === 0 && (msg[1] === 1 || msg[1] === 2);
    if (isRequest) serverTid = null; // a new transfer: to the request port, and a new TID will answer
    if (!lose()) back.send(msg, serverTid ?? serverPort, '127.0.0.1');
  });
  back.on('message', (msg, from) => {
    serverTid = from.port;
    if (client && !lose()) front.send(msg, client.port, '127.0.0.1');
  });
  return { port: front.address().port, dropped: () => dropped, close: () => (front.close(), back.close()) };
}

test('through a lossy path (1 packet in 12 dropped each way) get and put still deliver the exact file, with and without a window', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 30, retries: 8 });
  t.after(() => s.stop());
  const content = random(150_000);
  await writeFile(join(s.root, 'lossy.bin'), content);
  const local = join(s.dataDir, 'lossy-local');
  for (const windowsize of [undefined, 8]) {
    // One relay per transfer: a relay has a single client and server TID.
    const relay = await lossyRelay(s.port, 12);
    const relay2 = await lossyRelay(s.port, 12);
    try {
      await tftpGet({ host: '127.0.0.1', port: relay.port, blksize: 1024, windowsize, timeoutMs: 30, retries: 8 }, 'lossy.bin', local);
      assert.deepEqual(await readFile(local), content, `get, window ${windowsize ?? 1}`);
      await tftpPut({ host: '127.0.0.1', port: relay2.port, blksize: 1024, windowsize, timeoutMs: 30, retries: 8 }, `lossy-up-${windowsize ?? 1}`, local);
      assert.deepEqual(await readFile(join(s.root, `lossy-up-${windowsize ?? 1}`)), content, `put, window ${windowsize ?? 1}`);
      assert.ok(relay.dropped() > 5 && relay2.dropped() > 5, 'packets were really dropped');
    } finally {
      relay.close();
      relay2.close();
    }
  }
});
