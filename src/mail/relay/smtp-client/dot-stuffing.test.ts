// The relay's DotStuffer: never a bare CR or LF on the wire, every line that starts
// with "." stuffed (also one that starts after a normalised line end), whatever the
// chunking. Checked against DotDecoder, the server side of the same rules.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DotDecoder } from '../../../core/net/dot-decoder.ts';
import { prng } from '../../../core/testing/prng.ts';
import { DotStuffer } from './dot-stuffing.ts';

/** What goes on the wire for `input` cut at `cuts`. */
async function stuffSplit(input: Buffer, cuts: number[]): Promise<Buffer> {
  const stuffer = new DotStuffer();
  const parts: Buffer[] = [];
  stuffer.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise((resolve) => stuffer.once('end', resolve));
  const bounds = [0, ...cuts, input.length];
  for (let k = 0; k + 1 < bounds.length; k++) stuffer.write(input.subarray(bounds[k], bounds[k + 1]));
  stuffer.end();
  await ended;
  return Buffer.concat(parts);
}

/** The input with every line end as CRLF and a final CRLF (what the receiver must store). */
function normalised(input: Buffer): string {
  const text = input.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  return text === '' || text.endsWith('\r\n') ? text : `${text}\r\n`;
}

/** The wire's properties: CRLF only, no "." line before the end, decodes to the normalised input. */
function assertWire(input: Buffer, wire: Buffer, label: string): void {
  const text = wire.toString('latin1');
  assert.doesNotMatch(text, /\r(?!\n)|(?<!\r)\n/, `${label}: no bare CR or LF in ${JSON.stringify(text)}`);
  assert.ok(text.endsWith('.\r\n') && (text === '.\r\n' || text.endsWith('\r\n.\r\n')), `${label}: ends with CRLF . CRLF`);
  const lines = text.slice(0, -3).split('\r\n');
  assert.ok(!lines.slice(0, -1).some((l) => l === '.'), `${label}: no unstuffed "." line`);
  const decoder = new DotDecoder();
  const { body, consumed, done } = decoder.decode(wire);
  assert.equal(done, true, label);
  assert.equal(consumed, wire.length, `${label}: the terminator is the last thing sent`);
  assert.equal(decoder.bareNewline, false, label);
  assert.equal(body.toString('latin1'), normalised(input), label);
}

const b = (s: string) => Buffer.from(s, 'latin1');

describe('DotStuffer', async () => {
  test('RFC 5321 §4.5.2: leading dots doubled, terminator added', async () => {
    assert.equal((await stuffSplit(b('Hello\r\n.hidden\r\n..\r\n.\r\n'), [])).toString(), 'Hello\r\n..hidden\r\n...\r\n..\r\n.\r\n');
    assert.equal((await stuffSplit(b(''), [])).toString(), '.\r\n');
    assert.equal((await stuffSplit(b('no final line end'), [])).toString(), 'no final line end\r\n.\r\n');
    assert.equal((await stuffSplit(b('.first'), [])).toString(), '..first\r\n.\r\n');
  });

  test('RFC 5321 §2.3.8: bare LF and bare CR go out as CRLF, and the next line is stuffed', async () => {
    assert.equal((await stuffSplit(b('legit\n.\nMAIL FROM:<admin@x>\r\n'), [])).toString(), 'legit\r\n..\r\nMAIL FROM:<admin@x>\r\n.\r\n');
    assert.equal((await stuffSplit(b('a\r.\rb\r\n.\n'), [])).toString(), 'a\r\n..\r\nb\r\n..\r\n.\r\n');
    assert.equal((await stuffSplit(b('ends in CR\r'), [])).toString(), 'ends in CR\r\n.\r\n');
    assert.equal((await stuffSplit(b('\r\r\n\n'), [])).toString(), '\r\n\r\n\r\n.\r\n');
  });

  test('chunk boundaries between CR and LF, and before a dot', async () => {
    const cases: Array<[string, number[], string]> = [
      ['a\r\nb', [2], 'a\r\nb\r\n.\r\n'], // CR | LF: one CRLF, not two
      ['a\r\r\n', [2], 'a\r\n\r\n.\r\n'], // CR | CR LF: a bare CR, then CRLF
      ['a\r.b', [2], 'a\r\n..b\r\n.\r\n'], // CR | ".": the dot starts a line
      ['a\n.b', [2], 'a\r\n..b\r\n.\r\n'], // LF | "."
      ['a\r\n.b', [3], 'a\r\n..b\r\n.\r\n'], // CRLF | "."
      ['a\r', [2], 'a\r\n.\r\n'], // a CR last in the body, held to the end
      ['\r', [1], '\r\n.\r\n'],
      ['x\r\n.\r\n', [1, 2, 3, 4, 5], 'x\r\n..\r\n.\r\n'],
    ];
    for (const [input, cuts, wire] of cases) {
      assert.equal((await stuffSplit(b(input), cuts)).toString('latin1'), wire, JSON.stringify({ input, cuts }));
      assertWire(b(input), await stuffSplit(b(input), cuts), JSON.stringify(input));
    }
  });

  test('seeded fuzz: random CR, LF, dots in random chunks; no bare CR/LF, no unstuffed "." line, decodes to the normalised input', async () => {
    const random = prng(2920);
    const alphabet = ['a', ' ', '.', '\r', '\n', '\r\n', '.\r', '\n.', '\r\n.\r\n', '\xe9'];
    for (let round = 0; round < 600; round++) {
      const pieces = Math.floor(random() * 60);
      let text = '';
      for (let k = 0; k < pieces; k++) text += alphabet[Math.floor(random() * alphabet.length)]!;
      const input = b(text);
      const cuts: number[] = [];
      for (let at = 1 + Math.floor(random() * 5); at < input.length; at += 1 + Math.floor(random() * 7)) cuts.push(at);
      const wire = await stuffSplit(input, cuts);
      assertWire(input, wire, `round ${round} ${JSON.stringify(text)} cut at ${cuts.join(',')}`);
      assert.deepEqual(wire, await stuffSplit(input, []), `round ${round}: the chunking does not change the wire`);
    }
  });
});
