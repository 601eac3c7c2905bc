// The data directory is owner-only and the service user's (issue 9): `septet user add`
// before the first start, delivered message bodies, the repair of a loosened mode at
// start, exit 73 for a data directory the service user cannot reach, and TFTP served
// only after the privilege drop. Run as root (as CI does) it covers the drop too.
// Offsets 17000-17900.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertRunAsRoot, prepareSeptet, python, removeDir, runCli, uidOf, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
const root = process.getuid?.() === 0;

/** Every path under `dir` (itself included) with its mode and owner. */
async function tree(dir: string): Promise<{ path: string; dir: boolean; mode: number; uid: number }[]> {
  const info = await lstat(dir);
  const out = [{ path: dir, dir: info.isDirectory(), mode: info.mode & 0o7777, uid: info.uid }];
  if (!info.isDirectory()) return out;
  for (const name of await readdir(dir)) out.push(...(await tree(join(dir, name))));
  return out;
}

/** Paths that are not owner-only (0700 folders, 0600 files) or not `uid`'s. */
function notPrivate(entries: Awaited<ReturnType<typeof tree>>, uid: number): string[] {
  return entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600) || e.uid !== uid).map((e) => `${e.path} ${e.mode.toString(8)} uid ${e.uid}`);
}

const sendMail = (port: number, to: string, subject: string) =>
  python(
    `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
# larger than store.inline_body_bytes, so the body is a file in blobs/ (small ones live in septet.db)
s.sendmail('bob@elsewhere.test', [sys.argv[2]], 'From: bob@elsewhere.test\\r\\nSubject: ' + sys.argv[3] + '\\r\\n\\r\\n' + 'private body\\r\\n' * 6000)
s.quit()
`,
    [String(port), to, subject],
  );

async function blobFiles(dataDir: string): Promise<string[]> {
  return (await tree(join(dataDir, 'blobs'))).filter((e) => !e.dir).map((e) => e.path);
}

