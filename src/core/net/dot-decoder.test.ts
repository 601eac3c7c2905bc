import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DotDecoder, DotEncoder } from './dot-decoder.ts';
import { prng } from '../testing/prng.ts';

interface Decoded {
  body: string;
  done: boolean;
  /** Input octets after the terminator (pipelined commands). */
  rest: string;
}

/** Runs the decoder over `input` cut at the given offsets, as chunks would arrive. */
function decodeSplit(input: string, cuts: number[]): Decoded {
  const bytes = Buffer.from(input, 'latin1');
  const bounds = [0, ...cuts, bytes.length];
  const decoder = new DotDecoder();
  const body: Buffer[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const chunk = bytes.subarray(bounds[k], bounds[k + 1]);
    const { body: out, consumed, done } = decoder.decode(chunk);
    body.push(Buffer.from(out));
    if (done) {
      const rest = Buffer.concat([chunk.subarray(consumed), bytes.subarray(bounds[k + 1])]);
      return { body: Buffer.concat(body).toString('latin1'), done, rest: rest.toString('latin1') };
    }
    assert.equal(consumed, chunk.length, 'an unfinished body consumes every octet');
  }
  return { body: Buffer.concat(body).toString('latin1'), done: false, rest: '' };
}

function decodeInChunksOf(input: string, size: number): Decoded {
  const cuts: number[] = [];
  for (let i = size; i < input.length; i += size) cuts.push(i);
  return decodeSplit(input, cuts);
}

/** Asserts the same result for one write, 1-, 3-, 17-byte chunks and every split into two and three pieces. */
function assertEverySplit(input: string, expected: Decoded): void {
  assert.deepEqual(decodeSplit(input, []), expected, 'one write');
  for (const size of [1, 3, 17]) assert.deepEqual(decodeInChunksOf(input, size), expected, `${size}-byte chunks`);
  for (let a = 1; a < input.length; a++) {
    assert.deepEqual(decodeSplit(input, [a]), expected, `split at ${a}`);
    for (let b = a + 1; b < input.length; b++) assert.deepEqual(decodeSplit(input, [a, b]), expected, `split at ${a},${b}`);
  }
}

test('RFC 5321 §4.5.2: a leading period is deleted, a line of a single period ends the body', () => {
  assertEverySplit('Hello\r\n..leading dot\r\n...two\r\n.\r\n', {
    body: 'Hello\r\n.leading dot\r\n..two\r\n',
    done: true,
    rest: '',
  });
});

test('RFC 5321 §4.5.2: periods inside a line are data, only the first octet is special', () => {
  assertEverySplit('a.b\r\n a leading space. \r\n..\r\n.\r\n', {
    body: 'a.b\r\n a leading space. \r\n.\r\n',
    done: true,
    rest: '',
  });
});

test('an empty body is just the terminator', () => {
  assertEverySplit('.\r\n', { body: '', done: true, rest: '' });
});

test('terminator: pipelined commands after it are left unconsumed', () => {
  assertEverySplit('body\r\n.\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n', {
    body: 'body\r\n',
    done: true,
    rest: 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n',
  });
});

test('a "." in the middle of a line or ".x" lines never terminate', () => {
  assertEverySplit('x.\r\n.x\r\n. \r\n', { body: 'x.\r\nx\r\n \r\n', done: false, rest: '' });
});

test('RFC 5321 §4.1.1.4: only CRLF "." CRLF ends the body; "\\n.\\n", "\\n.\\r\\n", "\\r\\n.\\n" are data (SMTP smuggling)', () => {
  // The smuggled transaction stays inside the body; the real terminator comes later.
  const smuggled = 'MAIL FROM:<admin@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nforged\r\n';
  for (const fake of ['\n.\n', '\n.\r\n', '\r\n.\n', '\r.\r', '\r\n.\r', '\r.\r\n']) {
    assertEverySplit(`legit${fake}${smuggled}.\r\nQUIT\r\n`, {
      body: 'legit\r\n.\r\n' + smuggled,
      done: true,
      rest: 'QUIT\r\n',
    });
  }
});

test('a bare LF or bare CR is a line end stored as CRLF, and is recorded', () => {
  const decoder = new DotDecoder();
  const { body, done } = decoder.decode(Buffer.from('one\ntwo\r\n..three\rfour\r\n.\r\n'));
  assert.equal(body.toString('latin1'), 'one\r\ntwo\r\n.three\r\nfour\r\n');
  assert.equal(done, true);
  assert.equal(decoder.bareNewline, true);
  assertEverySplit('one\ntwo\r\n..three\rfour\r\n.\r\nQUIT\n', { body: 'one\r\ntwo\r\n.three\r\nfour\r\n', done: true, rest: 'QUIT\n' });
  assertEverySplit('a\rb\r\n\r\r\n.\r\n', { body: 'a\r\nb\r\n\r\n\r\n', done: true, rest: '' });
});

test('a clean body is not marked; the terminator and what follows do not count', () => {
  const decoder = new DotDecoder();
  decoder.decode(Buffer.from('a\r\n\r\n..b\r\n.\r\nQUIT\n\r'));
  assert.equal(decoder.bareNewline, false);
});

test('after a bare line end, a stuffed line is still unstuffed; a "." line is data and the next CRLF "." CRLF ends', () => {
  assertEverySplit('x\n..y\n.\r\n.\r\n', { body: 'x\r\n.y\r\n.\r\n', done: true, rest: '' });
});

test('".\\r" not followed by "\\n" is a "." line ended by a bare CR: data, not the end', () => {
  assertEverySplit('.\rX\r\nmore\r\n.\r\n', { body: '.\r\nX\r\nmore\r\n', done: true, rest: '' });
  assertEverySplit('.\r.\r\n.\r\n', { body: '.\r\n.\r\n', done: true, rest: '' });
});

