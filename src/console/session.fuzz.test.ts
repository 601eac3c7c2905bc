// Seeded fuzz of whole console sessions: random command lines, quotes, escape
// sequences and raw octets, in random chunks, into a shell with and without a pty and
// into exec mode, as a user who is not an administrator. The session always ends
// with a status (0, 1 or 127), never throws, and never grants an administrator command.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { int, pick, prng, type Rand } from '../core/testing/prng.ts';
import { consoleFixture, execCommand, peerOf, testChannel, testTerminal, type ConsoleFixture } from './test-support.ts';

let f: ConsoleFixture;
before(async () => {
  f = await consoleFixture();
});
after(() => f.cleanup());

const WORDS = ['whoami', 'help', 'mailboxes', 'messages', 'files', 'ls', 'quota', 'keys', 'list', 'user', 'alias', 'queue', 'flush', 'del', 'add', 'INBOX', '..', '/', '"', "'", '\\', '--password', 'x@y.z', '5', '0', 'ä', '\x1b[A', '\x1b[D', '\x7f', '\x03', '\t', ';', '|', '$(id)', '`id`'];

function randomLine(rand: Rand): string {
  const words: string[] = [];
  for (let n = int(rand, 5); n > 0; n--) words.push(pick(rand, WORDS));
  return words.join(pick(rand, [' ', '  ', '']));
}

function randomInput(rand: Rand): Buffer {
  const parts: Buffer[] = [];
  for (let n = 1 + int(rand, 8); n > 0; n--) {
    if (rand() < 0.85) parts.push(Buffer.from(randomLine(rand) + pick(rand, ['\r', '\n', '\r\n']), 'utf8'));
    else parts.push(Buffer.from(Array.from({ length: int(rand, 40) }, () => int(rand, 256))));
  }
  return Buffer.concat(parts);
}

test('console session fuzz: shells with and without a pty, and exec, always end cleanly (seeded)', async () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rand = prng(seed);
    const input = randomInput(rand);
    const pty = rand() < 0.5;
    const t = testChannel();
    const done = f.service.shell(t.channel, peerOf(f.user), pty ? testTerminal(pick(rand, [20, 80])).terminal : null);
    for (let at = 0; at < input.length; ) {
      const size = pick(rand, [1, 3, 17, 200]);
      t.send(input.subarray(at, at + size));
      at += size;
    }
    t.end();
    const status = await t.status;
    await done;
    assert.ok([0, 1].includes(status), `seed ${seed}: status ${status}`);
    assert.doesNotMatch(t.output(), /^root@example\.test/m, `seed ${seed}: no user list for a user`);

    const line = randomLine(rand);
    const r = await execCommand(f, f.user, line, rand() < 0.5 ? 'x\ny\n' : '');
    assert.ok([0, 1, 127].includes(r.status), `seed ${seed}: exec ${JSON.stringify(line)} status ${r.status}`);
    assert.doesNotMatch(r.err, /internal error/, `seed ${seed}: ${JSON.stringify(line)} → ${r.err}`);
  }
  assert.deepEqual((await f.store.accounts.listUsers()).map((a) => a.address).sort(), ['alice@example.test', 'root@example.test'], 'nothing changed the accounts');
});
