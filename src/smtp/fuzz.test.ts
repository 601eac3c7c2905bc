// Seeded fuzzing of the command loop: random and mutated command lines, fed in 1-,
// 3- and 17-byte chunks and all in one write. The server must answer every line with
// a 3-digit reply and never crash; a valid transaction must still work afterwards.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SmtpFixture, type SmtpClient } from './test-support.ts';
import { prng } from '../core/testing/prng.ts';


const SEEDS = [
  'EHLO fuzz.example', 'HELO x', 'MAIL FROM:<a@b.example>', 'MAIL FROM:<> SIZE=10', 'RCPT TO:<bob@example.test>', 'RCPT TO:<"q u"@example.test>',
  'RSET', 'NOOP', 'HELP', 'VRFY bob', 'EXPN sales', 'AUTH FOO', 'TURN', 'MAIL FROM:<a@b> BODY=8BITMIME SMTPUTF8', 'RCPT TO:<@r1,@r2:x@example.test>',
];
// Commands that would leave line mode or end the session are not generated.
const UNSAFE = /^\s*(DATA|BDAT|QUIT|STARTTLS|AUTH\s+(PLAIN|LOGIN))\b/i;

function makeLines(rand: () => number, count: number): string[] {
  const lines: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  while (lines.length < count) {
    let line: string;
    if (rand() < 0.3) {
      const len = Math.floor(rand() * 60);
      line = Array.from({ length: len }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('');
    } else {
      const chars = [...pick(SEEDS)];
      const edits = 1 + Math.floor(rand() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (chars.length + 1));
        const op = rand();
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars.splice(at, 0, pick(['<', '>', '@', ':', '"', '\\', ' ', '=', '+', 'é', '\t', '\0', 'x']));
        else chars.splice(at, 0, ...pick(SEEDS));
      }
      line = chars.join('');
    }
    if (UNSAFE.test(line) || line.includes('\n') || line.includes('\r')) continue;
    lines.push(line);
  }
  return lines;
}

async function sendChunked(c: SmtpClient, data: Buffer, size: number | null): Promise<void> {
  if (size === null) return c.send(data);
  for (let i = 0; i < data.length; i += size) {
    c.send(data.subarray(i, i + size));
    if (i % (size * 16) === 0) await new Promise((r) => setImmediate(r));
  }
}

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

describe('SMTP fuzzing', () => {
  for (const [seed, chunk] of [[1, 1], [2, 3], [3, 17], [4, null], [5, null]] as const) {
    it(`seed ${seed}, ${chunk === null ? 'pipelined in one write' : `${chunk}-byte chunks`}: every line answered, session still works`, async () => {
      fixture = await SmtpFixture.start({ config: { smtp: { max_errors: 1000 } } });
      const c = await fixture.connect();
      const lines = makeLines(prng(seed), 60);
      await sendChunked(c, Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8'), chunk);
      for (let i = 0; i < lines.length; i++) {
        const reply = await c.reply();
        assert.ok(reply.code >= 200 && reply.code <= 599, `line ${i} ${JSON.stringify(lines[i])} → ${reply.code}`);
        assert.notEqual(reply.code, 451, `no internal error for ${JSON.stringify(lines[i])}`);
      }
      await c.command('RSET', 250);
      await c.command('EHLO after.example', 250);
      await c.command('MAIL FROM:<a@b.example>', 250);
      await c.command('RCPT TO:<bob@example.test>', 250);
      await c.command('DATA', 354);
      await c.command('Subject: after fuzz\r\n\r\nok\r\n.', 250);
      await c.command('QUIT', 221);
      assert.equal((await fixture.inbox(fixture.bob)).length, 1);
    });
  }
});
