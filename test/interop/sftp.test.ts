// SFTP on the running server (Septet's SSH server, its own SFTP v3 engine src/sftp/):
// OpenSSH's sftp in batch mode with passwords and an Ed25519 key (curl's sftp:// is refused: see its test), a wrong
// password refused, the quota refusal as sftp shows it, modern scp (which runs over SFTP),
// and the cross-protocol check:
// a file put over SFTP is read back over FTP (python ftplib) and the other way round,
// byte for byte, because both protocols serve the same home folder.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { curl, prepareSeptet, python, type SeptetProcess } from './harness.ts';

const OFFSET = 3100;
let server: SeptetProcess;
let work: string;

before(async () => {
  server = await prepareSeptet({ offset: OFFSET });
  await server.addUsers({ 'alice@example.test': 'alice-secret', 'bob@example.test': 'bob-secret' });
  const q = await server.cli(['user', 'quota', 'bob@example.test', '200000']);
  assert.equal(q.code, 0, q.stderr);
  await server.start();
  work = await mkdtemp(join(tmpdir(), 'sftp-interop-'));
  // SSH_ASKPASS answers the password prompt; the password comes from the environment.
  await writeFile(join(work, 'askpass.sh'), '#!/bin/sh\nprintf "%s\\n" "$SFTP_TEST_PASSWORD"\n');
  await chmod(join(work, 'askpass.sh'), 0o700);
});

after(async () => {
  await server?.stop();
});

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

/** OpenSSH sftp -b with a password (BatchMode=no first: sftp -b adds BatchMode=yes after it). */
function sftp(user: string, password: string, batch: string, args: string[] = []): Promise<Run> {
  const argv = [
    '-o', 'BatchMode=no', '-o', 'NumberOfPasswordPrompts=1', '-o', 'PubkeyAuthentication=no',
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', `User=${user}`, '-P', String(server.port('ssh')), ...args, '-b', '-', '127.0.0.1',
  ];
  return new Promise((done) => {
    const child = execFile('/usr/bin/sftp', argv, {
      cwd: work, timeout: 60_000,
      env: { ...process.env, SSH_ASKPASS: join(work, 'askpass.sh'), SSH_ASKPASS_REQUIRE: 'force', DISPLAY: 'none', SFTP_TEST_PASSWORD: password },
    }, (error, stdout, stderr) => done({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }));
    child.stdin!.end(batch);
  });
}

const home = (user: string) => join(server.dataDir, 'home', user);

test('OpenSSH sftp: put, ls -l, get, mkdir, rename, df, chmod over SSH', async () => {
  const data = randomBytes(5 * 1024 * 1024 + 3);
  await writeFile(join(work, 'up.bin'), data);
  const r = await sftp('alice@example.test', 'alice-secret', 'put up.bin\nls -l\nmkdir d\nrename up.bin d/up.bin\nchmod 400 d/up.bin\nget d/up.bin down.bin\ndf\n');
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await readFile(join(home('alice@example.test'), 'd/up.bin'))).equals(data));
  assert.ok((await readFile(join(work, 'down.bin'))).equals(data));
  // A file keeps its owner's rw (src/sftp/commands/helpers.ts keptMode): chmod 400 gives 600.
  assert.equal((await stat(join(home('alice@example.test'), 'd/up.bin'))).mode & 0o777, 0o600);
  assert.match(r.stdout, /^-rw------- .* 5242883 .* up\.bin$/m);
  assert.match(r.stdout, /Size +Used +Avail +\(root\) +%Capacity/);
});

test('a wrong password is refused', async () => {
  const r = await sftp('alice@example.test', 'wrong', 'ls\n');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Permission denied|Connection closed/);
});

// Debian 12's curl uses libssh2 1.10, which has neither AES-GCM nor chacha20-poly1305, the
// only ciphers the server offers (issue 12: modern algorithms only). It is refused at the
// key exchange, cleanly; with a libssh2 of 1.11 or later (AES-GCM) curl sftp:// would pass.
test('curl sftp:// with libssh2 1.10 (no AEAD cipher) is refused cleanly at key exchange', async () => {
  const r = await curl(['--insecure', '-u', 'alice@example.test:alice-secret', `sftp://127.0.0.1:${server.port('ssh')}/`]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /Unable to exchange encryption keys/);
  // The server is still there for the next client.
  const after = await sftp('alice@example.test', 'alice-secret', 'pwd\n');
  assert.equal(after.code, 0, after.stderr);
});

