// The TLS policy as a scanner sees it: TLS 1.2 offers only ECDHE with AEAD ciphers
// (no CBC, no static RSA), TLS 1.3 works, and the server's order wins over the
// client's. Checked with openssl s_client and python's ssl on every kind of TLS
// context: implicit TLS, STARTTLS, an SNI certificate (RSA, so ECDHE-RSA is covered
// next to the self-signed ECDSA one) and FTPS data connections; tls.ciphers changes it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
const servers: SeptetProcess[] = [];
let server: SeptetProcess;
before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-rsa-'));
  await execFileP('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=rsa.septet.test', '-addext', 'subjectAltName=DNS:rsa.septet.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  await execFileP('chmod', ['-R', 'a+rX', dir]);
  server = await prepareSeptet({
    offset: 15000,
    topLevelToml: 'default_domain = "tls.test"',
    toml: `[tls]\nsni = ["rsa.septet.test=${join(dir, 'cert.pem')}:${join(dir, 'key.pem')}"]`,
  });
  servers.push(server);
  assert.equal((await server.cli(['user', 'add', 'user@tls.test', '--password', 'mypassword'])).code, 0);
  await server.start();
});
after(async () => {
  for (const s of servers) await s.stop();
});

interface Handshake {
  ok: boolean;
  protocol: string;
  cipher: string;
  output: string;
}

/** One openssl s_client handshake; `args` choose version, ciphers, STARTTLS, SNI. */
async function sClient(port: number, args: string[]): Promise<Handshake> {
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-brief', ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end();
  });
  const protocol = /Protocol version: (\S+)/.exec(result.output)?.[1] ?? '';
  const cipher = /Ciphersuite: (\S+)/.exec(result.output)?.[1] ?? '';
  return { ok: result.code === 0 && cipher !== '', protocol, cipher, output: result.output };
}

// @SECLEVEL=0 so the client surely offers the weak suites: a refusal is the server's.
const CBC_ECDSA = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384'];
const CBC_RSA = ['ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA', 'ECDHE-RSA-AES128-SHA256', 'ECDHE-RSA-AES256-SHA384'];
const STATIC_RSA = ['AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA256'];

async function assertRefused(port: number, ciphers: string[], extra: string[] = []): Promise<void> {
  for (const cipher of ciphers) {
    const result = await sClient(port, ['-tls1_2', '-cipher', `${cipher}:@SECLEVEL=0`, ...extra]);
    assert.equal(result.ok, false, `${cipher} must be refused on port ${port} ${extra.join(' ')}:\n${result.output}`);
    assert.match(result.output, /handshake failure|no shared cipher|alert/i);
  }
}

test('implicit TLS (ECDSA certificate): CBC suites refused, ECDHE-ECDSA AEAD and TLS 1.3 work, the server order wins', async () => {
  const port = server.port('submissions');
  await assertRefused(port, CBC_ECDSA);
  for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
    const result = await sClient(port, ['-tls1_2', '-cipher', cipher]);
    assert.deepEqual([result.ok, result.protocol, result.cipher], [true, 'TLSv1.2', cipher], result.output);
  }
  const tls13 = await sClient(port, ['-tls1_3']);
  assert.deepEqual([tls13.ok, tls13.protocol], [true, 'TLSv1.3'], tls13.output);

  // The client prefers ChaCha20 (and CBC); it gets the server's first choice.
  const ordered12 = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256']);
  assert.equal(ordered12.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256', ordered12.output);
  const ordered13 = await sClient(port, ['-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256']);
  assert.equal(ordered13.cipher, 'TLS_AES_128_GCM_SHA256', ordered13.output);
});

