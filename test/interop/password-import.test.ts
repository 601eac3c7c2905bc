// Moving from Dovecot (issue 11): `septet user import` of a passwd-file whose hashes
// Dovecot's own `doveadm pw` made just now, in every scheme Septet reads; then python's
// imaplib and poplib log in with each user's password, and afterwards every hash is
// argon2id (auth.password_scheme), as `septet user list --schemes` shows.
// doveadm comes from Debian's dovecot-core (scripts/test-deps.sh installs it).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
let server: SeptetProcess;

const doveadmHash = async (scheme: string, password: string): Promise<string> =>
  (await execFileP('doveadm', ['pw', '-s', scheme, '-p', password])).stdout.trim();

/** user, Dovecot scheme, password; the passwords differ so that no hash can verify another's. */
const USERS = [
  ['argon2id@example.test', 'ARGON2ID', 'pw argon2id (space)'],
  ['argon2i@example.test', 'ARGON2I', 'pw-argon2i'],
  ['sha512@example.test', 'SHA512-CRYPT', 'pw-sha512:crypt'],
  ['sha256@example.test', 'SHA256-CRYPT', 'pw-sha256'],
  ['blf@example.test', 'BLF-CRYPT', 'pw-blf'],
  ['ssha512@example.test', 'SSHA512', 'pw-ssha512'],
] as const;
const ALL_LOGINS: Array<[string, string]> = [...USERS.map(([user, , password]) => [user, password] as [string, string]), ['plain@example.test', 'pw-plain'], ['bare@example.test', 'pw-bare']];

async function schemes(): Promise<Map<string, string>> {
  const listed = await server.cli(['user', 'list', '--schemes']);
  assert.equal(listed.code, 0, listed.stderr);
  return new Map(listed.stdout.trim().split('\n').map((line) => line.split('\t') as [string, string]));
}

/** Logs every user in over IMAP and POP3 (LOGIN / USER+PASS, plaintext on loopback). */
async function loginAll(logins: Array<[string, string]>): Promise<void> {
  const out = await python(
    `
import imaplib, poplib, json, sys
for user, password in json.loads(sys.argv[1]):
    m = imaplib.IMAP4('127.0.0.1', ${server.port('imap')})
    typ, _ = m.login(user, password)
    assert typ == 'OK', (user, typ)
    m.logout()
    p = poplib.POP3('127.0.0.1', ${server.port('pop3')})
    p.user(user)
    assert p.pass_(password).startswith(b'+OK'), user
    p.quit()
    m = imaplib.IMAP4('127.0.0.1', ${server.port('imap')})
    try:
        m.login(user, password + 'x'); sys.exit('a wrong password was accepted for ' + user)
    except imaplib.IMAP4.error as e:
        assert 'AUTHENTICATIONFAILED' in str(e), e
    m.logout()
print('ok', len(json.loads(sys.argv[1])))
`,
    [JSON.stringify(logins)],
    120_000,
  );
  assert.equal(out.trim(), `ok ${logins.length}`);
}

before(async () => {
  server = await prepareSeptet({
    offset: 19000,
    // Small argon2id parameters keep the test quick; the bench uses Dovecot's (m=65536,t=3,p=1).
    toml: ['password_scheme = "argon2id"', 'argon2_memory_kib = 1024', 'argon2_passes = 1', 'throttle_free_failures = 100', 'throttle_max_delay_ms = 0'].join('\n'),
  });
  const added = await server.cli(['user', 'add', 'existing@example.test', '--password', 'kept-password']);
  assert.equal(added.code, 0, added.stderr);
});
after(async () => {
  await server?.stop();
});

test('user import keeps Dovecot hashes of every scheme; logins over IMAP and POP3 upgrade them to argon2id', async () => {
  const lines = ['# made by doveadm pw for this test', ''];
  for (const [user, scheme, password] of USERS) lines.push(`${user}:${await doveadmHash(scheme, password)}:1000:1000::/home/${user}::`);
  lines.push('plain@example.test:{PLAIN}pw-plain:1000:1000::/home/plain::');
  // No {SCHEME}: passwd-file's default, CRYPT; no domain: --domain.
  lines.push(`bare:${(await doveadmHash('SHA512-CRYPT', 'pw-bare')).replace('{SHA512-CRYPT}', '')}::`);
  lines.push(`md5@example.test:${await doveadmHash('MD5-CRYPT', 'pw-md5')}::`);
  lines.push('existing@example.test:{PLAIN}from-the-file::');
  const file = join(server.dataDir, '..', 'users');
  await writeFile(file, lines.join('\n') + '\n');

  const imported = await server.cli(['user', 'import', file, '--domain', 'example.test']);
  assert.equal(imported.code, 1, 'a refused line sets the exit status');
  for (const [user, scheme] of USERS) assert.match(imported.stdout, new RegExp(`^${user}: added \\(\\{${scheme}\\}\\)$`, 'm'));
  assert.match(imported.stdout, /^plain@example\.test: added \(\{PLAIN\}, hashed as argon2id\)$/m);
  assert.match(imported.stdout, /^bare@example\.test: added \(\{CRYPT\}\)$/m);
  assert.match(imported.stdout, /md5@example\.test: refused: scheme \{MD5-CRYPT\} is not read/);
  assert.match(imported.stdout, /^existing@example\.test: exists, skipped/m);
  assert.match(imported.stdout, /^imported 8, replaced 0, skipped 1, refused 1$/m);

  const before = await schemes();
  for (const [user, scheme] of USERS) assert.equal(before.get(user), `{${scheme}}`, user);
  assert.equal(before.get('plain@example.test'), 'argon2id');
  assert.equal(before.get('bare@example.test'), '{CRYPT}');
  assert.equal(before.has('md5@example.test'), false);

  await server.start();
  await loginAll([...ALL_LOGINS, ['existing@example.test', 'kept-password']]);
  const afterLogin = await schemes();
  for (const [user] of ALL_LOGINS) assert.equal(afterLogin.get(user), 'argon2id', user);
  assert.ok(server.output.includes('"password hash upgraded"'));
  // The upgraded hashes verify again (a second round of logins, now against argon2id).
  await loginAll(ALL_LOGINS);
});

test('user import --replace changes the password of an existing user, and nothing else', async () => {
  const file = join(server.dataDir, '..', 'replacement');
  await writeFile(file, 'existing@example.test:{PLAIN}from-the-file\n');
  const again = await server.cli(['user', 'import', file]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /exists, skipped/);
  const replaced = await server.cli(['user', 'import', file, '--replace']);
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.match(replaced.stdout, /^existing@example\.test: password replaced \(\{PLAIN\}, hashed as argon2id\)$/m);
  await loginAll([['existing@example.test', 'from-the-file']]);
});
