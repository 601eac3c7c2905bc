// Seeded fuzzing of the SFTP framing and request parsing: valid request streams with a
// few random edits, fed in random splits. Every reply must be a well-formed packet the
// client can parse, the session must end cleanly (exit status 0 or 1), nothing may
// throw, and nothing may leave the home. Replay a failure with its seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int, mutate, prng } from '../core/testing/prng.ts';
import { FXP, PFLAG } from './wire.ts';
import { packet, parseReply, SftpTestClient } from './testing/pair.ts';

const REPLY_TYPES = new Set<number>([FXP.VERSION, FXP.STATUS, FXP.HANDLE, FXP.DATA, FXP.NAME, FXP.ATTRS, FXP.EXTENDED_REPLY]);
const TOKENS = ['\0', '..', '/../', '\xff\xff\xff\xff', '\x00\x00\x00\x00', '\x00\x04\x00\x00', '\x80\x00\x00\x00', 'limits@openssh.com', '/etc/passwd'];

function requestStream(rand: () => number): Buffer {
  const reqs = [
    packet(FXP.INIT, 3),
    packet(FXP.OPEN, 1, '/f', PFLAG.READ | PFLAG.WRITE | PFLAG.CREAT, { attrs: { permissions: 0o644 } }),
    packet(FXP.WRITE, 2, '1', 0n, 'some data'),
    packet(FXP.READ, 3, '1', 0n, 100),
    packet(FXP.FSTAT, 4, '1'),
    packet(FXP.SETSTAT, 5, '/f', { attrs: { size: 3, mtime: 1000 } }),
    packet(FXP.OPENDIR, 6, '/'),
    packet(FXP.READDIR, 7, '2'),
    packet(FXP.CLOSE, 8, '2'),
    packet(FXP.STAT, 9, '/d/../f'),
    packet(FXP.LSTAT, 10, 'f'),
    packet(FXP.REALPATH, 11, '.'),
    packet(FXP.MKDIR, 12, '/n', { attrs: {} }),
    packet(FXP.RENAME, 13, '/f', '/g'),
    packet(FXP.SYMLINK, 14, 'g', '/l'),
    packet(FXP.READLINK, 15, '/l'),
    packet(FXP.EXTENDED, 16, 'statvfs@openssh.com', '/'),
    packet(FXP.EXTENDED, 17, 'posix-rename@openssh.com', '/g', '/f'),
    packet(FXP.REMOVE, 18, '/l'),
    packet(FXP.RMDIR, 19, '/n'),
    packet(FXP.CLOSE, 20, '1'),
  ];
  const picked = [reqs[0]!];
  for (let i = 0, n = 3 + int(rand, 12); i < n; i++) picked.push(reqs[1 + int(rand, reqs.length - 1)]!);
  return Buffer.concat(picked);
}

test('mutated request streams give well-formed replies and a clean end (seeded)', async () => {
  const base = await mkdtemp(join(tmpdir(), 'sftp-fuzz-'));
  const outsideMarker = join(base, 'outside');
  await writeFile(outsideMarker, 'x');
  for (let seed = 1; seed <= 250; seed++) {
    const rand = prng(seed);
    const home = join(base, `h${seed}`);
    await mkdir(home);
    const c = await SftpTestClient.start({ home, quota: 1 << 20 });
    const input = mutate(rand, requestStream(rand), TOKENS);
    for (let at = 0; at < input.length; ) {
      const n = 1 + int(rand, 64);
      c.send(input.subarray(at, at + n));
      at += n;
    }
    c.input.end();
    for (;;) {
      const p = await c.next(10_000);
      if (p === null) break;
      assert.ok(REPLY_TYPES.has(p.type), `seed ${seed}: reply type ${p.type}`);
      if (p.type !== FXP.VERSION) assert.doesNotThrow(() => parseReply(p), `seed ${seed}`);
    }
    await c.done;
    assert.ok(c.exitStatus === 0 || c.exitStatus === 1, `seed ${seed}: exit ${c.exitStatus}`);
  }
  // Nothing was made beside the homes.
  const left = (await readdir(base)).filter((n) => !n.startsWith('h'));
  assert.deepEqual(left, ['outside']);
});
