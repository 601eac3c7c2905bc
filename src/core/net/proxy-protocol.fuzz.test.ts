// Seeded fuzzing of the PROXY protocol v1/v2 parser: valid headers of every kind,
// the same mutated (octets flipped, inserted, deleted, cut short), and random bytes,
// each followed by client data, fed whole and in random chunks. Properties: only
// ProxyProtocolError is ever thrown; a complete header always settles (never waits
// for more than it declared); and the result (header, error, or incomplete) is the
// same however the input is chunked, through readProxyHeader on a stream as well,
// which leaves every octet after the header to the session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Socket } from 'node:net';
import { int, mutate as mutateInput, pick, prng, type Rand } from '../testing/prng.ts';
import { ProxyProtocolError, parseProxyHeader, readProxyHeader, type ProxyHeader } from './proxy-protocol.ts';

const bytes = (rand: Rand, n: number) => Buffer.from(Array.from({ length: n }, () => int(rand, 256)));
const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

function ipv4(rand: Rand): string {
  return Array.from({ length: 4 }, () => int(rand, 256)).join('.');
}
function ipv6(rand: Rand): string {
  const groups = Array.from({ length: 8 }, () => (rand() < 0.3 ? 0 : int(rand, 0x10000)).toString(16));
  return pick(rand, [groups.join(':'), groups.join(':').toUpperCase(), `::ffff:${ipv4(rand)}`, '::1', `fe80::${groups[7]}`]);
}

function validV1(rand: Rand): Buffer {
  const family = pick(rand, ['TCP4', 'TCP6', 'UNKNOWN'] as const);
  if (family === 'UNKNOWN') return Buffer.from(rand() < 0.5 ? 'PROXY UNKNOWN\r\n' : `PROXY UNKNOWN ${ipv6(rand)} ${ipv6(rand)} 1 2\r\n`);
  const address = family === 'TCP4' ? ipv4 : ipv6;
  return Buffer.from(`PROXY ${family} ${address(rand)} ${address(rand)} ${int(rand, 65536)} ${int(rand, 65536)}\r\n`, 'latin1');
}

function validV2(rand: Rand): Buffer {
  const command = rand() < 0.2 ? 0x20 : 0x21;
  const family = pick(rand, [0x11, 0x12, 0x21, 0x22, 0x31, 0x00] as const);
  const addressLength = family >> 4 === 1 ? 12 : family >> 4 === 2 ? 36 : family >> 4 === 3 ? 216 : 0;
  const tlvs: Buffer[] = [];
  for (let i = int(rand, 4); i > 0; i--) {
    const value = bytes(rand, int(rand, 40));
    const tlv = Buffer.alloc(3);
    tlv[0] = pick(rand, [0x01, 0x02, 0x03, 0x04, 0x05, 0x20, 0x30, 0xe0]);
    tlv.writeUInt16BE(value.length, 1);
    tlvs.push(tlv, value);
  }
  const payload = Buffer.concat([bytes(rand, addressLength), ...tlvs]);
  const fixed = Buffer.from([command, family, 0, 0]);
  fixed.writeUInt16BE(payload.length, 2);
  return Buffer.concat([SIGNATURE, fixed, payload]);
}

const PROXY_TOKENS = [' ', '\r', '\n', '\r\n', '%eth0', ':', '.', '0', '65536', '-1', 'TCP4', '\0', '\xff'];
const mutate = (rand: Rand, input: Buffer): Buffer => mutateInput(rand, input, PROXY_TOKENS);

