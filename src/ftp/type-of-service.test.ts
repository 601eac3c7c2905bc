// IP type of service as the lecture describes it (RFC 1349 Appendix A, RFC 1123
// §2.4): the control connection asks for minimum delay (IPTOS_LOWDELAY, 0x10), every
// data connection for maximum throughput (IPTOS_THROUGHPUT, 0x08). Read back from
// the server's own sockets, which node:diagnostics_channel hands us as they are
// accepted (control, passive data) or connected (active data).

import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getTypeOfService, TYPE_OF_SERVICE } from '../core/net/tos.ts';
import { FtpFixture, readAll } from './test-support.ts';

const accepted: Socket[] = [];
const connected: Socket[] = [];
const onAccepted = (message: unknown) => void accepted.push((message as { socket: Socket }).socket);
const onConnected = (message: unknown) => void connected.push((message as { socket: Socket }).socket);

let f: FtpFixture;
const size = 32 * 1024 * 1024;
before(async () => {
  subscribe('net.server.socket', onAccepted);
  subscribe('net.client.socket', onConnected);
  f = await FtpFixture.start();
  (await f.login()).destroy();
  await writeFile(join(f.home, 'big.bin'), Buffer.alloc(size, 1));
});
after(async () => {
  unsubscribe('net.server.socket', onAccepted);
  unsubscribe('net.client.socket', onConnected);
  await f.close();
});

/** The TOS octet of the first socket matching `which`, once it has been set (it is set right after accept/connect). */
async function tosOf(pool: Socket[], which: (s: Socket) => boolean): Promise<number | null> {
  for (let i = 0; i < 100; i++) {
    const socket = pool.find((s) => !s.destroyed && which(s));
    const tos = socket ? getTypeOfService(socket) : null;
    if (tos) return tos;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

describe('IP type of service', () => {
  it('control connection: IPTOS_LOWDELAY; passive data connection: IPTOS_THROUGHPUT', async () => {
    const c = await f.login();
    const controlTos = await tosOf(accepted, (s) => s.localPort === f.port && s.remotePort === c.socket.localPort);
    assert.equal(controlTos, TYPE_OF_SERVICE.lowdelay);
    await c.expect('TYPE I', 200);
    const data = await c.pasv();
    // The client does not read yet, so the transfer is still running while we look.
    data.pause();
    await c.expect('RETR big.bin', 150);
    const dataTos = await tosOf(accepted, (s) => s.localPort === data.remotePort && s.remotePort === data.localPort);
    assert.equal(dataTos, TYPE_OF_SERVICE.throughput);
    assert.equal((await readAll(data)).length, size);
    assert.equal((await c.reply()).code, 226);
    c.destroy();
  });
  it('active data connection (PORT): IPTOS_THROUGHPUT', async () => {
    const c = await f.login();
    await c.expect('TYPE I', 200);
    const receiver = createServer({ pauseOnConnect: true });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const port = (receiver.address() as { port: number }).port;
    await c.expect(`PORT 127,0,0,1,${port >> 8},${port & 0xff}`, 200);
    const incoming = once(receiver, 'connection') as Promise<[Socket]>;
    await c.expect('RETR big.bin', 150);
    const [data] = await incoming;
    const dataTos = await tosOf(connected, (s) => s.remotePort === port && s.localPort === data.remotePort);
    assert.equal(dataTos, TYPE_OF_SERVICE.throughput);
    assert.equal((await readAll(data)).length, size);
    assert.equal((await c.reply()).code, 226);
    receiver.close();
    c.destroy();
  });
});
