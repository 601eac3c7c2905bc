// Seeded fuzz of what reaches the SSH transport before any key is agreed: the
// identification line (RFC 4253 §4.2) and the first binary packet, a KEXINIT (§7.1,
// framed as §6), mutated by the shared PRNG. Every connection must end with the server
// closing it (or still waiting within the deadline), the process must not throw, and a
// real login must still work after each batch. A failure replays from its seed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteClient } from '../core/testing/byte-client.ts';
import { int, mutate, pick, prng } from '../core/testing/prng.ts';
import { SshFixture } from './test-support.ts';

let fx: SshFixture;
before(async () => {
  fx = await SshFixture.start({ configure: (config) => (config.limits.preauth_deadline = 3) });
});
after(async () => fx.close());

const nameList = (names: string[]) => {
  const text = Buffer.from(names.join(','));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length);
  return Buffer.concat([length, text]);
};

/** A well-formed unencrypted KEXINIT packet: uint32 length, byte padding, payload, padding. */
function kexinit(): Buffer {
  const payload = Buffer.concat([
    Buffer.from([20]),
    Buffer.alloc(16, 7),
    nameList(['curve25519-sha256', 'kex-strict-c-v00@openssh.com']),
    nameList(['ssh-ed25519']),
    nameList(['aes128-gcm@openssh.com']),
    nameList(['aes128-gcm@openssh.com']),
    nameList(['hmac-sha2-256-etm@openssh.com']),
    nameList(['hmac-sha2-256-etm@openssh.com']),
    nameList(['none']),
    nameList(['none']),
    nameList([]),
    nameList([]),
    Buffer.from([0, 0, 0, 0, 0]),
  ]);
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length + padding);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

const TOKENS = ['SSH-2.0-', 'SSH-1.99-', '\r\n', '\n', '\x00', '\xff\xff\xff\xff', '\x00\x00\x88\xb8', ',', 'curve25519-sha256', '\x14'];

async function oneConnection(seed: number): Promise<void> {
  const rand = prng(seed);
  const client = new ByteClient(await ByteClient.connectTo(fx.served.port));
  try {
    const ident = await client.line(5000);
    assert.match(ident, /^SSH-2\.0-Septet/, `seed ${seed}`);
    const shape = int(rand, 4);
    const banner = Buffer.from('SSH-2.0-fuzz_1.0\r\n');
    let input: Buffer;
    if (shape === 0) input = mutate(rand, banner, TOKENS);
    else if (shape === 1) input = Buffer.concat([banner, mutate(rand, kexinit(), TOKENS)]);
    else if (shape === 2) input = Buffer.concat([mutate(rand, banner, TOKENS), kexinit()]);
    else input = Buffer.concat([banner, Buffer.from(Array.from({ length: 1 + int(rand, 600) }, () => int(rand, 256)))]);
    // In pieces, as a slow or odd client would send it.
    for (let at = 0; at < input.length; ) {
      const n = 1 + int(rand, pick(rand, [1, 7, 64, 4096]));
      client.write(input.subarray(at, at + n));
      at += n;
    }
    // Closed for the bad input, or, for input that is only incomplete, by the login deadline.
    await client.closedByServer(8000);
  } finally {
    client.destroy();
  }
}

test('mutated identification lines and KEXINIT packets: every connection is closed, the server keeps serving', async () => {
  for (let batch = 0; batch < 4; batch++) {
    const seeds = Array.from({ length: 10 }, (_, i) => 1000 + batch * 10 + i);
    await Promise.all(seeds.map((seed) => oneConnection(seed)));
    const client = await fx.connect();
    client.end();
  }
});
