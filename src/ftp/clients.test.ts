// Real clients against the FTP handler: python3's ftplib (FTP and FTP_TLS, passive and
// active, the lecture's example verbatim, abort()), curl (ftp://, explicit and implicit
// FTPS, --ftp-port, uploads) and lftp.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { randomBytes, createHash } from 'node:crypto';
import { FtpFixture, PASSWORD, USER } from './test-support.ts';

const run = promisify(execFile);
const PY = '/usr/bin/python3';

async function python(code: string, cwd: string): Promise<string> {
  const { stdout } = await run(PY, ['-c', code], { cwd, timeout: 30_000 });
  return stdout;
}

let f: FtpFixture;
let work: string;
const payload = randomBytes(3 * 1024 * 1024 + 17);
before(async () => {
  f = await FtpFixture.start();
  (await f.login()).destroy();
  work = await mkdtemp(join(tmpdir(), 'septet-ftp-clients-'));
  await writeFile(join(f.home, 'README'), 'Septet FTP README\nsecond line\n');
  await writeFile(join(f.home, 'payload.bin'), payload);
});
after(async () => {
  await f.close();
  await rm(work, { recursive: true, force: true });
});

describe('python3 ftplib', () => {
  it("runs the lecture's example verbatim (FTP(HOST, 'user', 'mypassword'), LIST, RETR README)", async () => {
    const out = await python(
      `
from ftplib import FTP
HOST = 'localhost'
import ftplib; ftplib.FTP.port = ${f.port}
ftp = FTP(HOST, 'user', 'mypassword')
ftp.retrlines('LIST')
with open('README', 'wb') as fp:
  ftp.retrbinary('RETR README', fp.write)
ftp.quit()
`,
      work,
    );
    assert.match(out, /^-rw-r[-w]-r?-?-?\s+1 ftp\s+ftp\s+30 \w{3} [ \d]\d \d\d:\d\d README$/m);
    assert.match(out, /^-.* payload\.bin$/m);
    assert.equal(await readFile(join(work, 'README'), 'utf8'), 'Septet FTP README\nsecond line\n');
  });
  for (const pasv of [true, false]) {
    it(`FTP and FTP_TLS with set_pasv(${pasv ? 'True' : 'False'}): upload, download, NLST, MLSD, size`, async () => {
      const out = await python(
        `
import ftplib, hashlib, io
for cls in (ftplib.FTP, ftplib.FTP_TLS):
    ftp = cls()
    ftp.connect('127.0.0.1', ${f.port})
    if cls is ftplib.FTP_TLS:
        import ssl
        ftp.context.check_hostname = False
        ftp.context.verify_mode = ssl.CERT_NONE
        ftp.auth()
        ftp.login('${USER}', '${PASSWORD}')
        ftp.prot_p()
    else:
        ftp.login('${USER}', '${PASSWORD}')
    ftp.set_pasv(${pasv ? 'True' : 'False'})
    name = 'up-' + cls.__name__ + '.bin'
    ftp.storbinary('STOR ' + name, open('payload.bin', 'rb'))
    buf = io.BytesIO()
    ftp.retrbinary('RETR ' + name, buf.write)
    print(cls.__name__, hashlib.sha256(buf.getvalue()).hexdigest(), ftp.size(name), name in ftp.nlst(), dict(ftp.mlsd())[name]['type'])
    ftp.quit()
`,
        await (async () => {
          await writeFile(join(work, 'payload.bin'), payload);
          return work;
        })(),
      );
      const sha = createHash('sha256').update(payload).digest('hex');
      assert.equal(out, `FTP ${sha} ${payload.length} True file\nFTP_TLS ${sha} ${payload.length} True file\n`);
    });
  }
  it('abort() during a download: 426, then 226, and the session goes on', async () => {
    const out = await python(
      `
import ftplib
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', ${f.port})
ftp.login('user', '${PASSWORD}')
ftp.voidcmd('TYPE I')
conn = ftp.transfercmd('RETR payload.bin')
conn.recv(8192)
print(ftp.abort()[:3])
conn.close()
print(ftp.getresp()[:3])
print(ftp.pwd())
ftp.quit()
`,
      work,
    );
    assert.equal(out, '426\n226\n/\n');
  });
});

