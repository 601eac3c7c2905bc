// Seeded fuzz of the sink with whole transcripts: random mixes of valid and hostile
// records (escaping names, absurd sizes, stray status lines, truncated data), fed in
// random chunk sizes. Properties: the engine always ends with status 0 or 1, every
// octet it writes is a status (0x00, or 0x01/0x02 and a line), and nothing appears
// outside the home folder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { int, pick, prng } from '../core/testing/prng.ts';
import { scpFixture, statuses } from './test-support.ts';

const NAMES = ['ok', 'a b', '../up', '/abs', 'x/y', '..', '.', 'é', 'n\0ul', 'dir'];

function transcript(rand: () => number): Buffer[] {
  const parts: string[] = [];
  for (let n = 1 + int(rand, 12); n > 0; n--) {
    const r = rand();
    const name = pick(rand, NAMES);
    if (r < 0.35) {
      const size = int(rand, 40);
      parts.push(`C0${pick(rand, ['644', '755', '777', '4755'])} ${size} ${name}\n`, 'z'.repeat(rand() < 0.9 ? size : int(rand, size + 1)), rand() < 0.9 ? '\0' : '\x01oops\n');
    } else if (r < 0.5) parts.push(`D0755 0 ${name}\n`);
    else if (r < 0.6) parts.push('E\n');
    else if (r < 0.7) parts.push(`T${int(rand, 2 ** 31)} 0 ${int(rand, 2 ** 31)} 0\n`);
    else if (r < 0.75) parts.push(`C0644 ${pick(rand, ['99999999999999999999', '9007199254740991', '-1', ''])} big\n`);
    else if (r < 0.8) parts.push('\x01warning from the source\n');
    else if (r < 0.85) parts.push(String.fromCharCode(...Array.from({ length: int(rand, 30) }, () => int(rand, 256))));
    else parts.push(`C0644 3 ${name}\nabc\0`);
  }
  const bytes = Buffer.from(parts.join(''), 'latin1');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + int(rand, 16);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

test('fuzz: hostile sink transcripts end cleanly and write only inside the home', async () => {
  const f = await scpFixture();
  try {
    for (let seed = 1; seed <= 150; seed++) {
      const rand = prng(seed);
      const command = pick(rand, ['scp -t .', 'scp -r -t .', 'scp -r -p -t in', 'scp -d -t .', 'scp -t single']);
      const r = await f.run(command, transcript(rand), { quota: rand() < 0.3 ? 100 : 0 });
      assert.ok(r.status === 0 || r.status === 1, `seed ${seed}: status ${r.status}`);
      for (const s of statuses(r.output)) assert.match(s, /^(0|W:.*|F:.*)$/s, `seed ${seed}`);
      assert.deepEqual(readdirSync(f.dataDir), ['home'], `seed ${seed}`);
      assert.deepEqual(readdirSync(join(f.dataDir, 'home')), ['user@example.test'], `seed ${seed}`);
    }
  } finally {
    await f.cleanup();
  }
});
