// The plain file<->socket copy: byte-exact in both directions, with offsets, and what
// happens when the connection breaks or a limit says no.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataConnectionClosedError, pumpFileToSocket, pumpSocketToFile, PUMP_CHUNK } from './socket-pump.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'septet-pump-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A connected pair: [server side, client side]. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = createConnection({ port: (server.address() as { port: number }).port, host: '127.0.0.1' });
  const [accepted] = (await once(server, 'connection')) as [Socket];
  server.close();
  return [accepted, client];
}

async function readAll(socket: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of socket) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe('pumpFileToSocket', () => {
  for (const [name, size, start] of [
    ['a file of several chunks from an offset', Math.floor(3.5 * PUMP_CHUNK), 1000],
    ['a small file', 10, 0],
    ['an empty remainder (REST at the end)', 100, 100],
  ] as const) {
    it(`sends ${name} byte for byte`, async () => {
      const content = randomBytes(size);
      const path = join(dir, `send-${size}-${start}`);
      await writeFile(path, content);
      const [server, client] = await socketPair();
      const received = readAll(client);
      const handle = await open(path, 'r');
      let counted = 0;
      await pumpFileToSocket({ handle, start, sizeHint: size, socket: server, signal: new AbortController().signal, onBytes: (n) => (counted += n) });
      await handle.close();
      server.end();
      assert.deepEqual(await received, content.subarray(start));
      assert.equal(counted, size - start);
    });
  }
  it('rejects when the receiver goes away', async () => {
    const path = join(dir, 'send-big');
    await writeFile(path, Buffer.alloc(16 * PUMP_CHUNK));
    const [server, client] = await socketPair();
    client.once('data', () => client.destroy());
    const handle = await open(path, 'r');
    await assert.rejects(pumpFileToSocket({ handle, start: 0, socket: server, signal: new AbortController().signal }), (e: Error) => e instanceof DataConnectionClosedError || /ECONNRESET|EPIPE/.test(String((e as NodeJS.ErrnoException).code)));
    await handle.close();
  });
});

describe('pumpSocketToFile', () => {
  it('writes chunks of odd sizes in order, at a position, and resolves at the end of input', async () => {
    const content = randomBytes(5 * PUMP_CHUNK + 12345);
    const path = join(dir, 'recv');
    await writeFile(path, 'KEEP');
    const [server, client] = await socketPair();
    const handle = await open(path, 'r+');
    const done = pumpSocketToFile({ socket: server, handle, position: 4, signal: new AbortController().signal });
    let seed = 7;
    for (let i = 0; i < content.length; ) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (seed % 200_000);
      if (!client.write(content.subarray(i, i + n))) await once(client, 'drain');
      i += n;
    }
    client.end();
    await done;
    await handle.close();
    assert.deepEqual(await readFile(path), Buffer.concat([Buffer.from('KEEP'), content]));
  });
  it('appends with a null position', async () => {
    const path = join(dir, 'append');
    await writeFile(path, 'one,');
    const [server, client] = await socketPair();
    const handle = await open(path, 'a');
    const done = pumpSocketToFile({ socket: server, handle, position: null, signal: new AbortController().signal });
    client.end('two');
    await done;
    await handle.close();
    assert.equal(await readFile(path, 'utf8'), 'one,two');
  });
  it('a connection reset after some data: rejects, and the file holds exactly what arrived', async () => {
    const path = join(dir, 'partial');
    const [server, client] = await socketPair();
    const handle = await open(path, 'w');
    let received = 0;
    const done = pumpSocketToFile({ socket: server, handle, position: 0, signal: new AbortController().signal, onBytes: (n) => (received += n) });
    const sent = randomBytes(300_000);
    client.write(sent);
    while (received < sent.length) await new Promise((r) => setTimeout(r, 5));
    client.resetAndDestroy();
    await assert.rejects(done);
    await handle.close();
    assert.deepEqual(await readFile(path), sent);
  });
  it('stops when onBytes throws (a quota), with that error', async () => {
    const path = join(dir, 'quota');
    const [server, client] = await socketPair();
    const handle = await open(path, 'w');
    const limit = new Error('quota');
    let total = 0;
    const done = pumpSocketToFile({
      socket: server,
      handle,
      position: 0,
      signal: new AbortController().signal,
      onBytes: (n) => {
        total += n;
        if (total > 100_000) throw limit;
      },
    });
    client.on('error', () => {});
    client.write(Buffer.alloc(500_000));
    await assert.rejects(done, (e) => e === limit);
    await handle.close();
    assert.ok(server.destroyed, 'the data connection is closed');
  });
});