test('a megabyte of bare LFs in one chunk: each becomes CRLF', () => {
  const input = Buffer.alloc(1 << 20, 0x0a);
  const decoder = new DotDecoder();
  const { body } = decoder.decode(input);
  assert.equal(body.length, 2 << 20);
});

test('after the end, decode consumes nothing', () => {
  const decoder = new DotDecoder();
  assert.equal(decoder.decode(Buffer.from('.\r\n')).done, true);
  assert.deepEqual(decoder.decode(Buffer.from('more\r\n')), { body: Buffer.alloc(0), consumed: 0, done: true });
});

test('a large body streams through with no line lost', () => {
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) lines.push(i % 7 === 0 ? `.${i}` : `line ${i}`);
  const body = lines.map((l) => `${l}\r\n`).join('');
  const wire = lines.map((l) => (l.startsWith('.') ? `.${l}\r\n` : `${l}\r\n`)).join('') + '.\r\nQUIT\r\n';
  for (const size of [1, 3, 17, 4096]) {
    assert.deepEqual(decodeInChunksOf(wire, size), { body, done: true, rest: 'QUIT\r\n' }, `${size}-byte chunks`);
  }
});

/** Encodes a body in pieces and returns what goes on the wire. */
function encodeInChunksOf(body: string, size: number): string {
  const encoder = new DotEncoder();
  const bytes = Buffer.from(body, 'latin1');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(Buffer.from(encoder.encode(bytes.subarray(i, i + size))));
  parts.push(encoder.end());
  return Buffer.concat(parts).toString('latin1');
}

test('DotEncoder: RFC 1939 §3 byte-stuffing and the terminator', () => {
  assert.equal(encodeInChunksOf('Hello\r\n.hidden\r\n..\r\n.\r\n', 1000), 'Hello\r\n..hidden\r\n...\r\n..\r\n.\r\n');
  assert.equal(encodeInChunksOf('', 1000), '.\r\n');
  assert.equal(encodeInChunksOf('no final line end', 1000), 'no final line end\r\n.\r\n');
  assert.equal(encodeInChunksOf('ends in CR\r', 1000), 'ends in CR\r\n.\r\n');
  assert.equal(encodeInChunksOf('.first', 1000), '..first\r\n.\r\n');
});

test('DotEncoder → DotDecoder round trip in any chunking', () => {
  const bodies = [
    '',
    'plain\r\n',
    '.\r\n',
    '..\r\n...\r\n',
    'a\r\n.\r\n.b\r\n\r\n.\r\nend\r\n',
    '.starts\r\nmid.dle\r\n. space\r\n',
  ];
  for (const body of bodies) {
    for (const encodeSize of [1, 2, 3, 17, 1000]) {
      const wire = encodeInChunksOf(body, encodeSize);
      for (const decodeSize of [1, 3, 17, 1000]) {
        assert.deepEqual(decodeInChunksOf(wire + 'NEXT\r\n', decodeSize), { body, done: true, rest: 'NEXT\r\n' }, JSON.stringify({ body, encodeSize, decodeSize }));
      }
    }
  }
});

/**
 * The rules applied to a whole input at once, line by line: the reference. A line
 * ends in CRLF, a bare CR or a bare LF; "." ends the body only between two CRLFs.
 */
function referenceDecode(input: Buffer): { body: Buffer; consumed: number; bare: boolean } | null {
  const out: number[] = [];
  let i = 0;
  let prevCrlf = true;
  let bare = false;
  while (i < input.length) {
    let j = i;
    while (j < input.length && input[j] !== 0x0d && input[j] !== 0x0a) j++;
    if (j >= input.length || (input[j] === 0x0d && j + 1 >= input.length)) return null;
    const crlf = input[j] === 0x0d && input[j + 1] === 0x0a;
    const next = j + (crlf ? 2 : 1);
    let line = input.subarray(i, j);
    if (line.length === 1 && line[0] === 0x2e) {
      if (crlf && prevCrlf) return { body: Buffer.from(out), consumed: next, bare };
    } else if (line[0] === 0x2e) line = line.subarray(1);
    out.push(...line, 0x0d, 0x0a);
    if (!crlf) bare = true;
    prevCrlf = crlf;
    i = next;
  }
  return null;
}

test('seeded random bodies in random chunks decode exactly as the line-by-line reference', () => {
  const random = prng(5321);
  const alphabet = [0x61, 0x62, 0x2e, 0x0d, 0x0a, 0x0d, 0x0a, 0x20];
  for (let round = 0; round < 500; round++) {
    const length = Math.floor(random() * 200);
    const bytes = [...Array(length)].map(() => alphabet[Math.floor(random() * alphabet.length)]!);
    const input = Buffer.from(bytes.concat([0x0d, 0x0a, 0x2e, 0x0d, 0x0a, 0x58]));
    const expected = referenceDecode(input)!;
    const decoder = new DotDecoder();
    const parts: Buffer[] = [];
    let offset = 0;
    let consumed = -1;
    while (offset < input.length) {
      const size = 1 + Math.floor(random() * 20);
      const chunk = input.subarray(offset, offset + size);
      const result = decoder.decode(chunk);
      parts.push(Buffer.from(result.body));
      if (result.done) {
        consumed = offset + result.consumed;
        break;
      }
      offset += chunk.length;
    }
    assert.equal(Buffer.concat(parts).toString('latin1'), expected.body.toString('latin1'), `round ${round}`);
    assert.equal(consumed, expected.consumed, `round ${round}: terminator position`);
    assert.equal(decoder.bareNewline, expected.bare, `round ${round}: bare CR/LF seen`);
  }
});
