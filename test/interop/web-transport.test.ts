// HTTPS and the port 80 redirect as curl, openssl s_client and python's ssl see them:
// the redirect and nothing else on HTTP, HSTS, TLS 1.2/1.3 only without CBC, HTTP/2 by
// ALPN with HTTP/1.1 fallback, static files with ranges, conditional requests and
// compression, Slowloris cut by web.headers_timeout while a slow download outlives the
// pre-authentication deadline, and the PROXY protocol's client address.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { curl, prepareSeptet, python, waitFor, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
// HTTPS 30443, HTTP 30080; nobody uses offset 30300 (its IMAP would be 30443).
const OFFSET = 30000;
let server: SeptetProcess;
let https: string;
const big = Buffer.alloc(1024 * 1024, 'septet ');

before(async () => {
  server = await prepareSeptet({
    offset: OFFSET,
    web: true,
    toml: ['[limits]', 'preauth_deadline = 3', '[web]', 'headers_timeout = 5', '[https]', 'proxy_protocol = false'].join('\n'),
  });
  await mkdir(join(server.dataDir, 'www'), { recursive: true });
  await writeFile(join(server.dataDir, 'www', 'index.html'), '<!doctype html><title>Septet</title><p>' + 'hello '.repeat(500));
  await writeFile(join(server.dataDir, 'www', 'big.bin'), big);
  await server.addUsers({ 'alice@example.org': 'alice password' });
  await server.start();
  https = `https://127.0.0.1:${server.port('https')}`;
});
after(() => server?.stop());

