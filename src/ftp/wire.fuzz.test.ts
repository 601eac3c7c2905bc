// Seeded fuzzing of the FTP control connection's command reader (RFC 959 §4, RFC 854
// Telnet): random octets with CR, LF, IAC and "ABOR\r" mixed in, long lines, fed in
// chunks of every size. Properties: the same lines (and line-too-long errors) come
// out however the input is chunked; no line is longer than the limit or holds a LF;
// only LineTooLongError is thrown; and plain input matches a simple model (split at
// LF, drop the CR before it, remove Telnet commands). A running session fed seeded
// pipelined commands gives the same replies in 1-octet chunks as in one write.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, LineTooLongError } from '../core/net/byte-reader.ts';
import { prng } from '../core/testing/prng.ts';
import { FtpFixture, PASSWORD } from './test-support.ts';
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

test('FTP command reader fuzz: the same lines however chunked, never longer than the limit (200 seeded inputs x 8 chunkings)', async () => {
  const rand = prng(959);
  for (let n = 0; n < 200; n++) {
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

// Commands that change the file system, open data connections, start TLS or end the
// session are left out: each chunking runs on the same folder, and must see the same.
const SESSION_LINES = ['USER user', `USER user\r\nPASS ${PASSWORD}`, `USER user\r\nPASS ${PASSWORD}`, 'PASS wrong', 'PWD', 'CWD /', 'CWD missing', 'CDUP', 'TYPE I', 'TYPE A', 'TYPE X', 'MODE S', 'MODE Z', 'STRU F', 'SYST', 'FEAT', 'HELP', 'STAT', 'SIZE nothing', 'MDTM nothing', 'RNFR nothing', 'REST 100', 'REST x', 'OPTS UTF8 ON', 'NOOP', 'SITE CHMOD', 'ALLO 10', 'ABOR', 'XYZZY', ''];

function sessionScript(rand: Rand): Buffer {
  const parts: string[] = [];
  for (let n = 0; n < 60; n++) {
    const r = rand();
    let line: string;
    if (r < 0.1) line = 'NOOP ' + 'L'.repeat(600); // above max_command_length
    else if (r < 0.25) line = Array.from({ length: int(rand, 30) }, () => String.fromCharCode(32 + int(rand, 224))).join('');
    else line = pick(rand, SESSION_LINES);
    if (/^\s*(QUIT|REIN|AUTH|PASV|EPSV|PORT|EPRT|LIST|NLST|MLSD|RETR|STOR|APPE|STOU|MKD|XMKD|RMD|XRMD|DELE|RNTO|SITE\s+(UMASK|CHMOD\s+\S))/i.test(line)) continue;
    parts.push(line, pick(rand, ['\r\n', '\r\n', '\n']));
  }
  parts.push('QUIT\r\n');
  return Buffer.from(parts.join(''), 'latin1');
}

test('FTP session fuzz: seeded pipelined commands get the same replies in 1-, 5- and 64-octet chunks as in one write', async (t) => {
  const fixture = await FtpFixture.start({ configure: (c) => ((c.ftp.max_login_failures = 1000), (c.ftp.max_command_length = 512)) });
  t.after(() => fixture.close());
  for (const seed of [1, 2, 3]) {
    const script = sessionScript(prng(seed));
    const transcripts: string[][] = [];
    for (const size of [script.length, 1, 5, 64]) {
      const c = await fixture.connect();
      for (let at = 0; at < script.length; at += size) {
        c.send(script.subarray(at, at + size));
        if (size < 8 && at % (size * 32) === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const replies: string[] = [];
      for (;;) {
        const reply = await c.reply(10_000);
        replies.push(reply.lines[0]!.slice(0, 3));
        if (reply.code === 221) break;
      }
      transcripts.push(replies);
    }
    for (const other of transcripts.slice(1)) assert.deepEqual(other, transcripts[0], `seed ${seed}`);
    assert.ok(transcripts[0]!.includes('500') && transcripts[0]!.includes('230'), `seed ${seed}: ${transcripts[0]!.join(' ')}`);
  }
});