describe('the data directory', () => {
  let server: SeptetProcess;
  let serviceUid: number;
  before(async () => {
    server = await prepareSeptet({ offset: 17000, toml: '[relay]\nenabled = false' });
  });
  after(async () => {
    await server?.stop();
  });

  test('`septet user add` before the first start leaves every folder 0700 and every file 0600, the service user\'s', async () => {
    const added = await server.cli(['user', 'add', 'alice@data.test', '--password', 'alicepw']);
    assert.equal(added.code, 0, added.stderr);
    // As root the CLI acts as the service user (run_as, created if missing), as start would.
    serviceUid = root ? await uidOf('septet') : process.getuid!();
    const entries = await tree(server.dataDir);
    assert.ok(entries.some((e) => e.path.endsWith('septet.db')));
    assert.ok(entries.length > 256, 'the blob fan-out folders are there');
    assert.deepEqual(notPrivate(entries, serviceUid), []);
  });

  test('a delivered message body is 0600 and the service user\'s; nothing in the data directory is looser', async () => {
    await server.start();
    await sendMail(server.port('smtp'), 'alice@data.test', 'first');
    const blobs = await blobFiles(server.dataDir);
    assert.equal(blobs.length, 1);
    assert.deepEqual(notPrivate(await tree(server.dataDir), serviceUid), []);
  });

  test('FTP uploads and folders in the home folder are 0600 and 0700 (as vsftpd\'s local_umask 077); SITE CHMOD keeps them owner-only', async () => {
    await python(
      `
import ftplib, io, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login('alice@data.test', 'alicepw')
ftp.mkd('docs')
ftp.storbinary('STOR docs/notes.txt', io.BytesIO(b'private notes\\n'))
ftp.sendcmd('SITE CHMOD 0644 docs/notes.txt')
ftp.sendcmd('SITE CHMOD 0600 docs')
ftp.cwd('docs')
ftp.quit()
`,
      [String(server.port('ftp'))],
    );
    const home = join(server.dataDir, 'home', 'alice@data.test');
    assert.equal((await lstat(join(home, 'docs', 'notes.txt'))).mode & 0o7777, 0o600);
    assert.equal((await lstat(join(home, 'docs'))).mode & 0o7777, 0o700, 'a folder keeps rwx for its owner (src/files/modes.ts)');
    assert.deepEqual(notPrivate(await tree(server.dataDir), serviceUid), []);
  });

  test('start repairs a file chmod 0644 and a folder 0755, and logs each path', async () => {
    assert.equal(await server.stop(), 0);
    const [blob] = await blobFiles(server.dataDir);
    const db = join(server.dataDir, 'septet.db');
    await chmod(blob!, 0o644);
    await chmod(db, 0o644);
    await chmod(join(server.dataDir, 'blobs'), 0o755);
    server.output = '';
    await server.start();
    for (const [path, change] of [[blob!, '0644 → 0600'], [db, '0644 → 0600'], [join(server.dataDir, 'blobs'), '0755 → 0700']] as const) {
      assert.ok(server.output.includes(`"data directory: mode ${change}: ${path}"`), `no line for ${path} in:\n${server.output}`);
    }
    // SQLite gave the -wal and -shm it made at this start the database's 0644: repaired too.
    assert.match(server.output, /"data directory: tightened \d+ mode\(s\), changed 0 owner\(s\)"/);
    assert.deepEqual(notPrivate(await tree(server.dataDir), serviceUid), []);
    // And the server still works on what it repaired.
    await sendMail(server.port('smtp'), 'alice@data.test', 'second');
    assert.equal((await blobFiles(server.dataDir)).length, 2);
  });

  test('TFTP answers as the service user: a file only root can read is refused, others are served', async () => {
    const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
    assert.equal(Number(/^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)![3]), serviceUid, 'saved uid: root is gone for good');
    const tftpRoot = join(server.dataDir, 'tftp');
    assert.equal((await lstat(tftpRoot)).mode & 0o777, 0o700);
    await writeFile(join(tftpRoot, 'public.bin'), 'for everyone\n', { mode: 0o644 });
    await writeFile(join(tftpRoot, 'secret.bin'), 'root only\n', { mode: 0o600 });
    // Made by this test (root when CI runs it): a file the service user cannot open.
    if (!root) await chmod(join(tftpRoot, 'secret.bin'), 0o000);
    const dir = await mkdtemp(join(tmpdir(), 'septet-tftp-'));
    const get = (name: string) =>
      execFileP('tftp', ['-m', 'octet', '127.0.0.1', String(server.port('tftp')), '-c', 'get', name, join(dir, name)], { timeout: 30_000 }).then(
        (r) => r.stdout + r.stderr,
        (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
      );
    await get('public.bin');
    assert.equal(await readFile(join(dir, 'public.bin'), 'utf8'), 'for everyone\n');
    assert.match(await get('secret.bin'), /Error code 2/, 'access violation: the server does not read it as root');
    await removeDir(dir);
  });
});

describe('a data directory the service user cannot reach', () => {
  test('start exits 73 (EX_CANTCREAT) before "ready", naming the folder and the fix', async () => {
    assertRunAsRoot('the privilege drop in front of an unreachable data directory');
    // The parent is root's and 0700: root can make everything in it, the service user cannot pass.
    const parent = await mkdtemp(join(tmpdir(), 'septet-closed-'));
    await chmod(parent, 0o700);
    await chown(parent, 0, 0);
    const dataDir = join(parent, 'data');
    await mkdir(dataDir);
    const server = await prepareSeptet({ offset: 17100, dataDir });
    try {
      const result = await runCli(['start', '--data', dataDir, '--config', server.configFile, '--listen', '127.0.0.1', '--port-offset', '17100']);
      assert.equal(result.code, 73, result.stderr + result.stdout);
      assert.doesNotMatch(result.stdout, /septet ready/);
      assert.ok(result.stderr.includes(`septet cannot create, write and rename files in the data directory ${dataDir} (EACCES)`), result.stderr);
      assert.ok(result.stderr.includes(`cannot pass through ${parent} (mode 0700, owner uid 0); allow it (chmod o+x ${parent})`), result.stderr);
    } finally {
      await removeDir(parent);
    }
  });
});
