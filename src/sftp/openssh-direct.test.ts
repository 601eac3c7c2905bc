// OpenSSH's own sftp client (Debian's openssh-client) against the engine without SSH:
// `sftp -D program` speaks SFTP to a local program over its stdin and stdout, here
// src/sftp/testing/stdio-server.ts serving a temporary home. Every command below is
// what a user types; the checks look at the files on disk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, stat, readlink, utimes, truncate, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const SERVER = resolve(import.meta.dirname, 'testing/stdio-server.ts');

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

function sftp(home: string, batch: string, o: { args?: string[]; cwd?: string; quota?: number; env?: Record<string, string> } = {}): Promise<Run> {
  const server = `${process.execPath} ${SERVER} ${home}${o.quota !== undefined ? ` ${o.quota}` : ''}`;
  return new Promise((done) => {
    const child = execFile('/usr/bin/sftp', [...(o.args ?? []), '-b', '-', '-D', server], { cwd: o.cwd, env: { ...process.env, ...o.env }, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
    );
    child.stdin!.end(batch);
  });
}

async function fixture() {
  const base = await mkdtemp(join(tmpdir(), 'sftp-d-'));
  const home = join(base, 'home');
  const local = join(base, 'local');
  await mkdir(home);
  await mkdir(local);
  return { base, home, local };
}

test('put and get keep every octet; ls -l shows long names', async () => {
  const { home, local } = await fixture();
  const data = randomBytes(3 * 1024 * 1024 + 17);
  await writeFile(join(local, 'up.bin'), data);
  const r = await sftp(home, 'put up.bin\nls -l\nget up.bin down.bin\n', { cwd: local });
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await readFile(join(home, 'up.bin'))).equals(data));
  assert.ok((await readFile(join(local, 'down.bin'))).equals(data));
  assert.match(r.stdout, new RegExp(`^-rw------- +1 tester +tester +${data.length} \\w{3} [ \\d]\\d \\d\\d:\\d\\d up\\.bin$`, 'm'));
});

test('reput and reget resume where the other side stopped', async () => {
  const { home, local } = await fixture();
  const data = randomBytes(2 * 1024 * 1024);
  // The parts already there are zeros: after a resume they are still zeros, so the
  // files show that only the rest was sent.
  await writeFile(join(local, 'a.bin'), data);
  await writeFile(join(home, 'a.bin'), Buffer.alloc(700_000));
  await writeFile(join(home, 'b.bin'), data);
  await writeFile(join(local, 'b.bin'), Buffer.alloc(300_001));
  const r = await sftp(home, 'reput a.bin\nreget b.bin\n', { cwd: local });
  assert.equal(r.code, 0, r.stderr);
  const expect = (zeros: number) => Buffer.concat([Buffer.alloc(zeros), data.subarray(zeros)]);
  assert.ok((await readFile(join(home, 'a.bin'))).equals(expect(700_000)));
  assert.ok((await readFile(join(local, 'b.bin'))).equals(expect(300_001)));
});

test('put -p and get -p keep modification times (a mirror keeps the source\'s times)', async () => {
  const { home, local } = await fixture();
  await writeFile(join(local, 'old.txt'), 'old');
  await utimes(join(local, 'old.txt'), 1_000_000_000, 1_100_000_000);
  await writeFile(join(home, 'remote.txt'), 'remote');
  await utimes(join(home, 'remote.txt'), 1_200_000_000, 1_300_000_000);
  const r = await sftp(home, 'put -p old.txt\nget -p remote.txt\n', { cwd: local });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(Math.floor((await stat(join(home, 'old.txt'))).mtimeMs / 1000), 1_100_000_000);
  assert.equal(Math.floor((await stat(join(local, 'remote.txt'))).mtimeMs / 1000), 1_300_000_000);
});

test('mkdir, rename, ln -s, chmod, rm, rmdir, df; refusals reach the user', async () => {
  const { home, local } = await fixture();
  await writeFile(join(local, 'f.txt'), 'file');
  const batch = [
    'mkdir d', 'put f.txt d/f.txt', 'rename d/f.txt d/g.txt', 'ln -s d/g.txt link', 'chmod 400 d/g.txt', 'df', 'put f.txt other',
    // -l: the v3 RENAME, which refuses to overwrite; plain rename is posix-rename@openssh.com.
    '-rename -l other d/g.txt', '-rmdir d', '-ln -s /../../etc/passwd evil', '-mkdir d', 'rename other d/h.txt', 'ls -l d', '',
  ].join('\n');
  const r = await sftp(home, batch, { cwd: local });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await readFile(join(home, 'd/g.txt'), 'utf8'), 'file');
  assert.equal(await readFile(join(home, 'd/h.txt'), 'utf8'), 'file');
  assert.equal(await readlink(join(home, 'link')), 'd/g.txt');
  // A file keeps its owner's rw (the quota walk and the owner must still reach it): 400 gives 600.
  assert.equal((await stat(join(home, 'd/g.txt'))).mode & 0o777, 0o600);
  // df uses statvfs@openssh.com: the client prints this table only when the server has it.
  assert.match(r.stdout, /Size +Used +Avail +\(root\) +%Capacity/);
  // OpenSSH's client prints the status code's own text, not the server's message.
  assert.match(r.stderr, /remote rename "\/other" to "\/d\/g.txt": Failure/);
  assert.match(r.stderr, /remote rmdir "\/d": Failure/);
  assert.match(r.stderr, /remote symlink .*"\/evil": Permission denied/);
  assert.match(r.stderr, /remote mkdir "\/d": Failure/);
  assert.match(r.stdout, /^-rw------- .* g\.txt$/m);
  const r2 = await sftp(home, 'rm link\nrm d/g.txt\nrm d/h.txt\nrmdir d\nls\n', { cwd: local });
  assert.equal(r2.code, 0, r2.stderr);
  await assert.rejects(stat(join(home, 'd')));
});

test('sftp -f asks for fsync after each put and the server answers it', async () => {
  const { home, local } = await fixture();
  await writeFile(join(local, 's.txt'), 'synced');
  const r = await sftp(home, 'put s.txt\n', { cwd: local, args: ['-f', '-vvv'] });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Sent message fsync@openssh\.com I:\d+/);
  // The client reports a failed fsync ("remote fsync: ..."); an answered one is silent.
  assert.doesNotMatch(r.stderr, /remote fsync/i);
  const plain = await sftp(home, 'put s.txt s2.txt\n', { cwd: local, args: ['-vvv'] });
  assert.doesNotMatch(plain.stderr, /Sent message fsync/, 'no fsync without -f');
  assert.equal(await readFile(join(home, 's.txt'), 'utf8'), 'synced');
});

test('the client uses large requests from limits@openssh.com and sees the quota refusal', async () => {
  const { home, local } = await fixture();
  await writeFile(join(local, 'big.bin'), randomBytes(600_000));
  const r = await sftp(home, 'put big.bin\n', { cwd: local, args: ['-vvv'], quota: 500_000 });
  assert.match(r.stderr, /server upload\/download buffer sizes 261120 \/ 261120/);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /write remote "\/big\.bin": Failure/);
  const size = (await stat(join(home, 'big.bin'))).size;
  assert.ok(size <= 500_000, `stored ${size}`);
  await truncate(join(home, 'big.bin'), 0);
});
