// Message bodies stream: a 50 MB message goes in over SMTP (curl) and out over POP3
// (curl) byte for byte, and the server never holds more than a few MiB of it: bytes
// in flight inside the server process, measured through /proc while a client of the
// test's own sends or reads it (in-flight.ts), stay far below the message size.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ByteClient } from '../../src/core/testing/byte-client.ts';
import { Pop3Client } from '../../src/pop3/test-support.ts';
import { SmtpClient } from '../../src/smtp/test-support.ts';
import { curl, prepareSeptet, removeDir, type SeptetProcess } from './harness.ts';
import { kernelQueued, octetsRead, openFile, openFileSize } from './in-flight.ts';

const MiB = 1024 * 1024;
/**
 * What the server may hold of a message in transit: its stream buffers (64 KiB chunks,
 * the blob writer's 64 KiB) many times over, and far below the 50 MiB that holding the
 * message (or a good part of it) would take.
 */
const HELD_LIMIT = 8 * MiB;

let server: SeptetProcess;
let dir: string;
let body: string;
before(async () => {
  server = await prepareSeptet({ offset: 25200, toml: '[smtp]\nmax_message_size = 104857600' });
  assert.equal((await server.cli(['user', 'add', 'big@large.test', '--password', 'pw'])).code, 0);
  await server.start();
  dir = await mkdtemp(join(tmpdir(), 'septet-large-'));
  body = join(dir, 'message.eml');
  // Base64-looking lines of 76 characters with CRLF, as a real attachment would be
  // (none starts with ".", so nothing is dot-stuffed on the wire).
  const header = 'From: <x@example.net>\r\nTo: <big@large.test>\r\nSubject: fifty megabytes\r\n\r\n';
  const lines: string[] = [];
  for (let i = 0; i < (50 * MiB) / 78; i++) lines.push(randomBytes(57).toString('base64') + '\r\n');
  await writeFile(body, header + lines.join(''));
});
after(async () => {
  await server?.stop();
  if (dir) await removeDir(dir);
});

test('a 50 MB message goes in over SMTP and comes out over POP3 byte for byte (curl)', async () => {
  const sent = await curl(['smtp://127.0.0.1:' + server.port('smtp'), '--mail-from', 'x@example.net', '--mail-rcpt', 'big@large.test', '-T', body], { timeoutMs: 120_000 });
  assert.equal(sent.code, 0, sent.stderr);
  const out = join(dir, 'retrieved.eml');
  const got = await curl(['pop3://127.0.0.1:' + server.port('pop3') + '/1', '-u', 'big@large.test:pw', '-o', out], { timeoutMs: 120_000 });
  assert.equal(got.code, 0, got.stderr);
  // What POP3 returns is the stored message: our Received header, then exactly what was sent.
  const retrieved = await readFile(out);
  const start = retrieved.indexOf('From: <x@example.net>');
  assert.ok(start > 0 && retrieved.subarray(0, start).toString().startsWith('Received: '), 'the Received header comes first');
  const original = await readFile(body);
  assert.equal(createHash('sha256').update(retrieved.subarray(start)).digest('hex'), createHash('sha256').update(original).digest('hex'));
});

test('SMTP DATA of 50 MB: the server holds at most a few MiB of it (received, not yet in the blob file)', async (t) => {
  const pid = server.pid!;
  const port = server.port('smtp');
  const c = new SmtpClient(await ByteClient.connectTo(port));
  await c.expect(220);
  await c.command('EHLO client.large.test', 250);
  await c.command('MAIL FROM:<x@example.net>', 250);
  await c.command('RCPT TO:<big@large.test>', 250);
  await c.command('DATA', 354);
  // The body goes to a temp file ".tmp-PID-ID" among the blobs (core/store/sqlite/blob-files.ts).
  const isTempBlob = (path: string) => path.includes('/blobs/') && basename(path).startsWith('.tmp-');
  let fd: string | null = null;
  let written = 0;
  let maxHeld = 0;
  let maxStored = 0;
  const measure = () => {
    fd = openFile(pid, isTempBlob);
    const stored = fd === null ? 0 : (openFileSize(pid, fd) ?? 0);
    // Taken in by the server = written by the test, less what waits in the kernel.
    const taken = written - c.socket.writableLength - kernelQueued(c.socket.localPort!, port, 'to-server');
    maxHeld = Math.max(maxHeld, taken - stored);
    maxStored = Math.max(maxStored, stored);
  };
  for await (const chunk of createReadStream(body, { highWaterMark: 256 * 1024 })) {
    written += (chunk as Buffer).length;
    if (!c.socket.write(chunk as Buffer)) await once(c.socket, 'drain');
    measure();
  }
  c.write('.\r\n');
  assert.equal((await c.reply(120_000)).code, 250);
  await c.command('QUIT', 221);
  t.diagnostic(`held at most ${(maxHeld / MiB).toFixed(2)} MiB of ${(written / MiB).toFixed(1)} MiB`);
  assert.ok(maxHeld < HELD_LIMIT, `the server held up to ${maxHeld} octets of the message`);
  assert.ok(maxStored > 40 * MiB, `the measure saw the blob file grow (largest seen: ${maxStored} octets)`);
});

test('POP3 RETR of 50 MB: the server holds at most a few MiB of it (read from the blob, not yet sent)', async (t) => {
  const pid = server.pid!;
  const port = server.port('pop3');
  const c = new Pop3Client(await ByteClient.connectTo(port));
  c.greeting = await c.line();
  await c.expectOk('USER big@large.test');
  await c.expectOk('PASS pw');
  const size = Number((await c.expectOk('LIST 1')).split(' ')[2]);
  const before = octetsRead(pid);
  c.write('RETR 1\r\n');
  assert.match(await c.line(), /^\+OK/);
  let maxHeld = 0;
  const received = await c.countMultilineOctets((count) => {
    // Passed on by the server = what the test has, plus what waits in the kernel.
    const passedOn = count + c.buffered.length + kernelQueued(c.socket.localPort!, port, 'to-client');
    maxHeld = Math.max(maxHeld, octetsRead(pid) - before - passedOn);
  });
  const read = octetsRead(pid) - before;
  await c.expectOk('QUIT');
  t.diagnostic(`held at most ${(maxHeld / MiB).toFixed(2)} MiB of ${(size / MiB).toFixed(1)} MiB`);
  assert.equal(received, size, 'every octet of the message, none stuffed');
  assert.ok(maxHeld < HELD_LIMIT, `the server held up to ${maxHeld} octets of the message`);
  assert.ok(read >= size, `the measure saw the server read the blob (${read} octets read)`);
});
