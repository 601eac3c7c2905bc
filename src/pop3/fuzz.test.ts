// Seeded fuzzing (the nodemailer/smtp-server way): random and mutated command lines,
// pipelined in one stream and delivered in 1-, 3- and 17-octet chunks. Each line must
// get exactly one reply line (+OK, -ERR, or the "+ " SASL challenge), nothing may
// crash, and a valid command must still work afterwards.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { isHttpMethod } from '../core/service/cross-protocol.ts';
import { messageOfSize, PASSWORD, Pop3Fixture, USER, type Pop3Client } from './test-support.ts';
import { prng } from '../core/testing/prng.ts';


const VALID = [
  'STAT', 'LIST', 'LIST 1', 'LIST 2', 'LIST 0', 'UIDL', 'UIDL 3', 'RETR 1', 'RETR 2', 'TOP 1 0', 'TOP 2 3',
  'DELE 2', 'RSET', 'NOOP', 'CAPA', `USER ${USER}`, `PASS ${PASSWORD}`, 'PASS wrong', 'APOP x y',
  'AUTH', 'AUTH PLAIN', `AUTH PLAIN ${Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')}`, '*', 'AUTH PLAIN =',
];

function mutate(line: Buffer, random: () => number): Buffer {
  const bytes = [...line];
  const steps = 1 + Math.floor(random() * 4);
  const randomByte = () => {
    const b = Math.floor(random() * 256);
    return b === 0x0a ? 0x20 : b;
  };
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (bytes.length + 1));
    switch (Math.floor(random() * 7)) {
      case 0: if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = randomByte(); break;
      case 1: bytes.splice(at, 0, randomByte()); break;
      case 2: bytes.splice(at, 1); break;
      case 3: bytes.splice(at, 0, ...bytes.slice(0, Math.floor(random() * 8))); break;
      case 4: bytes.splice(at, 0, 0x20); break;
      case 5: bytes.length = Math.min(bytes.length, at); break;
      case 6: bytes.splice(at, 0, ...Buffer.from(String(Math.floor(random() * 1e12)))); break;
    }
  }
  return Buffer.from(bytes);
}

function randomLine(random: () => number): Buffer {
  const pick = random();
  if (pick < 0.25) return Buffer.from(VALID[Math.floor(random() * VALID.length)]!);
  if (pick < 0.85) return mutate(Buffer.from(VALID[Math.floor(random() * VALID.length)]!), random);
  const length = random() < 0.1 ? 256 + Math.floor(random() * 5000) : Math.floor(random() * 40);
  return Buffer.from(Array.from({ length }, () => {
    const b = Math.floor(random() * 256);
    return b === 0x0a ? 0x00 : b;
  }));
}

/** Lines that would legitimately end the session or start TLS are not sent. */
function endsSession(line: Buffer): boolean {
  const content = line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
  const space = content.indexOf(0x20);
  const verb = content.subarray(0, space < 0 ? content.length : space).toString('latin1').toUpperCase();
  return verb === 'QUIT' || verb === 'STLS' || isHttpMethod(verb);
}

function fuzzLines(seed: number, count: number): Buffer[] {
  const random = prng(seed);
  const lines: Buffer[] = [];
  while (lines.length < count) {
    const line = randomLine(random);
    if (!endsSession(line)) lines.push(line);
  }
  return lines;
}

async function writeInChunks(client: Pop3Client, data: Buffer, chunkSize: number): Promise<void> {
  for (let i = 0; i < data.length; i += chunkSize) {
    client.write(data.subarray(i, i + chunkSize));
    // Let the server see the chunks one by one, not coalesced by the kernel.
    if (i % (chunkSize * 64) === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Reads until `count` reply lines (+OK / -ERR / "+ ") have arrived; multi-line bodies are skipped. */
async function countReplies(client: Pop3Client, count: number): Promise<void> {
  let seen = 0;
  while (seen < count) {
    const line = (await client.rawLine(10_000)).toString('latin1');
    if (line.startsWith('+OK') || line.startsWith('-ERR') || line === '+ \r\n') seen++;
  }
}

/**
 * After the fuzz replies: "*" ends any pending SASL exchange, then APOP (always one
 * -ERR APOP... line) marks the end of whatever multi-line bodies are still unread.
 */
async function resynchronise(client: Pop3Client): Promise<void> {
  client.write('*\r\nAPOP sentinel x\r\n');
  for (;;) {
    const line = (await client.rawLine(10_000)).toString('latin1');
    if (line.startsWith('-ERR APOP')) return;
  }
}

let fixture: Pop3Fixture;
afterEach(() => fixture?.close());

async function fixtureWithMail(): Promise<Pop3Fixture> {
  const f = await Pop3Fixture.start({ configure: (config) => (config.pop3.max_unknown_commands = 100_000) });
  await f.deliver('Subject: fuzz\r\n\r\n.dotted\r\nplain\r\n');
  await f.deliver(messageOfSize(500));
  await f.deliver(messageOfSize(70));
  return f;
}

describe('POP3 fuzzing', () => {
  for (const chunkSize of [1, 3, 17]) {
    for (const seed of [1, 42, 1939]) {
      it(`seed ${seed}, ${chunkSize}-octet chunks, in TRANSACTION state`, async () => {
        fixture = await fixtureWithMail();
        const c = await fixture.login();
        const lines = fuzzLines(seed, 120);
        const stream = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]));
        await writeInChunks(c, stream, chunkSize);
        await countReplies(c, lines.length);
        await resynchronise(c);
        // The session survived and still works.
        assert.equal(await c.command('RSET'), '+OK maildrop has 3 messages (603 octets)');
        assert.equal(await c.command('STAT'), '+OK 3 603');
        assert.match(await c.command('QUIT'), /^\+OK Septet POP3 server signing off \(0 messages deleted\)$/);
        await c.closedByServer();
      });

      it(`seed ${seed}, ${chunkSize}-octet chunks, from AUTHORIZATION state`, async () => {
        fixture = await fixtureWithMail();
        const c = await fixture.connect();
        const lines = fuzzLines(seed * 7919, 120);
        const stream = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]));
        await writeInChunks(c, stream, chunkSize);
        await countReplies(c, lines.length);
        await resynchronise(c);
        // Whatever state the fuzz left (it may have logged in), CAPA and QUIT work.
        const capa = await c.multiline('CAPA');
        assert.equal(capa.status, '+OK Capability list follows');
        assert.ok(capa.lines.includes('UIDL'));
        await c.expectOk('QUIT');
        await c.closedByServer();
        await fixture.sessionsEnded();
        const again = await fixture.login();
        await again.expectOk('QUIT');
      });
    }
  }
});
