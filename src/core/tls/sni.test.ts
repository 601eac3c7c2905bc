import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseSniEntry, sniMatches } from './sni.ts';
import { CertificateError } from './secure-context.ts';

test('parseSniEntry: host=cert:key, host name lower-cased, paths resolved', () => {
  assert.deepEqual(parseSniEntry('Mail.Example.ORG=/etc/ssl/mail.pem:/etc/ssl/mail.key'), {
    pattern: 'mail.example.org',
    certFile: '/etc/ssl/mail.pem',
    keyFile: '/etc/ssl/mail.key',
  });
  assert.deepEqual(parseSniEntry('*.example.org=certs/c.pem:certs/k.pem'), {
    pattern: '*.example.org',
    certFile: resolve('certs/c.pem'),
    keyFile: resolve('certs/k.pem'),
  });
});

test('parseSniEntry: malformed entries are CertificateErrors naming the setting', () => {
  for (const bad of ['example.org', '=c.pem:k.pem', 'example.org=c.pem', 'example.org=:k.pem', 'example.org=c.pem:', 'a..b=c:k', 'ex ample=c:k', '*=c:k', 'a.*.org=c:k']) {
    assert.throws(() => parseSniEntry(bad), (error: unknown) => error instanceof CertificateError && /tls\.sni/.test(error.message), bad);
  }
});

test('sniMatches: exact and case-insensitive, trailing dot ignored', () => {
  assert.equal(sniMatches('mail.example.org', 'mail.example.org'), true);
  assert.equal(sniMatches('mail.example.org', 'MAIL.Example.Org'), true);
  assert.equal(sniMatches('mail.example.org', 'mail.example.org.'), true);
  assert.equal(sniMatches('mail.example.org', 'imap.example.org'), false);
  assert.equal(sniMatches('mail.example.org', 'xmail.example.org'), false);
});

test('sniMatches: a wildcard covers exactly one label (RFC 6125 §6.4.3)', () => {
  assert.equal(sniMatches('*.example.org', 'imap.example.org'), true);
  assert.equal(sniMatches('*.example.org', 'IMAP.EXAMPLE.ORG'), true);
  assert.equal(sniMatches('*.example.org', 'example.org'), false);
  assert.equal(sniMatches('*.example.org', 'a.b.example.org'), false);
  assert.equal(sniMatches('*.example.org', 'badexample.org'), false);
});
