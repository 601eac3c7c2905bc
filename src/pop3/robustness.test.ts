// Bad input never crashes a session: overlong lines, garbage, HTTP, scanners, and a
// 50 MB message streamed in flat memory.

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import type { MessageMeta, Store } from '../core/store/types.ts';
import { createPop3Handler } from './server.ts';
import { messageOfSize, PASSWORD, Pop3Fixture, USER } from './test-support.ts';
import { defaultConfig } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';

let fixture: Pop3Fixture;
afterEach(() => fixture?.close());

describe('POP3 robustness', () => {
  it('an overlong command line gets -ERR and the session goes on (RFC 2449 §4: 255 octets)', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.connect();
    // 255 octets with CRLF is fine...
    assert.equal(await c.command(`USER ${'u'.repeat(255 - 2 - 5)}`), '+OK Send PASS');
    // ...256 is not; nor is a line far beyond the AUTH limit.
    assert.equal(await c.command(`USER ${'u'.repeat(255 - 2 - 4)}`), '-ERR Command line too long (limit 255 octets including CRLF)');
    assert.equal(await c.command(`NOOP ${'x'.repeat(100_000)}`), '-ERR Command line too long (limit 255 octets including CRLF)');
    await c.expectOk(`USER ${USER}`);
    await c.expectOk(`PASS ${PASSWORD}`);
    await c.expectOk('QUIT');
  });

  it('the command length limit comes from pop3.max_command_length', async () => {
    fixture = await Pop3Fixture.start({ configure: (config) => (config.pop3.max_command_length = 1000) });
    const c = await fixture.connect();
    assert.equal(await c.command(`USER ${'u'.repeat(500)}`), '+OK Send PASS');
    await c.expectOk('QUIT');
  });

  it('an HTTP request gets -ERR and the connection is closed', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.connect();
    c.write('GET / HTTP/1.1\r\nHost: pop.example.org\r\n\r\n');
    assert.equal(await c.line(), '-ERR This is a POP3 server, not an HTTP server; closing connection');
    await c.closedByServer();
    assert.equal(c.unread, '');
  });

  it('several unknown commands in a row before login close the connection', async () => {
    fixture = await Pop3Fixture.start({ configure: (config) => (config.pop3.max_unknown_commands = 3) });
    const c = await fixture.connect();
    assert.equal(await c.command('HELO there'), '-ERR Unknown command');
    assert.equal(await c.command('EHLO there'), '-ERR Unknown command');
    // A known command resets the count.
    await c.expectOk('CAPA');
    await c.multilineBody();
    assert.equal(await c.command('XYZZY'), '-ERR Unknown command');
    assert.equal(await c.command('1234'), '-ERR Unknown command');
    assert.equal(await c.command('\x00\x01\x02'), '-ERR Command contains invalid characters');
    assert.equal(await c.line(), '-ERR Too many unknown commands, closing connection');
    await c.closedByServer();
  });

  it('after login, unknown commands and garbage bytes do not end the session', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.login();
    for (let i = 0; i < 10; i++) assert.equal(await c.command('FOO'), '-ERR Unknown command');
    assert.equal(await c.command(''), '-ERR Empty command');
    c.write(Buffer.from([0xff, 0xfe, 0x80, 0x0d, 0x0a]));
    assert.equal(await c.line(), '-ERR Command contains invalid characters');
    assert.equal(await c.command('STAT\x7f'), '-ERR Command contains invalid characters');
    // A bare LF ends a line too (tolerated, as real clients send it).
    c.write('NOOP\n');
    assert.equal(await c.line(), '+OK');
    await c.expectOk('QUIT');
  });

  it('an abrupt disconnect mid-command and mid-AUTH never crashes', async () => {
    fixture = await Pop3Fixture.start();
    const a = await fixture.connect();
    a.write('USER ali');
    a.destroy();
    const b = await fixture.connect();
    assert.equal(await b.command('AUTH PLAIN'), '+ ');
    b.destroy();
    await fixture.sessionsEnded();
    const c = await fixture.login();
    await c.expectOk('QUIT');
  });

  it('keeps the first line of every response within 512 octets (RFC 2449 §4)', async () => {
    const hostname = 'h'.repeat(700);
    fixture = await Pop3Fixture.start({ hostname });
    const c = await fixture.connect();
    assert.equal(Buffer.byteLength(c.greeting) + 2, 512);
    assert.ok(c.greeting.startsWith(`+OK ${'h'.repeat(100)}`));
    await c.expectOk('QUIT');
  });

  it('refusal() gives a full -ERR [SYS/TEMP] line for the listener', () => {
    const handler = createPop3Handler({
      config: defaultConfig(),
      implicitTls: false,
      hostname: 'x',
      store: createMemoryStore(),
      auth: { login: async () => null, prove: async () => null, canonicalUsername: (n) => n },
      tls: { contextFor: () => { throw new Error('unused'); } },
      log: silentLogger(),
    });
    assert.equal(handler.refusal('too-many'), '-ERR [SYS/TEMP] Too many connections, try again later\r\n');
    assert.equal(handler.refusal('too-many-from-ip'), '-ERR [SYS/TEMP] Too many connections from your address, try again later\r\n');
    assert.equal(handler.refusal('shutting-down'), '-ERR [SYS/TEMP] Server shutting down, try again later\r\n');
  });

  it('a missing message body gets -ERR [SYS/TEMP] before any data, and the session goes on', async () => {
    const wrap = (store: Store): Store => ({
      ...store,
      // Gone from memory too (the memory store serves every body from memory).
      blobs: { ...store.blobs, inMemory: () => undefined, read: () => new Readable({ read() { this.destroy(new Error('blob gone')); } }) },
    });
    fixture = await Pop3Fixture.start({ wrapStore: wrap });
    await fixture.deliver(messageOfSize(100));
    const c = await fixture.login();
    assert.equal(await c.command('RETR 1'), '-ERR [SYS/TEMP] Message cannot be read now, try again later');
    assert.equal(await c.command('STAT'), '+OK 1 100');
    await c.expectOk('QUIT');
  });

  it('streams a 50 MB message with backpressure and flat memory', async () => {
    const bigSize = 50 * 1024 * 1024;
    const line = Buffer.from(`${'.'.repeat(1)}${'z'.repeat(1021)}\r\n`); // 1024 octets, stuffed on the wire
    let bigBlobId = '';
    let produced = 0;
    const wrap = (store: Store): Store => ({
      ...store,
      mailboxes: {
        ...store.mailboxes,
        listMessages: async (id: number): Promise<MessageMeta[]> =>
          (await store.mailboxes.listMessages(id)).map((m) => (m.blobId === bigBlobId ? { ...m, size: bigSize } : m)),
      },
      blobs: {
        ...store.blobs,
        read: (blobId, range) => {
          if (blobId !== bigBlobId) return store.blobs.read(blobId, range);
          // Generated on demand: 64 KB chunks, only as fast as they are consumed.
          return Readable.from(
            (function* () {
              const chunk = Buffer.concat(Array.from({ length: 64 }, () => line));
              for (let sent = 0; sent < bigSize; sent += chunk.length) {
                produced += chunk.length;
                yield chunk;
              }
            })(),
          );
        },
      },
    });
    fixture = await Pop3Fixture.start({ wrapStore: wrap });
    await fixture.deliver('Subject: placeholder\r\n\r\nx\r\n');
    bigBlobId = (await fixture.store.mailboxes.listMessages((await fixture.inbox()).id))[0]!.blobId;
    const c = await fixture.login();
    assert.equal(await c.command('LIST 1'), `+OK 1 ${bigSize}`);
    c.pause();
    c.write('RETR 1\r\n');
    // While the client does not read, the server must stop producing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(produced < 16 * 1024 * 1024, `produced ${produced} octets for a client that reads nothing`);
    c.resume();
    assert.equal(await c.line(), `+OK ${bigSize} octets`);
    // Octets produced but not yet received are what the server holds in memory:
    // with backpressure that stays bounded whatever the message size.
    let maxInFlight = 0;
    const received = await c.countMultilineOctets((count) => {
      maxInFlight = Math.max(maxInFlight, produced - count);
    });
    // Every 1024-octet line starts with "." and gains one stuffing octet on the wire.
    assert.equal(received, bigSize + bigSize / 1024);
    assert.ok(maxInFlight < 16 * 1024 * 1024, `up to ${maxInFlight} octets were in flight`);
    assert.equal(await c.command('NOOP'), '+OK');
    await c.expectOk('QUIT');
  });
});
