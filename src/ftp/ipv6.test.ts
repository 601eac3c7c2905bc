// RFC 2428 over IPv6: the handler on ::1, driven by curl (EPSV by default, EPRT with
// --ftp-port) and python3's ftplib (which picks EPSV/EPRT by itself on an AF_INET6
// connection). Each transfer is checked byte for byte, and the client's own trace
// shows which command set up the data connection.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { FtpFixture, PASSWORD } from './test-support.ts';

const run = promisify(execFile);
let f: FtpFixture;
let work: string;
const payload = randomBytes(700_000);
before(async () => {
  f = await FtpFixture.start({ host: '::1' });
  (await f.login()).destroy();
  await writeFile(join(f.home, 'payload.bin'), payload);
  work = await mkdtemp(join(tmpdir(), 'septet-ftp-ipv6-'));
});
after(async () => {
  await f.close();
  await rm(work, { recursive: true, force: true });
});

async function curl(args: string[]): Promise<string> {
  const { stderr } = await run('curl', ['-sS', '-v', '-g', '-u', `user:${PASSWORD}`, ...args], { timeout: 30_000 });
  return stderr;
}

describe('EPSV and EPRT over IPv6 (RFC 2428)', () => {
  it('curl downloads through EPSV (229 |||port|) from [::1]', async () => {
    const out = join(work, 'epsv.bin');
    const trace = await curl([`ftp://[::1]:${f.port}/payload.bin`, '-o', out]);
    assert.match(trace, /^> EPSV/m);
    assert.match(trace, /^< 229 Entering Extended Passive Mode \(\|\|\|\d+\|\)/m);
    assert.doesNotMatch(trace, /^> PASV/m);
    assert.deepEqual(await readFile(out), payload);
  });
  it('curl uploads and downloads through EPRT |2|::1|port| (--ftp-port)', async () => {
    const source = join(work, 'eprt-up.bin');
    await writeFile(source, payload.subarray(0, 123_457));
    const up = await curl(['--ftp-port', '-', '-T', source, `ftp://[::1]:${f.port}/eprt.bin`]);
    assert.match(up, /^> EPRT \|2\|::1\|\d+\|/m);
    assert.match(up, /^< 200 EPRT command successful/m);
    assert.deepEqual(await readFile(join(f.home, 'eprt.bin')), payload.subarray(0, 123_457));
    const back = join(work, 'eprt-down.bin');
    const down = await curl(['--ftp-port', '-', `ftp://[::1]:${f.port}/eprt.bin`, '-o', back]);
    assert.match(down, /^> EPRT \|2\|::1\|/m);
    assert.deepEqual(await readFile(back), payload.subarray(0, 123_457));
  });
  for (const pasv of [true, false]) {
    it(`python ftplib on ::1 with set_pasv(${pasv ? 'True' : 'False'}) uses ${pasv ? 'EPSV' : 'EPRT'}`, async () => {
      const { stdout } = await run(
        '/usr/bin/python3',
        [
          '-c',
          `
import ftplib, io, socket, sys, hashlib
ftp = ftplib.FTP()
ftp.connect('::1', ${f.port})
assert ftp.af == socket.AF_INET6
ftp.login('user', '${PASSWORD}')
ftp.set_pasv(${pasv ? 'True' : 'False'})
ftp.set_debuglevel(1)
ftp.storbinary('STOR py6.bin', io.BytesIO(b'ipv6 ' * 5000))
chunks = []
ftp.retrbinary('RETR payload.bin', chunks.append)
print('SHA', hashlib.sha256(b''.join(chunks)).hexdigest())
ftp.quit()
`,
        ],
        { timeout: 30_000 },
      );
      const command = pasv ? 'EPSV' : 'EPRT';
      // Two transfers, each set up with the extended command and never the IPv4 one.
      assert.equal((stdout.match(new RegExp(`\\*cmd\\* '${command}`, 'g')) ?? []).length, 2, stdout);
      assert.doesNotMatch(stdout, /\*cmd\* '(PASV|PORT)/);
      if (!pasv) assert.match(stdout, /\*cmd\* 'EPRT \|2\|::1\|\d+\|'/);
      assert.match(stdout, new RegExp(`SHA ${createHash('sha256').update(payload).digest('hex')}`));
      assert.equal(await readFile(join(f.home, 'py6.bin'), 'utf8'), 'ipv6 '.repeat(5000));
    });
  }
  it('PASV on an IPv6 control connection is refused with a hint to use EPSV', async () => {
    const c = await f.login();
    const r = await c.expect('PASV', 425);
    assert.match(r.text, /EPSV/);
    await c.expect('EPSV 1', 522);
    const ok = await c.expect('EPSV 2', 229);
    assert.match(ok.text, /\(\|\|\|\d+\|\)/);
    c.destroy();
  });
});
