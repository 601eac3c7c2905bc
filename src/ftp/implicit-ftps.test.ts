// Implicit FTPS (the ftps port: TLS from the first octet) with PROT P data
// connections, driven by python3's ftplib: FTP_TLS only knows AUTH TLS, so the
// client is the usual subclass whose control socket is wrapped at connect.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { FtpFixture, PASSWORD } from './test-support.ts';

const run = promisify(execFile);
let f: FtpFixture;
const payload = randomBytes(1_500_000);
before(async () => {
  f = await FtpFixture.start({ implicitTls: true });
  await mkdir(f.home, { recursive: true, mode: 0o750 });
  await writeFile(join(f.home, 'payload.bin'), payload);
});
after(() => f.close());

const IMPLICIT_CLIENT = `
import ftplib, hashlib, io, socket, ssl, sys

class ImplicitFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS whose control connection is TLS from the start (the ftps port)."""
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sock = None

    @property
    def sock(self):
        return self._sock

    @sock.setter
    def sock(self, value):
        if value is not None and not isinstance(value, ssl.SSLSocket):
            value = self.context.wrap_socket(value, server_hostname=self.host)
        self._sock = value

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
ftp = ImplicitFTP_TLS(context=context)
ftp.connect('127.0.0.1', int(sys.argv[1]))
print('CONTROL', ftp.sock.version())
ftp.login('user', sys.argv[2])
ftp.prot_p()
ftp.set_pasv(sys.argv[3] == 'pasv')
ftp.storbinary('STOR up.bin', io.BytesIO(b'implicit ' * 20000))
chunks = []
ftp.retrbinary('RETR payload.bin', chunks.append)
print('SHA', hashlib.sha256(b''.join(chunks)).hexdigest())
lines = []
ftp.retrlines('LIST', lines.append)
print('LIST', len(lines))
ftp.quit()
`;

describe('implicit FTPS with PROT P (python ftplib)', () => {
  for (const mode of ['pasv', 'port'] as const) {
    it(`TLS from the first octet, login, PROT P, STOR, RETR and LIST (${mode === 'pasv' ? 'passive' : 'active'})`, async () => {
      const { stdout } = await run('/usr/bin/python3', ['-c', IMPLICIT_CLIENT, String(f.port), PASSWORD, mode], { timeout: 30_000 });
      assert.match(stdout, /^CONTROL TLSv1\.3$/m);
      assert.match(stdout, new RegExp(`^SHA ${createHash('sha256').update(payload).digest('hex')}$`, 'm'));
      assert.match(stdout, /^LIST [1-9]\d*$/m);
      assert.equal(await readFile(join(f.home, 'up.bin'), 'utf8'), 'implicit '.repeat(20000));
    });
  }
  it('a plaintext client on the ftps port gets no FTP greeting', async () => {
    const { stdout } = await run('/usr/bin/python3', ['-c', `import ftplib, sys\ntry:\n  ftplib.FTP().connect('127.0.0.1', int(sys.argv[1]), timeout=3)\n  print('GREETED')\nexcept Exception as e:\n  print('REFUSED', type(e).__name__)`, String(f.port)], { timeout: 30_000 });
    assert.match(stdout, /^REFUSED/m);
  });
});
