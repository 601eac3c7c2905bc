// Seeded fuzzing of the TFTP packet codec (RFC 1350 §5, RFC 2347): random datagrams
// and mutated valid ones never make parsePacket throw (it reports "malformed"), the
// option negotiation on whatever a request carries throws only TftpError, valid
// packets survive encode → parse → encode unchanged, and a running server fed a
// burst of such datagrams on its request port still serves a normal RRQ.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { int, mutate as mutateInput, pick, prng, type Rand } from '../core/testing/prng.ts';
import { negotiate } from './options.ts';
import { TftpError } from './replies.ts';
import { RawPeer, startTestServer } from './test-support.ts';
import { encodeAck, encodeData, encodeError, encodeOack, encodeRequest, Opcode, parsePacket, type Packet } from './wire.ts';

const bytes = (rand: Rand, n: number) => Buffer.from(Array.from({ length: n }, () => int(rand, 256)));

/** Text without NUL (the wire's separator), ASCII or not. */
function text(rand: Rand, max: number): string {
  return Array.from({ length: int(rand, max) }, () => String.fromCodePoint(rand() < 0.9 ? 32 + int(rand, 95) : pick(rand, [0xe9, 0x4e2d, 0x1f600, 0x7f]))).join('');
}

const OPTION_NAMES = ['blksize', 'tsize', 'timeout', 'windowsize', 'multicast', 'rollover'] as const;
function optionValue(rand: Rand): string {
  return pick(rand, ['0', '1', '8', '512', '1428', '65464', '65465', '99999999999999999', '-1', '', ' 512', '1e3', '0x10', text(rand, 8)]);
}

/** A valid packet of any kind, and the Packet parsePacket must give for it. */
function validPacket(rand: Rand): { raw: Buffer; packet: Packet } {
  switch (int(rand, 5)) {
    case 0: {
      const opcode = rand() < 0.5 ? Opcode.RRQ : Opcode.WRQ;
      const filename = 'f' + text(rand, 60);
      const mode = pick(rand, ['octet', 'netascii', 'mail']);
      // Distinct lower-case names, so the packet is canonical and re-encodes identically.
      const names = OPTION_NAMES.filter(() => rand() < 0.4);
      const options = names.map((name) => [name, optionValue(rand)] as [string, string]);
      return { raw: encodeRequest(opcode, filename, mode, options), packet: { kind: 'request', opcode, filename, mode, options: new Map(options) } };
    }
    case 1: {
      const block = int(rand, 65536);
      const payload = bytes(rand, pick(rand, [0, 1, 511, 512, int(rand, 1500)]));
      return { raw: encodeData(block, payload), packet: { kind: 'data', block, payload } };
    }
    case 2: {
      const block = int(rand, 65536);
      return { raw: encodeAck(block), packet: { kind: 'ack', block } };
    }
    case 3: {
      const code = int(rand, 9);
      const message = text(rand, 80);
      return { raw: encodeError(code, message), packet: { kind: 'error', code, message } };
    }
    default: {
      const options = OPTION_NAMES.filter(() => rand() < 0.5).map((name) => [name, optionValue(rand)] as [string, string]);
      return { raw: encodeOack(options), packet: { kind: 'oack', options: new Map(options) } };
    }
  }
}

const TFTP_TOKENS = ['\0', '\0\0', 'blksize\0', 'x'.repeat(1100), '\xff\xfe'];
const mutate = (rand: Rand, input: Buffer): Buffer => mutateInput(rand, input, TFTP_TOKENS);

function randomDatagram(rand: Rand): Buffer {
  const kind = rand();
  if (kind < 0.4) return validPacket(rand).raw;
  if (kind < 0.85) return mutate(rand, validPacket(rand).raw);
  return Buffer.concat([Buffer.from([0, int(rand, 8)]), bytes(rand, int(rand, 200))]);
}

const limits = { maxBlksize: 65464, maxWindowsize: 64, maxFileSize: 1 << 30 };

test('TFTP codec fuzz: parsePacket never throws, results are well-formed, negotiation throws only TftpError (30,000 datagrams)', () => {
  const rand = prng(1350);
  const kinds = new Map<string, number>();
  for (let n = 0; n < 30_000; n++) {
    const raw = randomDatagram(rand);
    let packet: Packet;
    try {
      packet = parsePacket(raw);
    } catch (error) {
      assert.fail(`parsePacket threw for ${raw.toString('hex')}: ${(error as Error).stack}`);
    }
    kinds.set(packet.kind, (kinds.get(packet.kind) ?? 0) + 1);
    switch (packet.kind) {
      case 'data':
      case 'ack':
        assert.ok(packet.block >= 0 && packet.block <= 65535);
        break;
      case 'request':
        assert.ok(packet.filename.length > 0 && packet.mode === packet.mode.toLowerCase());
        assert.ok(packet.options.size <= 32);
        for (const direction of ['read', 'write'] as const) {
          try {
            const agreed = negotiate(packet.options, direction, packet.mode, rand() < 0.5 ? null : int(rand, 1 << 20), limits);
            assert.ok(agreed.blksize >= 8 && agreed.blksize <= limits.maxBlksize && agreed.windowsize >= 1 && agreed.windowsize <= limits.maxWindowsize);
          } catch (error) {
            if (!(error instanceof TftpError)) assert.fail(`negotiate threw ${(error as Error).stack} for ${raw.toString('hex')}`);
          }
        }
        break;
      case 'malformed':
        assert.ok(packet.reason.length > 0);
        break;
      default:
        break;
    }
  }
  for (const kind of ['request', 'data', 'ack', 'error', 'oack', 'malformed']) assert.ok((kinds.get(kind) ?? 0) > 500, `${kind}: ${kinds.get(kind)}`);
});

test('TFTP codec fuzz: valid packets round-trip (parse gives what was encoded, encoding that again gives the same octets)', () => {
  const rand = prng(2347);
  for (let n = 0; n < 10_000; n++) {
    const { raw, packet } = validPacket(rand);
    const parsed = parsePacket(raw);
    assert.deepEqual(parsed, packet, raw.toString('hex'));
    const again =
      parsed.kind === 'request' ? encodeRequest(parsed.opcode, parsed.filename, parsed.mode, parsed.options)
      : parsed.kind === 'data' ? encodeData(parsed.block, parsed.payload)
      : parsed.kind === 'ack' ? encodeAck(parsed.block)
      : parsed.kind === 'error' ? encodeError(parsed.code, parsed.message)
      : parsed.kind === 'oack' ? encodeOack(parsed.options)
      : assert.fail(`valid packet parsed as ${parsed.kind}`);
    assert.deepEqual(again, raw);
  }
});

test('TFTP server fuzz: 500 random and mutated datagrams on the request port, then a normal RRQ is served', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  const content = Buffer.from('served after the fuzz\n');
  await writeFile(join(s.root, 'after.txt'), content);
  const noise = await RawPeer.open();
  t.after(() => noise.close());
  const rand = prng(69);
  for (let n = 0; n < 500; n++) {
    noise.send(randomDatagram(rand), s.port);
    if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  // The server answers the bad ones with ERROR (4 for malformed, 1/2 for requests it refuses).
  assert.equal((await noise.expect(5000)).packet.kind, 'error');

  const peer = await RawPeer.open();
  t.after(() => peer.close());
  peer.send(encodeRequest(Opcode.RRQ, 'after.txt', 'octet'), s.port);
  const reply = await peer.expect(5000);
  assert.deepEqual(reply.packet, { kind: 'data', block: 1, payload: content });
  peer.send(encodeAck(1), reply.from.port);
});
