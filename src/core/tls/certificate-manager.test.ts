import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { acceptTls } from '../net/implicit-tls.ts';
import { capturingLogger, eventually } from '../net/testing.ts';
import { CertificateManager, type CertificateManagerOptions } from './certificate-manager.ts';
import { CertificateError } from './secure-context.ts';
import { generateSelfSigned, type PemPair } from './self-signed.ts';

let dir: string;
const pairs: Record<string, PemPair> = {};
const managers: CertificateManager[] = [];
const servers: Server[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'septet-tls-'));
  // Throwaway certificates, made once for all tests.
  for (const name of ['one.example.test', 'two.example.test', 'other.example.test', 'wild.example.test']) pairs[name] = await generateSelfSigned(name);
});

after(async () => {
  for (const m of managers) m.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await rm(dir, { recursive: true, force: true });
});

async function writePair(name: string, pair: PemPair): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await writeFile(cert, pair.certPem);
  await writeFile(key, pair.keyPem);
  return { cert, key };
}

async function open(o: Partial<CertificateManagerOptions> = {}) {
  const captured = capturingLogger();
  const manager = await CertificateManager.open({ dataDir: join(dir, 'data'), hostname: 'mail.example.test', sni: [], minVersion: 'TLSv1.2', log: captured.log, ...o });
  managers.push(manager);
  return { manager, entries: captured.entries };
}

