import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importPassword, parsePasswdFile } from './passwd-file.ts';

test('passwd-file: users and password fields; comments, blank lines and CRLF; malformed lines named', () => {
  const text = [
    '# migrated from dovecot',
    'alice@example.org:{SHA512-CRYPT}$6$abc$def:1000:1000::/home/alice::userdb_quota_rule=*:storage=1G',
    '',
    '   # indented comment',
    'bob:{PLAIN}secret\r',
    'carol@example.org:$2y$05$Pfc2Rr2HkQ0o0NcKcI6ApuC8gDUgMB35FfjaDJyfvmtfz5i8hwZuK',
    'no-password-field',
    ':{PLAIN}x',
  ].join('\n');
  const { entries, malformed } = parsePasswdFile(text);
  assert.deepEqual(entries, [
    { line: 2, user: 'alice@example.org', password: '{SHA512-CRYPT}$6$abc$def' },
    { line: 5, user: 'bob', password: '{PLAIN}secret' },
    { line: 6, user: 'carol@example.org', password: '$2y$05$Pfc2Rr2HkQ0o0NcKcI6ApuC8gDUgMB35FfjaDJyfvmtfz5i8hwZuK' },
  ]);
  assert.deepEqual(malformed.map((m) => m.line), [7, 8]);
});

test('importPassword: hashes kept verbatim, a bare crypt(3) string is {CRYPT}, cleartext is to be hashed, weak schemes refused', () => {
  const ssha512 = '{ssha512}knviGqAiuv4GNbMREznpEuL+E05X0OZ+ZETou2IoVckLV3RKFIzqMz1K2WLZPiyEJdpuFRXbz5aEVsbmAKshE9xT5Wk=';
  assert.deepEqual(importPassword(ssha512), { kind: 'hash', stored: ssha512, scheme: 'SSHA512' });
  const sha512crypt = '$6$25Xzpu98wc6lPLAr$O.Z2r1252ub1QeaPfJV5hRk7vnqay6jGjgHwgBwNC7bNOc5kFJ497FT3vWKOKLInEfzYKD6tCc1NTPAlJErXG1';
  assert.deepEqual(importPassword(sha512crypt), { kind: 'hash', stored: `{CRYPT}${sha512crypt}`, scheme: 'CRYPT' });
  assert.deepEqual(importPassword('{PLAIN}se:cret'), { kind: 'plain', password: 'se:cret' });
  assert.deepEqual(importPassword('{CLEAR}x'), { kind: 'plain', password: 'x' });
  assert.deepEqual(importPassword(`{PLAIN.b64}${Buffer.from('pässword').toString('base64')}`), { kind: 'plain', password: 'pässword' });
  for (const field of ['', '{PLAIN}', '$6$abc$def', '{MD5-CRYPT}$1$H8NTHzNW$gKg/ZxzN6oIEKquaUHtzk1', 'abJnggxhB/yWI', '{CRAM-MD5}abc', '{NOSUCH}x', '{broken']) {
    assert.equal(importPassword(field).kind, 'refused', field);
  }
});