test('plain HTTP answers every request, POST too, with 308 to the same path on HTTPS and no HSTS', async () => {
  for (const method of ['GET', 'POST', 'HEAD']) {
    const r = await curl(['-i', '-X', method, ...(method === 'HEAD' ? ['-I'] : []), `http://127.0.0.1:${server.port('http')}/docs/a.html?x=1`]);
    assert.match(r.stdout, /^HTTP\/1\.1 308 /, method);
    assert.match(r.stdout, new RegExp(`\\r\\nLocation: https://127\\.0\\.0\\.1:${server.port('https')}/docs/a\\.html\\?x=1\\r\\n`, 'i'));
    assert.doesNotMatch(r.stdout, /strict-transport-security/i);
  }
  const named = await curl(['-i', '-H', 'Host: mail.example.test', `http://127.0.0.1:${server.port('http')}/`]);
  assert.match(named.stdout, /Location: https:\/\/mail\.example\.test:30443\//i);
  const hostile = await curl(['-i', '-H', 'Host: evil.test/\r\nX: y', `http://127.0.0.1:${server.port('http')}/`]);
  assert.doesNotMatch(hostile.stdout, /Location: https:\/\/evil\.test\//i);
});

test('HTTPS: HTTP/2 by ALPN, HTTP/1.1 when asked, HSTS and the CSP on every reply', async () => {
  const h2 = await curl(['-k', '-s', '-D', '-', '-o', '/dev/null', '-w', '%{http_version}', '--http2', `${https}/`]);
  assert.match(h2.stdout, /^HTTP\/2 200/);
  assert.match(h2.stdout, /strict-transport-security: max-age=31536000; includeSubDomains/i);
  assert.match(h2.stdout, /content-security-policy: default-src 'none'/i);
  assert.match(h2.stdout, /x-content-type-options: nosniff/i);
  assert.ok(h2.stdout.endsWith('2'));
  const h1 = await curl(['-k', '-s', '-o', '/dev/null', '-w', '%{http_version}', '--http1.1', `${https}/console/login.html`]);
  assert.equal(h1.stdout, '1.1');
});

test('TLS 1.0 and 1.1 are refused, TLS 1.2 CBC suites too; TLS 1.2 AEAD and TLS 1.3 work (openssl s_client)', async () => {
  const sClient = async (args: string[]) => {
    try {
      const { stdout } = await execFileP('openssl', ['s_client', '-connect', `127.0.0.1:${server.port('https')}`, '-alpn', 'h2,http/1.1', ...args], { timeout: 20_000, encoding: 'utf8' });
      return stdout;
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? '');
    }
  };
  for (const old of [['-tls1', '-cipher', 'ALL@SECLEVEL=0'], ['-tls1_1', '-cipher', 'ALL@SECLEVEL=0'], ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:AES128-SHA@SECLEVEL=0']]) {
    const out = await sClient(old);
    assert.match(out, /Cipher is \(NONE\)|no peer certificate available/, `${old.join(' ')} must fail`);
  }
  const tls13 = await sClient(['-tls1_3']);
  assert.match(tls13, /TLSv1\.3/);
  assert.match(tls13, /ALPN protocol: h2/);
  const tls12 = await sClient(['-tls1_2']);
  assert.match(tls12, /Protocol\s*: TLSv1\.2/);
  assert.match(tls12, /Cipher\s*: ECDHE-\w+-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)/);
});

test('static files with curl: a range, a 304, gzip when accepted, the whole 1 MiB intact', async () => {
  const range = await curl(['-k', '-s', '-D', '-', '-r', '100-199', `${https}/big.bin`]);
  assert.match(range.stdout, /^HTTP\/2 206/);
  assert.match(range.stdout, /content-range: bytes 100-199\/1048576/i);
  const first = await curl(['-k', '-s', '-D', '-', '-o', '/dev/null', `${https}/index.html`]);
  const etag = /etag: (.+)\r/i.exec(first.stdout)?.[1];
  assert.ok(etag);
  const again = await curl(['-k', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `If-None-Match: ${etag}`, `${https}/index.html`]);
  assert.equal(again.stdout, '304');
  const gz = await curl(['-k', '-s', '-D', '-', '-o', '/dev/null', '-H', 'Accept-Encoding: gzip', `${https}/index.html`]);
  assert.match(gz.stdout, /content-encoding: gzip/i);
  const whole = await curl(['-k', '-s', '-o', '-', `${https}/big.bin`]);
  assert.equal(Buffer.from(whole.stdout, 'latin1').equals(big), true);
});

test('Slowloris: header fields trickled for longer than web.headers_timeout are cut; a slow download outlives the pre-auth deadline', async () => {
  const cutAfter = await python(`
import ssl, socket, time, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))), server_hostname='x')
start = time.time()
s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n')
try:
    for i in range(30):
        s.sendall(b'X-Slow: 1\\r\\n'); time.sleep(1)
    print(-1)
except Exception:
    print(round(time.time() - start))
`, [String(server.port('https'))], 60_000);
  const seconds = Number(cutAfter.trim());
  assert.ok(seconds >= 3 && seconds <= 12, `cut after ${seconds} s (headers_timeout 5 s)`);
  // 32 MiB at 8 MiB/s: about 4 s, past the 3 s pre-authentication deadline, and more
  // than loopback's socket buffers hold, so the server is still sending when it passes.
  await writeFile(join(server.dataDir, 'www', 'huge.bin'), Buffer.alloc(32 * 1024 * 1024, 'x'));
  const started = Date.now();
  const slow = await curl(['-k', '-s', '--http1.1', '--limit-rate', '8M', '-o', '/dev/null', '-w', '%{size_download}', `${https}/huge.bin`]);
  assert.ok(Date.now() - started > 3500, `the download took longer than the deadline (${Date.now() - started} ms)`);
  assert.equal(slow.stdout, String(32 * 1024 * 1024));
});

test('a connection that sends nothing is closed at the pre-auth deadline', async () => {
  const closedAfter = await python(`
import socket, time, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
start = time.time()
s.settimeout(30)
try:
    data = s.recv(100)
except Exception:
    pass
print(round(time.time() - start))
`, [String(server.port('https'))], 60_000);
  const seconds = Number(closedAfter.trim());
  assert.ok(seconds >= 2 && seconds <= 15, `closed after ${seconds} s`);
});

test('PROXY protocol on [https]: the claimed client address is the one logged and throttled', async () => {
  const proxied = await prepareSeptet({
    offset: OFFSET + 100,
    web: true,
    toml: ['[https]', 'proxy_protocol = true', 'proxy_trusted_networks = ["127.0.0.0/8"]'].join('\n'),
  });
  await proxied.addUsers({ 'bob@example.org': 'bob password' });
  await proxied.start();
  try {
    const port = proxied.port('https');
    const status = await python(`
import ssl, socket, sys, json
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
raw = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
raw.sendall(b'PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\\r\\n')
s = ctx.wrap_socket(raw, server_hostname='x')
def req(method, path, body=b'', headers=''):
    s.sendall((method + ' ' + path + ' HTTP/1.1\\r\\nHost: x\\r\\n' + headers + 'Content-Length: ' + str(len(body)) + '\\r\\n\\r\\n').encode() + body)
    data = b''
    while b'\\r\\n\\r\\n' not in data: data += s.recv(65536)
    head, rest = data.split(b'\\r\\n\\r\\n', 1)
    n = int([l.split(b':')[1] for l in head.split(b'\\r\\n') if l.lower().startswith(b'content-length')][0])
    while len(rest) < n: rest += s.recv(65536)
    return head.decode(), rest.decode()
head, body = req('GET', '/api/session')
token = json.loads(body)['csrfToken']
cookie = [l.split(':', 1)[1].split(';')[0].strip() for l in head.split('\\r\\n') if l.lower().startswith('set-cookie')][0]
head, body = req('POST', '/api/session', json.dumps({'username': 'bob@example.org', 'password': 'wrong'}).encode(), 'Content-Type: application/json\\r\\nX-CSRF-Token: ' + token + '\\r\\nCookie: ' + cookie + '\\r\\n')
print(head.split(' ')[1])
`, [String(port)]);
    assert.equal(status.trim(), '401');
    await waitFor('the failed login logged with the claimed address', async () => /203\.0\.113\.7/.test(proxied.output) && /https/.test(proxied.output));
    // A peer outside proxy_trusted_networks would be closed; without a header, a trusted peer is refused too.
    const direct = await curl(['-k', '-s', '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${port}/`]);
    assert.notEqual(direct.stdout, '200');
  } finally {
    await proxied.stop();
  }
});
