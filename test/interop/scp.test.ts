// OpenSSH's scp against the running server: the legacy protocol (`scp -O`, our
// src/scp/ engine on an exec channel) both ways, several files, trees with -r, -p
// keeping times, errors with scp's own messages; and modern scp (OpenSSH 9: SFTP,
// our src/sftp/ engine) both ways and recursive. Password login through SSH_ASKPASS;
// a file written by scp is in the same home FTP serves.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareSeptet, type SeptetProcess } from './harness.ts';

const OFFSET = 4300;
const USER = 'ann@scp.test';
const PASSWORD = 'ann-scp-pw';

let server: SeptetProcess;
let work: string;
let askpass: string;

before(async () => {
  server = await prepareSeptet({ offset: OFFSET });
  await server.addUsers({ [USER]: PASSWORD });
  await server.start();
  work = await mkdtemp(join(tmpdir(), 'septet-scp-interop-'));
  askpass = join(work, 'askpass.sh');
  await writeFile(askpass, `#!/bin/sh\necho '${PASSWORD}'\n`);
  await chmod(askpass, 0o700);
});
after(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const home = () => join(server.dataDir, 'home', USER);

function scp(args: string[]): Promise<{ code: number; stderr: string }> {
  const options = ['-P', String(server.port('ssh')), '-o', `User=${USER}`, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PubkeyAuthentication=no', '-o', 'LogLevel=ERROR'];
  return new Promise((resolve) => {
    execFile('/usr/bin/scp', [...options, ...args], { env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' }, timeout: 60_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr }),
    );
  });
}

const remote = (path: string) => `127.0.0.1:${path}`;

/** Compares contents by size and digest (assert's diff of two large buffers would take gigabytes). */
function sameBytes(actual: Buffer, expected: Buffer, what: string): void {
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  let first = -1;
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) if (actual[i] !== expected[i]) { first = i; break; }
  assert.equal(`${actual.length} ${digest(actual)}`, `${expected.length} ${digest(expected)}`, `${what}: first difference at ${first}`);
}

for (const [name, mode] of [
  ['legacy scp -O', ['-O']],
  ['modern scp (SFTP)', ['-s']],
] as const) {
  describe(name, () => {
    test('a file up and down byte for byte; -p keeps its times', async () => {
      const dir = await mkdtemp(join(work, 'f-'));
      const body = randomBytes(2_000_000);
      await writeFile(join(dir, 'up.bin'), body);
      await utimes(join(dir, 'up.bin'), 1_300_000_000, 1_300_000_100);
      const target = `${mode[0]!.slice(1)}-file.bin`;
      let r = await scp([...mode, '-p', join(dir, 'up.bin'), remote(target)]);
      assert.equal(r.code, 0, r.stderr);
      sameBytes(await readFile(join(home(), target)), body, 'uploaded');
      assert.equal((await stat(join(home(), target))).mtimeMs, 1_300_000_100_000);
      r = await scp([...mode, '-p', remote(target), join(dir, 'down.bin')]);
      assert.equal(r.code, 0, r.stderr);
      sameBytes(await readFile(join(dir, 'down.bin')), body, 'downloaded');
      assert.equal((await stat(join(dir, 'down.bin'))).mtimeMs, 1_300_000_100_000);
    });

    test('a tree with -r both ways, and several files into a folder', async () => {
      const dir = await mkdtemp(join(work, 't-'));
      const tree = join(dir, 'tree');
      await mkdir(join(tree, 'a', 'b'), { recursive: true });
      await writeFile(join(tree, 'top.txt'), 'top');
      await writeFile(join(tree, 'a', 'mid.txt'), 'mid');
      await writeFile(join(tree, 'a', 'b', 'deep.bin'), randomBytes(300_000));
      const folder = `${mode[0]!.slice(1)}-tree`;
      let r = await scp([...mode, '-r', tree, remote(folder)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await readFile(join(home(), folder, 'a', 'mid.txt'), 'utf8'), 'mid');
      r = await scp([...mode, '-r', remote(folder), join(dir, 'back')]);
      assert.equal(r.code, 0, r.stderr);
      sameBytes(await readFile(join(dir, 'back', 'a', 'b', 'deep.bin')), await readFile(join(tree, 'a', 'b', 'deep.bin')), 'tree');
      r = await scp([...mode, join(tree, 'top.txt'), join(tree, 'a', 'mid.txt'), remote(folder)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await readFile(join(home(), folder, 'top.txt'), 'utf8'), 'top');
    });

    test('a missing remote file: status 1 and a message naming it', async () => {
      const dir = await mkdtemp(join(work, 'e-'));
      const r = await scp([...mode, remote('no-such-file'), dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no-such-file/);
    });
  });
}

test('scp -O cannot write outside the home: "../" stops at its root', async () => {
  const dir = await mkdtemp(join(work, 'x-'));
  await writeFile(join(dir, 'esc.txt'), 'esc');
  const r = await scp(['-O', join(dir, 'esc.txt'), remote('../../../esc.txt')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await readFile(join(home(), 'esc.txt'), 'utf8'), 'esc');
  await assert.rejects(stat(join(server.dataDir, 'esc.txt')));
});
