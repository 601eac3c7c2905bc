// TLS as an administrator sees it: the self-signed certificate made at first start
// names the host, localhost, 127.0.0.1 and ::1; a configured certificate is served,
// and replaced without a restart on SIGHUP. Only TLS 1.2 and 1.3 are offered.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
const servers: SeptetProcess[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

/** The certificate a python3 ssl client is shown, as "subject|SANs|fingerprint". */
const servedCertificate = (port: number, minimum = 'TLSv1_2', maximum = 'TLSv1_3') =>
  python(
    `
import socket, ssl, sys, hashlib
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = getattr(ssl.TLSVersion, sys.argv[2]); ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])
try:
    ctx.set_ciphers('ALL:@SECLEVEL=0')
except ssl.SSLError:
    pass
try:
    with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:
        with ctx.wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
            print(tls.version(), hashlib.sha256(der).hexdigest())
except (ssl.SSLError, ConnectionResetError) as e:
    print('HANDSHAKE FAILED', e)
`,
    [String(port), minimum, maximum],
  );

test('the self-signed certificate names the host, localhost, 127.0.0.1 and ::1; TLS 1.0 and 1.1 are refused', async () => {
  const server = await prepareSeptet({ offset: 25000 });
  servers.push(server);
  await server.start();
  const pem = await python(
    `
import ssl, sys
print(ssl.get_server_certificate(('127.0.0.1', int(sys.argv[1]))))
`,
    [String(server.port('pop3s'))],
  );
  const decoded = await new Promise<string>((resolve, reject) => {
    const child = execFile('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin!.end(pem);
  });
  assert.match(decoded, /DNS:mx\.septet\.test/);
  assert.match(decoded, /DNS:localhost/);
  assert.match(decoded, /IP Address:127\.0\.0\.1/);
  assert.match(decoded, /IP Address:0:0:0:0:0:0:0:1/);
  assert.match(await servedCertificate(server.port('submissions'), 'TLSv1_3', 'TLSv1_3'), /^TLSv1\.3 /);
  assert.match(await servedCertificate(server.port('submissions'), 'TLSv1_2', 'TLSv1_2'), /^TLSv1\.2 /);
  assert.match(await servedCertificate(server.port('submissions'), 'TLSv1_1', 'TLSv1_1'), /HANDSHAKE FAILED/);
});

test('a configured certificate is served and replaced on SIGHUP without a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-cert-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const makeCert = (cn: string) =>
    execFileP('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', key, '-out', cert]);
  await makeCert('first.septet.test');
  await execFileP('chmod', ['-R', 'a+rX', dir]);
  const server = await prepareSeptet({ offset: 25100, toml: `[tls]\ncert = "${cert}"\nkey = "${key}"` });
  servers.push(server);
  await server.start();
  const subject = (port: number) =>
    python(
      `
import ssl, sys, subprocess
pem = ssl.get_server_certificate(('127.0.0.1', int(sys.argv[1])))
print(subprocess.run(['openssl', 'x509', '-noout', '-subject'], input=pem.encode(), capture_output=True).stdout.decode())
`,
      [String(port)],
    );
  assert.match(await subject(server.port('pop3s')), /CN ?= ?first\.septet\.test/);
  await makeCert('second.septet.test');
  await execFileP('chmod', ['-R', 'a+rX', dir]);
  server.notify('SIGHUP');
  let seen = '';
  for (let i = 0; i < 50 && !/second/.test(seen); i++) {
    await new Promise((r) => setTimeout(r, 200));
    seen = await subject(server.port('pop3s'));
  }
  assert.match(seen, /CN ?= ?second\.septet\.test/);
});
