// OpenSSH's own scp (Debian's openssh-client) in legacy mode (-O) against this engine,
// with `-S testing/fake-ssh` in place of ssh: the engine runs on the stdio of the
// "remote command", exactly the bytes an SSH exec channel would carry. Uploads and
// downloads, several files, trees with -r, -p keeping times, and the errors scp prints.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FAKE_SSH = join(import.meta.dirname, 'testing', 'fake-ssh');
const ADDRESS = 'user@example.test';

interface Run {
  code: number;
  stderr: string;
}

function scp(data: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile('/usr/bin/scp', ['-O', '-S', FAKE_SSH, ...args], { env: { ...process.env, SCP_TEST_DATA: data, SCP_TEST_ADDRESS: ADDRESS, SCP_TEST_NODE: process.execPath, ...env } }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr });
    });
  });
}

async function setup(): Promise<{ root: string; data: string; home: string; local: string }> {
  const root = await mkdtemp(join(tmpdir(), 'septet-scp-openssh-'));
  const data = join(root, 'data');
  const home = join(data, 'home', ADDRESS);
  const local = join(root, 'local');
  await mkdir(home, { recursive: true });
  await mkdir(local);
  return { root, data, home, local };
}

test('scp -O: one file up and down, byte for byte, and -p keeps the times both ways', async () => {
  const t = await setup();
  try {
    const body = randomBytes(1_500_000);
    await writeFile(join(t.local, 'f.bin'), body);
    await utimes(join(t.local, 'f.bin'), 1_111_111_111, 1_222_222_222);
    let r = await scp(t.data, ['-p', join(t.local, 'f.bin'), 'host:up.bin']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await readFile(join(t.home, 'up.bin'))).equals(body), 'uploaded bytes');
    assert.equal((await stat(join(t.home, 'up.bin'))).mtimeMs, 1_222_222_222_000);
    r = await scp(t.data, ['-p', 'host:up.bin', join(t.local, 'down.bin')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await readFile(join(t.local, 'down.bin'))).equals(body), 'downloaded bytes');
    assert.equal((await stat(join(t.local, 'down.bin'))).mtimeMs, 1_222_222_222_000);
    // Without -p the upload gets a fresh time.
    r = await scp(t.data, [join(t.local, 'f.bin'), 'host:fresh.bin']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await stat(join(t.home, 'fresh.bin'))).mtimeMs > Date.now() - 60_000);
  } finally {
    await rm(t.root, { recursive: true, force: true });
  }
});

test('scp -O: several files to a folder (-d), several sources down, and a tree with -r both ways', async () => {
  const t = await setup();
  try {
    await writeFile(join(t.local, 'a'), 'A');
    await writeFile(join(t.local, 'b'), 'B');
    await mkdir(join(t.home, 'box'));
    let r = await scp(t.data, [join(t.local, 'a'), join(t.local, 'b'), 'host:box']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(t.home, 'box', 'a'), 'utf8'), 'A');
    assert.equal(await readFile(join(t.home, 'box', 'b'), 'utf8'), 'B');
    await mkdir(join(t.local, 'got'));
    r = await scp(t.data, ['host:box/a', 'host:~/box/b', join(t.local, 'got')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(t.local, 'got', 'b'), 'utf8'), 'B');

    const tree = join(t.local, 'tree');
    await mkdir(join(tree, 'sub', 'deeper'), { recursive: true });
    await writeFile(join(tree, 'one'), 'one');
    await writeFile(join(tree, 'sub', 'space name'), 'two');
    await writeFile(join(tree, 'sub', 'deeper', 'big'), randomBytes(700_000));
    r = await scp(t.data, ['-r', tree, 'host:uploaded']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(t.home, 'uploaded', 'sub', 'space name'), 'utf8'), 'two');
    r = await scp(t.data, ['-r', 'host:uploaded', join(t.local, 'back')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await readFile(join(t.local, 'back', 'sub', 'deeper', 'big'))).equals(await readFile(join(tree, 'sub', 'deeper', 'big'))), 'tree bytes');
    // A remote glob, as a shell would expand it (scp checks the names against the pattern).
    await mkdir(join(t.local, 'globbed'));
    r = await scp(t.data, ['host:uploaded/*e', join(t.local, 'globbed')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(t.local, 'globbed', 'one'), 'utf8'), 'one');
    r = await scp(t.data, ['host:uploaded/sub/space\\ name', join(t.local, 'quoted')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(t.local, 'quoted'), 'utf8'), 'two');
  } finally {
    await rm(t.root, { recursive: true, force: true });
  }
});

test('scp -O: a missing file, a folder without -r, a target that is not a folder, a quota: messages and status 1', async () => {
  const t = await setup();
  try {
    await writeFile(join(t.local, 'a'), 'A');
    await writeFile(join(t.local, 'big'), randomBytes(5000));
    await writeFile(join(t.home, 'plain'), 'x');
    await mkdir(join(t.home, 'folder'));
    let r = await scp(t.data, ['host:missing', t.local]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /scp: missing: No such file or directory/);
    r = await scp(t.data, ['host:folder', t.local]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /scp: folder: not a regular file/);
    r = await scp(t.data, [join(t.local, 'a'), join(t.local, 'big'), 'host:plain']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /scp: plain: Not a directory/);
    r = await scp(t.data, [join(t.local, 'big'), 'host:over'], { SCP_TEST_QUOTA: '4000' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /scp: over: Disk quota exceeded/);
    r = await scp(t.data, [join(t.local, 'a'), 'host:../../escape']);
    assert.equal(r.code, 0, 'the jail clamps ".." at the home');
    assert.equal(await readFile(join(t.home, 'escape'), 'utf8'), 'A');
  } finally {
    await rm(t.root, { recursive: true, force: true });
  }
});
