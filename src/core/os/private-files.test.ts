import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createPrivateFile, makePrivateDir, makePrivateDirs, secureTree } from './private-files.ts';

const modeOf = async (path: string) => (await lstat(path)).mode & 0o7777;

/** A logger whose lines land in an array. */
function capturingLogger(): { log: pino.Logger; lines: { msg: string; path?: string }[] } {
  const lines: { msg: string; path?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

/** Runs `body` with umask 0, so only the modes given at creation count. */
async function withUmask0(body: () => Promise<void>): Promise<void> {
  const saved = process.umask(0);
  try {
    await body();
  } finally {
    process.umask(saved);
  }
}

test('makePrivateDir, makePrivateDirs and createPrivateFile are owner-only whatever the umask', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'septet-private-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  await withUmask0(async () => {
    await makePrivateDir(join(base, 'outside', 'data'));
    await makePrivateDirs(join(base, 'outside', 'data', 'blobs', '00'));
    await createPrivateFile(join(base, 'outside', 'data', 'septet.db'));
  });
  // The parent outside the data directory stays passable; everything inside is private.
  assert.equal(await modeOf(join(base, 'outside')), 0o755);
  assert.equal(await modeOf(join(base, 'outside', 'data')), 0o700);
  assert.equal(await modeOf(join(base, 'outside', 'data', 'blobs')), 0o700);
  assert.equal(await modeOf(join(base, 'outside', 'data', 'blobs', '00')), 0o700);
  assert.equal(await modeOf(join(base, 'outside', 'data', 'septet.db')), 0o600);
  // An existing file or folder is left as it is (secureTree repairs it).
  await writeFile(join(base, 'outside', 'data', 'septet.db'), 'kept');
  await createPrivateFile(join(base, 'outside', 'data', 'septet.db'));
  await makePrivateDir(join(base, 'outside', 'data'));
  assert.equal((await stat(join(base, 'outside', 'data', 'septet.db'))).size, 4);
});

test('secureTree strips group and other bits everywhere, logs each path, leaves symlinks and their targets alone', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'septet-private-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const data = join(base, 'data');
  await mkdir(join(data, 'home', 'a@x.test', 'deep', 'er'), { recursive: true });
  await writeFile(join(data, 'septet.db'), '');
  await writeFile(join(data, 'home', 'a@x.test', 'deep', 'er', 'script.sh'), '#!/bin/sh\n');
  await writeFile(join(base, 'outside.txt'), 'not ours');
  await chmod(join(base, 'outside.txt'), 0o644);
  await symlink(join(base, 'outside.txt'), join(data, 'home', 'a@x.test', 'link'));
  await chmod(data, 0o755);
  await chmod(join(data, 'septet.db'), 0o644);
  await chmod(join(data, 'home'), 0o751);
  await chmod(join(data, 'home', 'a@x.test'), 0o700); // already private
  await chmod(join(data, 'home', 'a@x.test', 'deep'), 0o777);
  await chmod(join(data, 'home', 'a@x.test', 'deep', 'er'), 0o755);
  await chmod(join(data, 'home', 'a@x.test', 'deep', 'er', 'script.sh'), 0o4755);

  const { log, lines } = capturingLogger();
  const result = await secureTree(data, { log });
  assert.deepEqual(result, { modes: 6, owners: 0, failed: 0 });
  assert.equal(await modeOf(data), 0o700);
  assert.equal(await modeOf(join(data, 'septet.db')), 0o600);
  assert.equal(await modeOf(join(data, 'home')), 0o700);
  assert.equal(await modeOf(join(data, 'home', 'a@x.test', 'deep')), 0o700);
  assert.equal(await modeOf(join(data, 'home', 'a@x.test', 'deep', 'er')), 0o700);
  // Owner bits (execute, setuid) are the owner's business; only group/other go.
  assert.equal(await modeOf(join(data, 'home', 'a@x.test', 'deep', 'er', 'script.sh')), 0o4700);
  assert.equal(await modeOf(join(base, 'outside.txt')), 0o644, 'a symlink is not followed');
  assert.ok(lines.some((l) => l.path === join(data, 'septet.db') && l.msg.includes('mode 0644 → 0600')), JSON.stringify(lines));
  assert.equal(lines.filter((l) => l.path !== undefined).length, 6);
  assert.match(lines.at(-1)!.msg, /tightened 6 mode\(s\), changed 0 owner\(s\)/);

  // A second walk finds nothing to do and says nothing.
  const { log: quiet, lines: none } = capturingLogger();
  assert.deepEqual(await secureTree(data, { log: quiet }), { modes: 0, owners: 0, failed: 0 });
  assert.deepEqual(none, []);
});

test('secureTree lists the first ten paths, then only counts', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'septet-private-'));
  t.after(() => rm(data, { recursive: true, force: true }));
  for (let i = 0; i < 300; i++) await writeFile(join(data, `f${i}`), '', { mode: 0o644 });
  await chmod(data, 0o700);
  await withUmask0(async () => {
    for (let i = 0; i < 300; i++) await chmod(join(data, `f${i}`), 0o664);
  });
  const { log, lines } = capturingLogger();
  assert.deepEqual(await secureTree(data, { log }), { modes: 300, owners: 0, failed: 0 });
  assert.equal(lines.filter((l) => l.path !== undefined).length, 10);
  assert.match(lines.at(-1)!.msg, /tightened 300 mode\(s\).*the first 10 are listed above/);
});

test('secureTree as root hands every path to the owner, links too but not their targets; not root, it counts the failures', async (t) => {
  const root = process.getuid?.() === 0;
  const base = await mkdtemp(join(tmpdir(), 'septet-private-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const data = join(base, 'data');
  await makePrivateDirs(join(data, 'blobs', '00'));
  await createPrivateFile(join(data, 'septet.db'));
  await writeFile(join(base, 'target'), '');
  await symlink(join(base, 'target'), join(data, 'link'));
  const nobody = { uid: 65534, gid: 65534 };
  const result = await secureTree(data, { owner: nobody });
  if (!root) {
    assert.deepEqual(result, { modes: 0, owners: 0, failed: 5 });
    return;
  }
  assert.deepEqual(result, { modes: 0, owners: 5, failed: 0 });
  for (const path of [data, join(data, 'blobs'), join(data, 'blobs', '00'), join(data, 'septet.db'), join(data, 'link')]) {
    assert.equal((await lstat(path)).uid, 65534, path);
  }
  assert.equal((await lstat(join(base, 'target'))).uid, 0);
});
