// FTP on the running server: the lecture's ftplib example verbatim (only the port
// differs, set on the class), curl and lftp, and Septet's own client, all against
// the same home folder.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { curl, prepareSeptet, python, runCli, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
let server: SeptetProcess;
let work: string;
before(async () => {
  server = await prepareSeptet({ offset: 27000, topLevelToml: 'default_domain = "ftp.test"' });
  assert.equal((await server.cli(['user', 'add', 'user@ftp.test', '--password', 'mypassword'])).code, 0);
  await server.start();
  work = await mkdtemp(join(tmpdir(), 'septet-ftp-'));
});
after(async () => {
  await server?.stop();
});

test("the lecture's ftplib example: LIST and RETR README", async () => {
  const readme = 'Septet README\r\nline two\r\n';
  await python(
    `
import ftplib, io, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login('user', 'mypassword')
ftp.storbinary('STOR README', io.BytesIO(sys.argv[2].encode()))
ftp.quit()
`,
    [String(server.port('ftp')), readme],
  );
  const out = await python(
    `
import ftplib, os, sys
ftplib.FTP.port = int(sys.argv[1])
os.chdir(sys.argv[2])
from ftplib import FTP
HOST = 'localhost'
ftp = FTP(HOST, 'user', 'mypassword')
ftp.retrlines('LIST')
with open('README', 'wb') as fp:
  ftp.retrbinary('RETR README', fp.write)
ftp.quit()
`,
    [String(server.port('ftp')), work],
  );
  assert.match(out, /^-rw.* README$/m, 'LIST in the ls -l form');
  assert.equal(await readFile(join(work, 'README'), 'utf8'), readme);
});

test('curl uploads and downloads over ftp:// (passive and active) and ftps:// with AUTH TLS', async () => {
  const source = join(work, 'upload.bin');
  await writeFile(source, Buffer.alloc(300_000, 7));
  const base = `ftp://127.0.0.1:${server.port('ftp')}`;
  const up = await curl(['-T', source, `${base}/dir%20with%20space/upload.bin`, '--ftp-create-dirs', '-u', 'user@ftp.test:mypassword']);
  assert.equal(up.code, 0, up.stderr);
  const active = await curl([`${base}/dir%20with%20space/upload.bin`, '--ftp-port', '127.0.0.1', '-u', 'user:mypassword', '-o', join(work, 'active.bin')]);
  assert.equal(active.code, 0, active.stderr);
  assert.deepEqual(await readFile(join(work, 'active.bin')), await readFile(source));
  const tls = await curl([`${base}/dir%20with%20space/upload.bin`, '--ssl-reqd', '-k', '-u', 'user:mypassword', '-o', join(work, 'tls.bin')]);
  assert.equal(tls.code, 0, tls.stderr);
  assert.deepEqual(await readFile(join(work, 'tls.bin')), await readFile(source));
  const implicit = await curl([`ftps://127.0.0.1:${server.port('ftps')}/README`, '-k', '-u', 'user:mypassword']);
  assert.equal(implicit.code, 0, implicit.stderr);
  assert.match(implicit.stdout, /Septet README/);
});

test('lftp lists the home folder; no path leaves it', async () => {
  const { stdout } = await execFileP('lftp', ['-e', 'set ssl:verify-certificate no; cls -1; cd ..; cd ..; pwd; cls -1 /; bye', '-u', 'user,mypassword', '-p', String(server.port('ftp')), '127.0.0.1'], { timeout: 60_000 });
  assert.match(stdout, /README/);
  assert.match(stdout, /dir with space/);
  assert.doesNotMatch(stdout, /septet\.db|blobs|etc\//, 'nothing outside the home folder is visible');
});

test("Septet's own client: put and get in MODE B and TYPE E round-trip against the running server", async () => {
  const local = join(work, 'records.txt');
  await writeFile(local, 'first record\nsecond record\n');
  const url = `ftp://user:mypassword@127.0.0.1:${server.port('ftp')}/records.txt`;
  const put = await runCli(['ftp', 'put', local, url, '--mode', 'B', '--type', 'E', '--quiet']);
  assert.equal(put.code, 0, put.stderr);
  const back = join(work, 'records-back.txt');
  const get = await runCli(['ftp', 'get', url, back, '--mode', 'C', '--stru', 'R', '--quiet']);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await readFile(back, 'utf8'), 'first record\nsecond record\n');
});

test('modification times survive a mirror: ftplib MFMT and MDTM with a time argument, lftp mirror -R', async () => {
  const out = await python(
    `
import ftplib, io, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login('user', 'mypassword')
ftp.storbinary('STOR dated.txt', io.BytesIO(b'dated'))
print(ftp.sendcmd('MFMT 20200102030405 dated.txt'))
print(ftp.sendcmd('MDTM dated.txt'))
print(ftp.sendcmd('MDTM 19991231235958 dated.txt'))
print(ftp.sendcmd('MDTM dated.txt'))
try:
  ftp.sendcmd('MFMT 20201301000000 dated.txt')
except ftplib.error_perm as e:
  print('refused', e)
print('MFMT' in ftp.sendcmd('FEAT'))
ftp.quit()
`,
    [String(server.port('ftp'))],
  );
  const lines = out.trim().split('\n');
  assert.equal(lines[0], '213 Modify=20200102030405; dated.txt');
  assert.equal(lines[1], '213 20200102030405');
  assert.equal(lines[2], '213 Modify=19991231235958; dated.txt');
  assert.equal(lines[3], '213 19991231235958');
  assert.match(lines[4]!, /^refused 501 /);
  assert.equal(lines[5], 'True');

  // lftp keeps the source's times when it mirrors a folder up.
  const source = await mkdtemp(join(tmpdir(), 'septet-mirror-'));
  await writeFile(join(source, 'old.txt'), 'from 2015\n');
  const when = new Date(Date.UTC(2015, 5, 7, 8, 9, 10));
  const { utimes } = await import('node:fs/promises');
  await utimes(join(source, 'old.txt'), when, when);
  await execFileP('lftp', ['-e', `set ssl:verify-certificate no; mirror -R ${source} mirrored; bye`, '-u', 'user,mypassword', '-p', String(server.port('ftp')), '127.0.0.1'], { timeout: 60_000 });
  const check = await python(
    `
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login('user', 'mypassword')
print(ftp.sendcmd('MDTM mirrored/old.txt'))
ftp.quit()
`,
    [String(server.port('ftp'))],
  );
  assert.equal(check.trim(), '213 20150607080910');
});
