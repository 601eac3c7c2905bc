// Seeded fuzzing of the FTP control connection's command reader (RFC 959 §4, RFC 854
// Telnet): random octets with CR, LF, IAC and "ABOR\r" mixed in, long lines, fed in
// chunks of every size. Properties: the same lines (and line-too-long errors) come
// out however the input is chunked; no line is longer than the limit or holds a LF;
// only LineTooLongError is thrown; and plain input matches a simple model (split at
// LF, drop the CR before it, remove Telnet commands).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, LineTooLongError } from '../core/net/byte-reader.ts';
import { prng } from '../core/testing/prng.ts';
import { CommandLineReader, stripTelnet } from './wire.ts';

type Rand = () => number;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[int(rand, xs.length)]!;
const LIMIT = 64;
const TOO_LONG = 'TOO LONG';

const PIECES = ['USER a', 'PASS b', 'NOOP', 'CWD dir with spaces', 'RETR é', 'ABOR', 'ABOR\r', '\r', '\n', '\r\n', '\r\r\n', '\n\r', '\xff\xf4', '\xff\xf2', '\xff\xff', '\xff', '\xf2', '\0', ' '] as const;

function makeInput(rand: Rand, plain: boolean): Buffer {
  const parts: string[] = [];
  for (let n = 5 + int(rand, 30); n > 0; n--) {
    const r = rand();
    if (r < 0.1) parts.push('X'.repeat(LIMIT - 2 + int(rand, 6))); // around the limit
    else if (r < 0.13) parts.push('Y'.repeat(LIMIT * (2 + int(rand, 40)))); // far beyond it
    else if (r < 0.35) parts.push(Array.from({ length: int(rand, 20) }, () => String.fromCharCode(int(rand, 256))).join(''));
    else parts.push(pick(rand, PIECES));
    if (plain || rand() < 0.5) parts.push('\r\n');
  }
  let text = parts.join('');
  // The plain inputs: CRLF or LF line ends only, no "ABOR\r" urgent form, no lone CR.
  if (plain) text = text.replace(/\r(?!\n)/g, '');
  return Buffer.from(text, 'latin1');
}

/** Feeds `input` in chunks cycling through `sizes`, a turn of the event loop apart, then ends. */
function feed(reader: ByteReader, input: Buffer, sizes: number[]): void {
  let at = 0;
  let i = 0;
  const step = () => {
    if (at >= input.length) return reader.end();
    const size = sizes[i++ % sizes.length]!;
    reader.push(input.subarray(at, at + size));
    at += size;
    setImmediate(step);
  };
  setImmediate(step);
}

async function linesOf(input: Buffer, sizes: number[]): Promise<string[]> {
  const reader = new ByteReader();
  const lines = new CommandLineReader(reader, LIMIT);
  feed(reader, input, sizes);
  const out: string[] = [];
  for (;;) {
    try {
      const line = await lines.next();
      if (line === null) return out;
      assert.ok(line.length <= LIMIT, `a line of ${line.length} octets got through`);
      assert.ok(!line.includes(0x0a), 'a line holds a LF');
      out.push(line.toString('latin1'));
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      out.push(TOO_LONG);
    }
  }
}

/** What the reader must give for plain input (no lone CR). */
function model(input: Buffer): string[] {
  const segments = input.toString('latin1').split('\n');
  const last = segments.pop()!;
  if (last.length > 0) segments.push(last);
  return segments.map((segment) => {
    const line = segment.endsWith('\r') ? segment.slice(0, -1) : segment;
    return line.length > LIMIT ? TOO_LONG : stripTelnet(Buffer.from(line, 'latin1')).toString('latin1');
  });
}

function chunkings(rand: Rand, length: number): number[][] {
  return [[length || 1], [1], [2], [3], [7], [17], [LIMIT + 1], Array.from({ length: 6 }, () => 1 + int(rand, 90))];
}

test('FTP command reader fuzz: the same lines however chunked, never longer than the limit (300 seeded inputs x 8 chunkings)', async () => {
  const rand = prng(959);
  for (let n = 0; n < 300; n++) {
    const input = makeInput(rand, false);
    const [whole, ...others] = chunkings(rand, input.length);
    const expected = await linesOf(input, whole!);
    for (const sizes of others) {
      assert.deepEqual(await linesOf(input, sizes), expected, `input ${input.toString('hex')} in chunks of ${sizes.join(',')}`);
    }
  }
});

test('FTP command reader fuzz: plain input (CRLF or LF line ends) gives exactly the model lines', async () => {
  const rand = prng(854);
  for (let n = 0; n < 300; n++) {
    const input = makeInput(rand, true);
    for (const sizes of [[input.length || 1], [1], [1 + int(rand, 30)]]) {
      assert.deepEqual(await linesOf(input, sizes), model(input), `input ${input.toString('hex')} in chunks of ${sizes.join(',')}`);
    }
  }
});