describe('curl', () => {
  const cred = ['--user', `user:${PASSWORD}`];
  it('ftp:// download, upload (-T) and listing', async () => {
    const { stdout: list } = await run('curl', ['-sS', ...cred, `ftp://127.0.0.1:${f.port}/`]);
    assert.match(list, /README/);
    await run('curl', ['-sS', ...cred, '-T', join(work, 'payload.bin'), `ftp://127.0.0.1:${f.port}/curl-up.bin`]);
    assert.ok((await readFile(join(f.home, 'curl-up.bin'))).equals(payload));
    const { stdout } = await run('curl', ['-sS', ...cred, `ftp://127.0.0.1:${f.port}/README`]);
    assert.equal(stdout, 'Septet FTP README\nsecond line\n');
  });
  it('--ftp-port (active mode) download', async () => {
    const out = join(work, 'active.bin');
    await run('curl', ['-sS', ...cred, '--ftp-port', '127.0.0.1', '-o', out, `ftp://127.0.0.1:${f.port}/payload.bin`]);
    assert.ok((await readFile(out)).equals(payload));
  });
  it('explicit FTPS with --ssl-reqd (and --ftp-ssl-reqd), TLS 1.3, upload and download', async () => {
    const url = `ftp://127.0.0.1:${f.port}/tls-up.bin`;
    await run('curl', ['-sS', '-k', '--ssl-reqd', '--tlsv1.3', ...cred, '-T', join(work, 'payload.bin'), url]);
    const out = join(work, 'tls-down.bin');
    await run('curl', ['-sS', '-k', '--ftp-ssl-reqd', ...cred, '-o', out, url]);
    assert.ok((await readFile(out)).equals(payload));
  });
  it('implicit FTPS (ftps://) on the ftps handler', async () => {
    const g = await FtpFixture.start({ implicitTls: true });
    try {
      await mkdir(g.home, { recursive: true });
      await writeFile(join(g.home, 'hello.txt'), 'implicit\n');
      const { stdout } = await run('curl', ['-sS', '-k', ...cred, `ftps://127.0.0.1:${g.port}/hello.txt`]);
      assert.equal(stdout, 'implicit\n');
    } finally {
      await g.close();
    }
  });
  it('require_ssl_reuse: curl resumes the session and succeeds; ftplib cannot and gets a data connection error', async () => {
    const g = await FtpFixture.start({ configure: (cfg) => (cfg.ftp.require_ssl_reuse = true) });
    try {
      const c = await g.login();
      c.destroy();
      await writeFile(join(g.home, 'r.txt'), 'reuse\n');
      const { stdout } = await run('curl', ['-sS', '-k', '--ssl-reqd', ...cred, `ftp://127.0.0.1:${g.port}/r.txt`]);
      assert.equal(stdout, 'reuse\n');
      const out = await python(
        `
import ftplib, ssl
ftp = ftplib.FTP_TLS()
ftp.context.check_hostname = False
ftp.context.verify_mode = ssl.CERT_NONE
ftp.connect('127.0.0.1', ${g.port})
ftp.login('user', '${PASSWORD}')
ftp.prot_p()
try:
    ftp.retrlines('RETR r.txt', lambda l: None)
    print('no error')
except Exception as e:
    print('error', type(e).__name__)
`,
        work,
      );
      assert.match(out, /^error /);
    } finally {
      await g.close();
    }
  });
});

describe('lftp', () => {
  it('mirrors a folder down, puts a file, lists with spaces and UTF-8 names', async () => {
    await mkdir(join(f.home, 'tree', 'sub dir'), { recursive: true });
    await writeFile(join(f.home, 'tree', 'sub dir', 'ünïcode name.txt'), 'x\n');
    await writeFile(join(f.home, 'tree', 'top.txt'), 'top\n');
    const local = join(work, 'mirror');
    const script = [
      'set ftp:ssl-allow no',
      `open -u user,${PASSWORD} -p ${f.port} 127.0.0.1`,
      `mirror tree ${local}`,
      `put ${join(work, 'payload.bin')} -o lftp-up.bin`,
      'cls -1 tree',
      'bye',
    ].join('; ');
    const { stdout } = await run('lftp', ['-c', script], { timeout: 30_000 });
    assert.match(stdout, /sub dir/);
    assert.equal(await readFile(join(local, 'sub dir', 'ünïcode name.txt'), 'utf8'), 'x\n');
    assert.ok((await readFile(join(f.home, 'lftp-up.bin'))).equals(payload));
  });
  it('over TLS (AUTH TLS, PROT P)', async () => {
    const script = ['set ssl:verify-certificate no', 'set ftp:ssl-force yes', 'set ftp:ssl-protect-data yes', `open -u user,${PASSWORD} -p ${f.port} 127.0.0.1`, 'cat README', 'bye'].join('; ');
    const { stdout } = await run('lftp', ['-c', script], { timeout: 30_000 });
    assert.equal(stdout, 'Septet FTP README\nsecond line\n');
  });
});