/** One input per case: [valid header or not, the octets]. Some carry client data after the header. */
function makeInput(rand: Rand): { valid: boolean; input: Buffer } {
  const kind = rand();
  const trailer = rand() < 0.5 ? Buffer.alloc(0) : Buffer.concat([Buffer.from(pick(rand, ['EHLO x\r\n', '\x16\x03\x01', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n'])), bytes(rand, int(rand, 20))]);
  if (kind < 0.25) return { valid: true, input: Buffer.concat([validV1(rand), trailer]) };
  if (kind < 0.5) return { valid: true, input: Buffer.concat([validV2(rand), trailer]) };
  if (kind < 0.9) return { valid: false, input: Buffer.concat([mutate(rand, rand() < 0.5 ? validV1(rand) : validV2(rand)), trailer]) };
  const start = pick(rand, [Buffer.alloc(0), Buffer.from('PROXY '), SIGNATURE]);
  return { valid: false, input: Buffer.concat([start, bytes(rand, int(rand, 300))]) };
}

type Outcome = { kind: 'header'; header: ProxyHeader } | { kind: 'error' } | { kind: 'incomplete' };

/** parseProxyHeader on the whole input; anything but ProxyProtocolError fails the test. */
function parseWhole(input: Buffer): Outcome {
  try {
    const header = parseProxyHeader(input);
    if (header === null) return { kind: 'incomplete' };
    assert.ok(header.consumed > 0 && header.consumed <= input.length, `consumed ${header.consumed} of ${input.length}`);
    return { kind: 'header', header };
  } catch (error) {
    if (!(error instanceof ProxyProtocolError)) throw new Error(`untyped error for ${input.toString('hex')}: ${(error as Error).stack}`);
    return { kind: 'error' };
  }
}

/** What readProxyHeader does: parse what has arrived after each chunk, stop at the first answer. */
function parseChunked(input: Buffer, sizes: number[]): Outcome {
  let at = 0;
  for (let i = 0; at < input.length; i++) {
    at = Math.min(input.length, at + sizes[i % sizes.length]!);
    const outcome = parseWhole(input.subarray(0, at));
    if (outcome.kind !== 'incomplete') return outcome;
  }
  return { kind: 'incomplete' };
}

function chunkSizes(rand: Rand): number[] {
  return pick(rand, [[1], [2], [3], [7], [17], [1, 15, 2], Array.from({ length: 8 }, () => 1 + int(rand, 40))]);
}

test('PROXY parser fuzz: only typed errors, and the same outcome whole or in any chunks (20,000 seeded inputs)', () => {
  const rand = prng(0x9e3779b9);
  let headers = 0;
  let errors = 0;
  for (let n = 0; n < 20_000; n++) {
    const { valid, input } = makeInput(rand);
    const whole = parseWhole(input);
    if (valid) assert.equal(whole.kind, 'header', `valid header refused: ${input.toString('hex')}`);
    const chunked = parseChunked(input, chunkSizes(rand));
    assert.deepEqual(chunked, whole, `chunking changed the outcome for ${input.toString('hex')}`);
    if (whole.kind === 'header') headers++;
    if (whole.kind === 'error') errors++;
  }
  // Both branches were really exercised.
  assert.ok(headers > 5_000, `headers ${headers}`);
  assert.ok(errors > 3_000, `errors ${errors}`);
});

test('PROXY parser fuzz: a complete valid header never waits for more input', () => {
  const rand = prng(7);
  for (let n = 0; n < 5_000; n++) {
    const header = rand() < 0.5 ? validV1(rand) : validV2(rand);
    const outcome = parseWhole(header);
    assert.equal(outcome.kind, 'header', header.toString('hex'));
    assert.equal(outcome.kind === 'header' && outcome.header.consumed, header.length);
    // Every proper prefix waits (null) rather than failing.
    for (const cut of [1, int(rand, header.length), header.length - 1]) assert.equal(parseWhole(header.subarray(0, cut)).kind, 'incomplete');
  }
});

test('readProxyHeader fuzz on a stream: same header and rest however chunked; an incomplete header ends in a typed error at the close', async () => {
  const rand = prng(2024);
  for (let n = 0; n < 400; n++) {
    const { input } = makeInput(rand);
    const expected = parseWhole(input);
    const stream = new PassThrough();
    const reading = readProxyHeader(stream as unknown as Socket, 60_000).then(
      (result) => ({ kind: 'header' as const, ...result }),
      (error: unknown) => {
        if (!(error instanceof ProxyProtocolError)) throw error;
        return { kind: 'error' as const, message: error.message };
      },
    );
    const sizes = chunkSizes(rand);
    for (let at = 0, i = 0; at < input.length; i++) {
      const size = sizes[i % sizes.length]!;
      stream.write(input.subarray(at, at + size));
      at += size;
      if (i % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    stream.end();
    const result = await reading;
    if (expected.kind === 'header') {
      assert.equal(result.kind, 'header', input.toString('hex'));
      assert.deepEqual(result.kind === 'header' && result.header, expected.header);
      // What came with the header's last chunk is `rest`; later chunks are still unread in the stream.
      const unread: Buffer[] = [];
      for await (const chunk of stream) unread.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat([result.kind === 'header' ? result.rest : Buffer.alloc(0), ...unread]), input.subarray(expected.header.consumed));
    } else {
      assert.equal(result.kind, 'error', input.toString('hex'));
      if (expected.kind === 'incomplete') assert.match(result.kind === 'error' ? result.message : '', /closed before the PROXY header/);
    }
  }
});