test('STARTTLS (SMTP, IMAP, POP3, FTP) uses the same policy', async () => {
  for (const [service, proto] of [['submission', 'smtp'], ['imap', 'imap'], ['pop3', 'pop3'], ['ftp', 'ftp']] as const) {
    const port = server.port(service);
    await assertRefused(port, ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384'], ['-starttls', proto]);
    const good = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-CHACHA20-POLY1305', '-starttls', proto]);
    assert.deepEqual([good.ok, good.cipher], [true, 'ECDHE-ECDSA-CHACHA20-POLY1305'], `${service}: ${good.output}`);
  }
});

test('an RSA certificate chosen by SNI: ECDHE-RSA CBC and static-RSA suites refused, ECDHE-RSA AEAD works', async () => {
  const port = server.port('imaps');
  const sni = ['-servername', 'rsa.septet.test'];
  await assertRefused(port, [...CBC_RSA, ...STATIC_RSA], sni);
  const good = await sClient(port, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384', ...sni]);
  assert.deepEqual([good.ok, good.cipher], [true, 'ECDHE-RSA-AES256-GCM-SHA384'], good.output);
  const best = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256', ...sni]);
  assert.equal(best.cipher, 'ECDHE-RSA-AES128-GCM-SHA256', best.output);
  assert.match((await sClient(port, ['-tls1_3', ...sni])).protocol, /^TLSv1\.3$/);
});

/** python ssl (TLS 1.2 with set_ciphers): "cipher" or "REFUSED ...". */
const pythonHandshake = (port: number, ciphers: string) =>
  python(
    `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers(sys.argv[2])
try:
    with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:
        with ctx.wrap_socket(raw) as tls:
            print(tls.cipher()[0])
except (ssl.SSLError, ConnectionResetError) as e:
    print('REFUSED', e)
`,
    [String(port), ciphers],
  );

test('python ssl: CBC refused, AEAD works, and the server order wins', async () => {
  const port = server.port('pop3s');
  for (const cipher of CBC_ECDSA) assert.match(await pythonHandshake(port, `${cipher}:@SECLEVEL=0`), /^REFUSED /, cipher);
  assert.equal((await pythonHandshake(port, 'ECDHE-ECDSA-AES256-GCM-SHA384')).trim(), 'ECDHE-ECDSA-AES256-GCM-SHA384');
  assert.equal((await pythonHandshake(port, 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256')).trim(), 'ECDHE-ECDSA-AES128-GCM-SHA256');
});

test('FTPS data connections: a data channel offering only CBC is refused, AEAD works', async () => {
  // ftplib wraps data connections with ftp.context; swapping it after login makes
  // the data handshake offer other ciphers than the control connection did.
  const out = await python(
    `
import ftplib, ssl, sys
def context(ciphers):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(ciphers)
    return ctx
ftp = ftplib.FTP_TLS(context=context('ECDHE-ECDSA-AES128-GCM-SHA256'))
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login('user', 'mypassword')
ftp.prot_p()
print('control', ftp.sock.cipher()[0])
ftp.nlst()
print('aead data ok')
ftp.context = context('ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:@SECLEVEL=0')
try:
    ftp.nlst()
    print('cbc data ACCEPTED')
except (ssl.SSLError, ConnectionResetError, ftplib.Error, OSError) as e:
    print('cbc data refused', type(e).__name__)
`,
    [String(server.port('ftp'))],
  );
  assert.match(out, /^control ECDHE-ECDSA-AES128-GCM-SHA256$/m);
  assert.match(out, /^aead data ok$/m);
  assert.match(out, /^cbc data refused /m);
});

test('tls.ciphers and tls.ciphersuites replace the lists, in the order given', async () => {
  const custom = await prepareSeptet({ offset: 15100, toml: '[tls]\nciphers = "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384"\nciphersuites = "TLS_CHACHA20_POLY1305_SHA256"' });
  servers.push(custom);
  await custom.start();
  const port = custom.port('submissions');
  await assertRefused(port, ['ECDHE-ECDSA-AES128-GCM-SHA256']);
  const chosen = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305']);
  assert.equal(chosen.cipher, 'ECDHE-ECDSA-CHACHA20-POLY1305', chosen.output);
  const tls13 = await sClient(port, ['-tls1_3']);
  assert.deepEqual([tls13.protocol, tls13.cipher], ['TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256'], tls13.output);
  const only128 = await sClient(port, ['-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256']);
  assert.equal(only128.ok, false, only128.output);
});