/** A TLS port served by the manager the way implicit-TLS listeners do it. */
async function serve(manager: CertificateManager): Promise<number> {
  const server = createServer((raw) => {
    raw.on('error', () => {});
    acceptTls(raw, manager, 5000).then(
      (secure) => secure.end(),
      () => {},
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** What a new client sees: the certificate's fingerprint and the protocol. */
function handshake(port: number, o: { servername?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; ciphers?: string } = {}): Promise<{ fingerprint: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...o });
    socket.once('secureConnect', () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      resolve({ fingerprint: cert.fingerprint256, protocol: socket.getProtocol() });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

test('self-signed at first start: SANs, server-auth only, key 0600, and reused on the next start', async () => {
  const dataDir = join(dir, 'self');
  const { manager, entries } = await open({ dataDir });
  const certFile = join(dataDir, 'tls', 'cert.pem');
  const keyFile = join(dataDir, 'tls', 'key.pem');
  const pem = await readFile(certFile, 'utf8');
  assert.equal(pem, manager.certificatePem());
  const cert = new X509Certificate(pem);
  const san = cert.subjectAltName ?? '';
  assert.match(san, /DNS:mail\.example\.test/);
  assert.match(san, /DNS:localhost/);
  assert.match(san, /IP Address:127\.0\.0\.1/);
  assert.match(san, /IP Address:(0:0:0:0:0:0:0:1|::1)/);
  assert.equal(cert.ca, false);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.ok(new Date(cert.validTo).getTime() - Date.now() > 9 * 365 * 24 * 3600 * 1000);
  assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(keyFile, 'utf8'))));
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  assert.equal(manager.fingerprint(), cert.fingerprint256);
  assert.ok(entries.some((e) => e.msg === 'made a self-signed TLS certificate'));

  const again = await open({ dataDir });
  assert.equal(again.manager.fingerprint(), manager.fingerprint());
  assert.ok(!again.entries.some((e) => e.msg === 'made a self-signed TLS certificate'));

  // Another host name: the certificate stays (clients may have pinned it), with a note.
  const renamed = await open({ dataDir, hostname: 'new-name.example.test' });
  assert.equal(renamed.manager.fingerprint(), manager.fingerprint());
  assert.ok(renamed.entries.some((e) => /does not name this host/.test(String(e.msg))));

  // Serial numbers are random: a second data directory gets a different certificate.
  const other = await open({ dataDir: join(dir, 'self2') });
  assert.notEqual(new X509Certificate(other.manager.certificatePem()).serialNumber, cert.serialNumber);
});

test('self-signed: a damaged file from a half-finished start is replaced', async () => {
  const dataDir = join(dir, 'damaged');
  const first = await open({ dataDir });
  await writeFile(join(dataDir, 'tls', 'cert.pem'), 'not a certificate');
  const second = await open({ dataDir });
  assert.notEqual(second.manager.fingerprint(), first.manager.fingerprint());
  assert.ok(second.entries.some((e) => /cannot be used/.test(String(e.msg))));
});

test('configured files: served to clients over TLS 1.2 or 1.3', async () => {
  const files = await writePair('configured', pairs['one.example.test']!);
  const { manager } = await open({ certFile: files.cert, keyFile: files.key });
  const expected = new X509Certificate(pairs['one.example.test']!.certPem).fingerprint256;
  assert.equal(manager.fingerprint(), expected);
  const port = await serve(manager);
  const seen = await handshake(port);
  assert.equal(seen.fingerprint, expected);
  assert.ok(seen.protocol === 'TLSv1.3' || seen.protocol === 'TLSv1.2');
  assert.equal((await handshake(port, { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
});

test('min_version TLSv1.3 refuses a TLS 1.2-only client', async () => {
  const files = await writePair('strict', pairs['one.example.test']!);
  const { manager } = await open({ certFile: files.cert, keyFile: files.key, minVersion: 'TLSv1.3' });
  const port = await serve(manager);
  assert.equal((await handshake(port)).protocol, 'TLSv1.3');
  await assert.rejects(handshake(port, { maxVersion: 'TLSv1.2' }), /protocol version/);
});

test('TLS 1.2 offers only ECDHE with AEAD, in the server order, before and after a reload; tls.ciphers replaces the list', async () => {
  const files = await writePair('ciphers', pairs['one.example.test']!);
  const { manager } = await open({ certFile: files.cert, keyFile: files.key });
  const port = await serve(manager);
  const cipherOf = (ciphers: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers });
      socket.once('secureConnect', () => (resolve(socket.getCipher().name), socket.destroy()));
      socket.once('error', reject);
    });
  for (let round = 0; round < 2; round++) {
    await assert.rejects(cipherOf('ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:@SECLEVEL=0'), /handshake failure/);
    assert.equal(await cipherOf('ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256'), 'ECDHE-ECDSA-AES128-GCM-SHA256');
    assert.equal(await manager.reload(), true);
  }
  const custom = await open({ certFile: files.cert, keyFile: files.key, ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' });
  const customPort = await serve(custom.manager);
  const chacha = await handshake(customPort, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305' });
  assert.equal(chacha.protocol, 'TLSv1.2');
  await assert.rejects(handshake(customPort, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }), /handshake failure/);
  await assert.rejects(open({ ciphers: 'NOT-A-CIPHER' }), (e: unknown) => e instanceof CertificateError && /tls\.ciphers/.test(e.message));
});

test('open refuses a key that does not match, a lone cert, a bad PEM and a bad min_version', async () => {
  const one = await writePair('mismatch-one', pairs['one.example.test']!);
  const two = await writePair('mismatch-two', pairs['two.example.test']!);
  await assert.rejects(open({ certFile: one.cert, keyFile: two.key }), (e: unknown) => e instanceof CertificateError && /mismatch/.test(e.message));
  await assert.rejects(open({ certFile: one.cert }), /set together/);
  const garbage = join(dir, 'garbage.pem');
  await writeFile(garbage, 'hello');
  await assert.rejects(open({ certFile: garbage, keyFile: one.key }), CertificateError);
  await assert.rejects(open({ certFile: join(dir, 'missing.pem'), keyFile: one.key }), /cannot read/);
  await assert.rejects(open({ minVersion: 'TLSv1.1' as 'TLSv1.2' }), /min_version/);
});

test('reload picks up new files: the next client sees the new certificate', async () => {
  const files = await writePair('reload', pairs['one.example.test']!);
  const { manager, entries } = await open({ certFile: files.cert, keyFile: files.key });
  const port = await serve(manager);
  const before = await handshake(port);
  await writePair('reload', pairs['two.example.test']!);
  assert.equal(await manager.reload(), true);
  const afterReload = await handshake(port);
  assert.notEqual(afterReload.fingerprint, before.fingerprint);
  assert.equal(afterReload.fingerprint, new X509Certificate(pairs['two.example.test']!.certPem).fingerprint256);
  assert.ok(entries.some((e) => e.msg === 'TLS certificates reloaded'));
});

test('a failed reload (bad PEM, key mismatch, missing file) keeps the old certificate and logs an error', async () => {
  const files = await writePair('badreload', pairs['one.example.test']!);
  const { manager, entries } = await open({ certFile: files.cert, keyFile: files.key });
  const port = await serve(manager);
  const good = (await handshake(port)).fingerprint;

  await writeFile(files.cert, '-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n');
  assert.equal(await manager.reload(), false);
  assert.equal((await handshake(port)).fingerprint, good);

  await writeFile(files.cert, pairs['two.example.test']!.certPem); // the key is still one's
  assert.equal(await manager.reload(), false);
  assert.equal((await handshake(port)).fingerprint, good);

  await rm(files.key);
  assert.equal(await manager.reload(), false);
  assert.equal((await handshake(port)).fingerprint, good);
  assert.equal(entries.filter((e) => e.level === 50 && /reload failed/.test(String(e.msg))).length, 3);
});

test('watch(): replacing the files (rename over them, as renewals do) reloads by itself', async () => {
  const files = await writePair('watched', pairs['one.example.test']!);
  const { manager } = await open({ certFile: files.cert, keyFile: files.key });
  manager.watch(50);
  const next = pairs['two.example.test']!;
  const expected = new X509Certificate(next.certPem).fingerprint256;
  await writeFile(`${files.key}.new`, next.keyPem);
  await writeFile(`${files.cert}.new`, next.certPem);
  await rename(`${files.key}.new`, files.key);
  await rename(`${files.cert}.new`, files.cert);
  await eventually(() => manager.fingerprint() === expected, 5000, 'reload after the change');
  manager.close();
  // After close() no more reloads happen.
  await writePair('watched', pairs['one.example.test']!);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(manager.fingerprint(), expected);
});

test('SNI: exact (any case), wildcard, and the default for other or missing names', async () => {
  const main = await writePair('sni-main', pairs['one.example.test']!);
  const other = await writePair('sni-other', pairs['other.example.test']!);
  const wild = await writePair('sni-wild', pairs['wild.example.test']!);
  const { manager } = await open({
    certFile: main.cert,
    keyFile: main.key,
    sni: [`other.example.test=${other.cert}:${other.key}`, `*.wild.example.test=${wild.cert}:${wild.key}`],
  });
  const fp = (name: string) => new X509Certificate(pairs[name]!.certPem).fingerprint256;
  const port = await serve(manager);
  assert.equal((await handshake(port, { servername: 'other.example.test' })).fingerprint, fp('other.example.test'));
  assert.equal((await handshake(port, { servername: 'OTHER.Example.Test' })).fingerprint, fp('other.example.test'));
  assert.equal((await handshake(port, { servername: 'imap.wild.example.test' })).fingerprint, fp('wild.example.test'));
  assert.equal((await handshake(port, { servername: 'a.b.wild.example.test' })).fingerprint, fp('one.example.test'));
  assert.equal((await handshake(port, { servername: 'unknown.example.test' })).fingerprint, fp('one.example.test'));
  assert.equal((await handshake(port)).fingerprint, fp('one.example.test'));
  assert.equal(manager.fingerprint('other.example.test'), fp('other.example.test'));

  // SNI certificates are reloaded too.
  await writePair('sni-other', pairs['two.example.test']!);
  assert.equal(await manager.reload(), true);
  assert.equal((await handshake(port, { servername: 'other.example.test' })).fingerprint, fp('two.example.test'));
});
