// Seeded fuzzing of DATA with random mixtures of CR, LF and dots (SMTP smuggling,
// RFC 5321 §4.1.1.4): whole transactions pipelined in one write or cut into 1-, 3-,
// 17-byte and random chunks. Property: the server answers exactly one final reply per
// <CRLF>.<CRLF> terminator sent, and accepts that many messages in "normalize" mode;
// in "reject" mode it accepts exactly the messages without a bare CR or LF and
// refuses the others with 550 5.5.2. Fake ends and smuggled commands inside a body
// never produce a reply of their own (the replies would fall out of step).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { prng } from '../core/testing/prng.ts';
import { SmtpFixture, type SmtpClient } from './test-support.ts';

const TERMINATOR = '\r\n.\r\n';
// Pieces a body is made of: text, dots, bare and paired line ends, fake terminators
// and a smuggled transaction.
const PIECES = [
  'a', 'b c', '.', '..', '\r', '\n', '\r\n', '\r\n', '\n.\n', '\r\n.\n', '\n.\r\n', '\r.\r', '.\r', '\r\n.', '\r\n..\r\n',
  'MAIL FROM:<admin@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n', 'QUIT\n',
];

// Bodies with only CRLF line ends, so that "reject" has messages to accept too.
const CLEAN_PIECES = PIECES.filter((p) => !/\r(?!\n)|(?<!\r)\n/.test(p));

/** A body whose only <CRLF>.<CRLF> (counting the CRLF of the DATA line) is the terminator. */
function makeBody(rand: () => number): string {
  for (;;) {
    let body = '';
    const from = rand() < 0.3 ? CLEAN_PIECES : PIECES;
    const pieces = Math.floor(rand() * 40);
    for (let k = 0; k < pieces; k++) body += from[Math.floor(rand() * from.length)]!;
    const wire = `\r\n${body}${TERMINATOR}`;
    if (wire.indexOf(TERMINATOR) === wire.length - TERMINATOR.length) return body;
  }
}

const hasBareNewline = (body: string): boolean => /\r(?!\n)|(?<!\r)\n/.test(`${body}${TERMINATOR}`);

async function sendChunked(c: SmtpClient, data: Buffer, rand: () => number, size: number | 'random' | null): Promise<void> {
  if (size === null) return c.send(data);
  let writes = 0;
  for (let i = 0; i < data.length; ) {
    const n = size === 'random' ? 1 + Math.floor(rand() * 64) : size;
    c.send(data.subarray(i, i + n));
    i += n;
    if (++writes % 16 === 0) await new Promise((r) => setImmediate(r));
  }
}

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

const MESSAGES = 25;
const CASES = [
  [1, null],
  [2, 1],
  [3, 3],
  [4, 17],
  [5, 'random'],
  [6, 'random'],
] as const;

describe('SMTP DATA fuzzing: CR, LF and dots', () => {
  for (const mode of ['reject', 'normalize'] as const) {
    for (const [seed, chunk] of CASES) {
      it(`${mode}, seed ${seed}, ${chunk === null ? 'pipelined in one write' : `${chunk}-byte chunks`}: one final reply per CRLF.CRLF sent`, async () => {
        fixture = await SmtpFixture.start({ config: { smtp: { bare_newline: mode, max_errors: 1000 } } });
        const rand = prng(seed * 1000 + (mode === 'reject' ? 1 : 2));
        const bodies = Array.from({ length: MESSAGES }, () => makeBody(rand));
        const transactions = bodies.map((body) => `MAIL FROM:<fuzz@client.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n${body}${TERMINATOR}`);
        const wire = Buffer.from(`EHLO fuzz.example\r\n${transactions.join('')}QUIT\r\n`, 'latin1');
        const terminators = transactions.length;
        const c = await fixture.connect();
        await sendChunked(c, wire, rand, chunk);
        await c.expect(250); // EHLO
        let accepted = 0;
        let refused = 0;
        for (const [i, body] of bodies.entries()) {
          await c.expect(250, '2.1.0');
          await c.expect(250, '2.1.5');
          await c.expect(354);
          const final = await c.reply();
          const expectRefusal = mode === 'reject' && hasBareNewline(body);
          assert.equal(final.code, expectRefusal ? 550 : 250, `message ${i} ${JSON.stringify(body)}: ${final.code} ${final.text}`);
          if (final.code === 250) accepted++;
          else {
            assert.match(final.text, /^5\.5\.2 /);
            refused++;
          }
        }
        // Nothing smuggled answered in between: the next reply is the one to QUIT.
        await c.expect(221);
        assert.equal(accepted + refused, terminators);
        if (mode === 'normalize') assert.equal(accepted, terminators);
        else assert.ok(accepted > 0 && refused > 0, `the seed exercises both outcomes (${accepted} accepted, ${refused} refused)`);
        const inbox = await fixture.inbox(fixture.bob);
        assert.equal(inbox.length, accepted);
        for (const message of inbox) assert.doesNotMatch(message, /\r(?!\n)|(?<!\r)\n/, 'stored with CRLF line ends only');
      });
    }
  }
});
