import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLoginResponse, decodePlain, decodeSaslBase64, isSaslCancel, LOGIN_PASSWORD_PROMPT, LOGIN_USERNAME_PROMPT } from './sasl.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

test('RFC 4616 §4 example 1: empty authzid', () => {
  assert.deepEqual(decodePlain(b64('\0tim\0tanstaaftanstaaf')), { authzid: '', authcid: 'tim', password: 'tanstaaftanstaaf' });
});

test('RFC 4616 §4 example 2: authzid given', () => {
  assert.deepEqual(decodePlain(b64('Ursel\0Kurt\0xipj3plmq')), { authzid: 'Ursel', authcid: 'Kurt', password: 'xipj3plmq' });
});

test('RFC 4616 §2: UTF-8 identities and passwords', () => {
  assert.deepEqual(decodePlain(b64('\0j\u00fcrgen@example.org\0p\u00e4ss')), { authzid: '', authcid: 'j\u00fcrgen@example.org', password: 'p\u00e4ss' });
});

test('RFC 4616 §2: wrong NUL counts, empty authcid or password are refused', () => {
  for (const message of ['tim', 'tim\0pw', '\0tim\0pw\0', '\0\0pw', '\0tim\0', '\0\0', '']) {
    assert.equal(decodePlain(b64(message)), null, JSON.stringify(message));
  }
});

test('RFC 4648 §4: malformed base64 is refused, not skipped over', () => {
  const valid = b64('\0tim\0tanstaaftanstaaf');
  for (const input of [`${valid}!`, `*${valid}`, valid.slice(0, -1), 'AHRpbQB0YW5zdGFhZnRhbnN0YWFm===', 'AH Rp', 'AHRpbQB=dGFu']) {
    assert.equal(decodePlain(input), null, input);
  }
  assert.deepEqual(decodeSaslBase64('QQ=='), Buffer.from('A'));
  assert.equal(decodeSaslBase64('QR=='), null, 'non-canonical trailing bits');
  assert.deepEqual(decodeSaslBase64('='), Buffer.alloc(0), 'RFC 4954 §4: "=" is an empty response');
});

test('invalid UTF-8 in PLAIN is refused', () => {
  assert.equal(decodePlain(Buffer.from([0, 0x74, 0, 0xff, 0xfe]).toString('base64')), null);
});

test('LOGIN mechanism prompts and answers', () => {
  assert.equal(LOGIN_USERNAME_PROMPT, 'VXNlcm5hbWU6');
  assert.equal(LOGIN_PASSWORD_PROMPT, 'UGFzc3dvcmQ6');
  assert.equal(decodeLoginResponse(b64('alice@example.org')), 'alice@example.org');
  assert.equal(decodeLoginResponse('not base64!'), null);
  assert.equal(decodeLoginResponse(b64('a\0b')), null);
  assert.equal(isSaslCancel('*'), true);
  assert.equal(isSaslCancel('Kg=='), false);
});
