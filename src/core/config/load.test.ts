import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromObject, ConfigError, defaultConfig } from './load.ts';

test('defaults fill every key', () => {
  const config = defaultConfig();
  assert.equal(config.smtp.port, 25);
  assert.equal(config.pop3.idle_timeout, 600);
  assert.equal(config.auth.allow_plaintext, false);
});

test('bad values name the key and what is wrong', () => {
  assert.throws(() => configFromObject({ smtp: { port: 'x' } }), (e: Error) => e instanceof ConfigError && /"smtp\.port" must be a whole number/.test(e.message));
  assert.throws(() => configFromObject({ smtp: { port: 70000 } }), /"smtp\.port" must be at most 65535/);
  assert.throws(() => configFromObject({ log: { level: 'loud' } }), /"log\.level" must be one of/);
  assert.throws(() => configFromObject({ smtp: { bogus: 1 } }), /unknown key "smtp\.bogus"/);
  assert.throws(() => configFromObject({ smtp: 3 }), /"smtp" must be a table/);
  assert.throws(() => configFromObject({ domains: [1] }), /"domains" must be a list of strings/);
});

test('given values override defaults without touching the rest', () => {
  const config = configFromObject({ hostname: 'mx.example.org', smtp: { max_message_size: 2048 } });
  assert.equal(config.hostname, 'mx.example.org');
  assert.equal(config.smtp.max_message_size, 2048);
  assert.equal(config.smtp.port, 25);
});

test('proxy_protocol without proxy_trusted_networks is an error naming the key; bad networks too', () => {
  assert.throws(
    () => configFromObject({ imap: { proxy_protocol: true } }),
    (e: Error) => e instanceof ConfigError && /imap\.proxy_trusted_networks: required when imap\.proxy_protocol is on/.test(e.message),
  );
  assert.throws(() => configFromObject({ submissions: { proxy_protocol: true, proxy_trusted_networks: [] } }), /submissions\.proxy_trusted_networks: required/);
  assert.throws(() => configFromObject({ smtp: { proxy_protocol: true, proxy_trusted_networks: ['10.0.0.0/'] } }), /smtp\.proxy_trusted_networks: "10\.0\.0\.0\/" is not an address or CIDR/);
  assert.throws(() => configFromObject({ smtp: { proxy_protocol: true, proxy_trusted_networks: ['10.0.0.0/33'] } }), /smtp\.proxy_trusted_networks: "10\.0\.0\.0\/33"/);
  assert.throws(() => configFromObject({ pop3: { proxy_trusted_networks: ['balancer'] } }), /pop3\.proxy_trusted_networks: "balancer"/);
  const config = configFromObject({ imap: { proxy_protocol: true, proxy_trusted_networks: ['127.0.0.1/32', '2001:db8::/64', '10.0.0.5'] } });
  assert.deepEqual(config.imap.proxy_trusted_networks, ['127.0.0.1/32', '2001:db8::/64', '10.0.0.5']);
  assert.deepEqual(defaultConfig().imap.proxy_trusted_networks, []);
});

test('tls.ciphers and tls.ciphersuites: only AEAD with ECDHE by default; a list OpenSSL cannot use is an error naming the key', () => {
  const defaults = defaultConfig().tls;
  for (const cipher of defaults.ciphers.split(':')) assert.match(cipher, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  assert.match(defaults.ciphersuites, /^TLS_AES_128_GCM_SHA256:/);
  assert.throws(() => configFromObject({ tls: { ciphers: 'NO-SUCH-CIPHER' } }), (e: Error) => e instanceof ConfigError && /tls\.ciphers: "NO-SUCH-CIPHER" selects no cipher/.test(e.message));
  assert.throws(() => configFromObject({ tls: { ciphers: 'TLS_AES_128_GCM_SHA256' } }), /tls\.ciphers: "TLS_AES_128_GCM_SHA256" is a TLS 1\.3 suite/);
  assert.throws(() => configFromObject({ tls: { ciphersuites: 'ECDHE-RSA-AES128-GCM-SHA256' } }), /tls\.ciphersuites: "ECDHE-RSA-AES128-GCM-SHA256" is not a TLS 1\.3 suite/);
  assert.throws(() => configFromObject({ tls: { ciphersuites: '' } }), /tls\.ciphersuites: empty/);
  assert.equal(configFromObject({ tls: { ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' } }).tls.ciphers, 'ECDHE-ECDSA-CHACHA20-POLY1305');
});
