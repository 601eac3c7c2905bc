// A thousand idle control connections with a short idle timeout: each gets 421 and
// is closed, nothing crashes, and afterwards the process holds no more descriptors
// than before (no leaked socket, passive listener or file). Some of them sent PASV
// and never connected: their passive ports stop listening after the data timeout,
// while their control connections are still open.

import assert from 'node:assert/strict';
import { readdir, readlink } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../core/net/testing.ts';
import { ByteClient } from '../core/testing/byte-client.ts';
import { isListeningOn } from '../core/testing/proc-net.ts';
import { FtpFixture, PASSWORD } from './test-support.ts';

const CONNECTIONS = 1000;
const WITH_PASV = 20;

let f: FtpFixture;
before(async () => {
  f = await FtpFixture.start({
    configure: (c) => {
      c.ftp.idle_timeout = 3;
      c.ftp.data_timeout = 1;
    },
  });
});
after(() => f.close());

const openDescriptors = async () => (await readdir('/proc/self/fd')).length;
const describeDescriptors = async () => (await Promise.all((await readdir('/proc/self/fd')).map((n) => readlink(`/proc/self/fd/${n}`).catch(() => '?')))).join(' ');

/** Connects, reads the greeting, optionally runs a few commands (replies left unread), then stays idle. */
async function idleClient(commands: string[] = []): Promise<ByteClient> {
  const client = await ByteClient.connect(f.port);
  await client.line();
  if (commands.length === 0) return client;
  client.write(commands.map((c) => `${c}\r\n`).join(''));
  // Every command answered (one-line replies).
  await client.waitFor((b) => b.toString('latin1').split('\r\n').length - 1 >= commands.length, 5000, 'the replies');
  return client;
}

function passivePort(text: string): number {
  const m = /\(\d+,\d+,\d+,\d+,(\d+),(\d+)\)/.exec(text);
  assert.ok(m, text);
  return Number(m[1]) * 256 + Number(m[2]);
}

describe('a thousand idle connections', () => {
  it('each gets 421 at the idle timeout and is closed; unused passive ports close after the data timeout; no descriptor leaks', { timeout: 60_000 }, async () => {
    // Warm up once, so lazily opened descriptors do not count as leaks.
    const warm = await idleClient(['USER user', `PASS ${PASSWORD}`, 'PASV']);
    warm.destroy();
    await f.sessionsEnded();
    const before = await openDescriptors();

    const clients: ByteClient[] = [];
    for (let i = 0; i < CONNECTIONS - WITH_PASV; i += 100) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(100, CONNECTIONS - WITH_PASV - i) }, () => idleClient()))));
    }
    const pasvClients = await Promise.all(Array.from({ length: WITH_PASV }, () => idleClient(['USER user', `PASS ${PASSWORD}`, 'PASV'])));
    clients.push(...pasvClients);
    assert.equal(f.openSessions, CONNECTIONS);
    // Client and server side of each connection (plus the passive listeners).
    const during = await openDescriptors();
    assert.ok(during >= before + 2 * CONNECTIONS, `descriptors before ${before}, with the connections open ${during}`);

    const ports = pasvClients.map((c) => passivePort(c.unread));
    // Looked up in the kernel's socket table: a probe connection would be taken as the
    // data connection, and the listener closes at its first one.
    for (const port of ports) assert.equal(isListeningOn(port), true, `passive port ${port} listens right after PASV`);
    // The passive ports close at the data timeout (1 s), while the control connections
    // wait for the idle timeout (3 s): once every port has stopped listening, every
    // control connection is still open and has not had its 421.
    await eventually(() => ports.every((port) => !isListeningOn(port)), 10_000, 'the passive ports to be released');
    assert.ok(pasvClients.every((c) => !c.closed && !c.unread.includes('421')), 'control connections still open');

    await Promise.all(clients.map((c) => c.closedByServer(30_000)));
    for (const c of clients) assert.match(c.unread, /^421 .*\r\n$/m, 'a 421 before the close');
    await f.sessionsEnded();
    assert.equal(f.openSessions, 0);
    // Sockets close a turn or two after their session ends. Allow the few descriptors
    // Node opens lazily (thread pool, timers) on the way.
    await eventually(async () => (await openDescriptors()) <= before + 3, 5000, 'the descriptors to be released').catch(async (error: Error) => {
      throw new Error(`${error.message}: before ${before}, after ${await openDescriptors()}: ${await describeDescriptors()}`);
    });
    // And the server still serves.
    const c = await f.connect();
    await c.expect('NOOP', 200);
    c.destroy();
  });
});
