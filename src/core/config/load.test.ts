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