test('a file put over SFTP is read back over FTP, and the other way round, byte for byte', async () => {
  const viaSftp = randomBytes(1_234_567);
  await writeFile(join(work, 'cross.bin'), viaSftp);
  const put = await sftp('alice@example.test', 'alice-secret', 'put cross.bin\n');
  assert.equal(put.code, 0, put.stderr);
  const viaFtp = randomBytes(987_654);
  await writeFile(join(work, 'from-ftp.bin'), viaFtp);
  await python(
    `
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login('alice@example.test', 'alice-secret')
with open(sys.argv[2], 'wb') as f:
    ftp.retrbinary('RETR cross.bin', f.write)
with open(sys.argv[3], 'rb') as f:
    ftp.storbinary('STOR from-ftp.bin', f)
ftp.quit()
`,
    [String(server.port('ftp')), join(work, 'cross-ftp.bin'), join(work, 'from-ftp.bin')],
  );
  assert.ok((await readFile(join(work, 'cross-ftp.bin'))).equals(viaSftp));
  const get = await sftp('alice@example.test', 'alice-secret', 'get from-ftp.bin from-ftp-sftp.bin\n');
  assert.equal(get.code, 0, get.stderr);
  assert.ok((await readFile(join(work, 'from-ftp-sftp.bin'))).equals(viaFtp));
});

test('the quota refuses an upload past it, and sftp says so', async () => {
  await writeFile(join(work, 'q.bin'), randomBytes(300_000));
  const r = await sftp('bob@example.test', 'bob-secret', 'put q.bin\n');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /write remote "\/q\.bin": Failure/);
  const stored = await stat(join(home('bob@example.test'), 'q.bin')).catch(() => null);
  assert.ok((stored?.size ?? 0) <= 200_000, `stored ${stored?.size}`);
});

test('paths cannot leave the home: .. stops at it, links out are refused', async () => {
  const r = await sftp('alice@example.test', 'alice-secret', 'cd /../../..\npwd\n-get /../../etc/passwd pw\n-ln -s /../../../etc/passwd evil\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Remote working directory: \/$/m);
  assert.match(r.stderr, /No such file|not found/i);
  assert.match(r.stderr, /Permission denied/);
  await assert.rejects(readFile(join(work, 'pw')));
});

/** OpenSSH scp without -O: it runs over the SFTP subsystem (OpenSSH 9), so it is this engine's client too. */
function scp(args: string[]): Promise<Run> {
  const argv = [
    '-o', 'BatchMode=no', '-o', 'NumberOfPasswordPrompts=1', '-o', 'PubkeyAuthentication=no',
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'User=alice@example.test', '-P', String(server.port('ssh')), ...args,
  ];
  return new Promise((done) => {
    execFile('/usr/bin/scp', argv, {
      cwd: work, timeout: 60_000,
      env: { ...process.env, SSH_ASKPASS: join(work, 'askpass.sh'), SSH_ASKPASS_REQUIRE: 'force', DISPLAY: 'none', SFTP_TEST_PASSWORD: 'alice-secret' },
    }, (error, stdout, stderr) => done({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }));
  });
}

test('modern scp (over SFTP): up, down, ~ paths, -r -p; it ends with exit status 0', async () => {
  const data = randomBytes(333_333);
  await writeFile(join(work, 's.bin'), data);
  let r = await scp(['s.bin', '127.0.0.1:~/scp-up.bin']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await readFile(join(home('alice@example.test'), 'scp-up.bin'))).equals(data));
  r = await scp(['127.0.0.1:scp-up.bin', join(work, 'scp-down.bin')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await readFile(join(work, 'scp-down.bin'))).equals(data));
  const { mkdir, utimes } = await import('node:fs/promises');
  await mkdir(join(work, 'tree/sub'), { recursive: true });
  await writeFile(join(work, 'tree/sub/leaf.txt'), 'leaf');
  await utimes(join(work, 'tree/sub/leaf.txt'), 1_111_111_111, 1_222_222_222);
  r = await scp(['-r', '-p', 'tree', '127.0.0.1:']);
  assert.equal(r.code, 0, r.stderr);
  const leaf = join(home('alice@example.test'), 'tree/sub/leaf.txt');
  assert.equal(await readFile(leaf, 'utf8'), 'leaf');
  assert.equal(Math.floor((await stat(leaf)).mtimeMs / 1000), 1_222_222_222);
});

test('public-key login (ssh-keygen Ed25519 added with septet ssh key add): sftp -b in BatchMode', async () => {
  const key = join(work, 'id_ed25519');
  await new Promise<void>((done, fail) =>
    execFile('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sftp-test', '-f', key], (error) => (error ? fail(error) : done())),
  );
  const added = await server.cli(['ssh', 'key', 'add', 'alice@example.test', `${key}.pub`]);
  assert.equal(added.code, 0, added.stderr);
  await writeFile(join(work, 'k.txt'), 'by key');
  const r = await new Promise<Run>((done) => {
    const child = execFile('/usr/bin/sftp', [
      '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'LogLevel=ERROR', '-o', 'User=alice@example.test', '-P', String(server.port('ssh')), '-b', '-', '127.0.0.1',
    ], { cwd: work, timeout: 60_000 }, (error, stdout, stderr) => done({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }));
    child.stdin!.end('put k.txt\n');
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await readFile(join(home('alice@example.test'), 'k.txt'), 'utf8'), 'by key');
});
