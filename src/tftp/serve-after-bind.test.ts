// Bound before the privilege drop, answering only after it: a request that arrives
// between listen() and serve() is held (not answered, not even the root made), then
// answered by serve(), as the TCP listeners' deferred handlers do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromObject } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createTftpServer } from './server.ts';
import { RawPeer } from './test-support.ts';
import { encodeAck, encodeRequest, Opcode } from './wire.ts';

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

test('requests before serve() are held unanswered, then served; the root is made 0700 by serve()', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'septet-tftp-'));
  const server = createTftpServer({ config: configFromObject({ tftp: { timeout_ms: 100, retries: 3 } }), log: silentLogger(), dataDir });
  const peer = await RawPeer.open();
  t.after(async () => {
    peer.close();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const [bound] = await server.listen(['127.0.0.1'], 0);
  peer.send(encodeRequest(Opcode.RRQ, 'boot.bin', 'octet'), bound!.port);
  await until(() => server.heldRequests === 1);
  // Nothing was done for it: no transfer, no reply, not even the root folder.
  assert.equal(server.activeTransfers, 0);
  assert.equal(await peer.next(0), null, 'no reply before serve()');
  assert.equal(await access(join(dataDir, 'tftp')).then(() => true, () => false), false);

  const root = await server.prepare();
  assert.equal((await stat(root.jail.root)).mode & 0o777, 0o700);
  await writeFile(join(root.jail.root, 'boot.bin'), 'served after the drop');
  assert.equal(server.activeTransfers, 0, 'prepare() does not answer yet');
  await server.serve();
  assert.equal(server.heldRequests, 0);
  const reply = await peer.expect();
  assert.equal(reply.packet.kind, 'data');
  assert.deepEqual(reply.packet.kind === 'data' ? reply.packet.payload : null, Buffer.from('served after the drop'));
  peer.send(encodeAck(1), reply.from.port);
});
