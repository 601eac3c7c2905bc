// The account API through inject(): changing the password (old one proved, the rule
// of checkNewPassword, the configured hash scheme, other web sessions signed out),
// SSH keys in OpenSSH, RFC 4716 and PuTTY form (ssh-keygen's fingerprints), bob never
// touching alice's keys, the host key fingerprints; anonymous and CSRF-less refused.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashSchemeName, verifyPassword } from '../../core/auth/password.ts';
import { fixtures } from '../../core/keys/fixtures.test-data.ts';
import { ALICE, BOB, PASSWORD, WebFixture } from '../testing/app.ts';

let fx: WebFixture;
before(async () => {
  fx = await WebFixture.start({
    configure: (config) => {
      // The configured scheme, not the fixture's scrypt, is what a changed password gets.
      config.auth.password_scheme = 'argon2id';
      config.auth.argon2_memory_kib = 1024;
      config.auth.argon2_passes = 1;
      // Many sign-ins in a few seconds (each test its own clients).
      config.web.login_rate = 100;
    },
  });
});
after(() => fx.close());

const fingerprintOf = (lf: string) => lf.split(' ')[1];

test('anonymous requests reach no account endpoint (401)', async () => {
  const nobody = fx.client();
  nobody.csrfToken = (await nobody.get('/api/session')).json().csrfToken;
  for (const r of await Promise.all([
    nobody.post('/api/account/password', { current: PASSWORD, new: 'x' }),
    nobody.get('/api/account/keys'),
    nobody.post('/api/account/keys', { text: fixtures.ed.text }),
    nobody.delete(`/api/account/keys?fingerprint=${encodeURIComponent(fingerprintOf(fixtures.ed.lf)!)}`),
    nobody.get('/api/account/host-keys'),
  ])) assert.equal(r.statusCode, 401, r.body);
});

test('changes without the CSRF token are refused (403)', async () => {
  const alice = await fx.signedIn(ALICE);
  for (const r of await Promise.all([
    alice.request('POST', '/api/account/password', { json: { current: PASSWORD, new: 'other' }, csrf: false }),
    alice.request('POST', '/api/account/keys', { json: { text: fixtures.ed.text }, csrf: false }),
    alice.request('DELETE', '/api/account/keys?fingerprint=SHA256:LJ1dhZZTZejhybWni9zKGJHZVdfHkW80PJ0vTMqyKFc', { csrf: false }),
  ])) {
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().error, 'csrf');
  }
  assert.deepEqual((await alice.get('/api/account/keys')).json().keys, []);
});

test('SSH keys: OpenSSH, RFC 4716 and PuTTY .ppk pasted, listed with ssh-keygen -l fingerprints, deleted', async () => {
  const alice = await fx.signedIn(ALICE);
  const ed = await alice.post('/api/account/keys', { text: fixtures.ed.text });
  assert.equal(ed.statusCode, 201, ed.body);
  assert.equal(ed.json().added[0].fingerprint, fingerprintOf(fixtures.ed.lf));
  // The same key in RFC 4716 form: already there.
  const again = await alice.post('/api/account/keys', { text: fixtures.ed_rfc.text });
  assert.equal(again.statusCode, 409);
  const rfc = await alice.post('/api/account/keys', { text: fixtures.pr_rfc.text });
  assert.equal(rfc.statusCode, 201, rfc.body);
  assert.equal(rfc.json().added[0].fingerprint, fingerprintOf(fixtures.pr_rfc.lf));
  const ppk = await alice.post('/api/account/keys', { text: fixtures.pv2_ppk.text });
  assert.equal(ppk.statusCode, 201, ppk.body);
  assert.equal(ppk.json().added[0].fingerprint, fingerprintOf(fixtures.pv2_ppk.lf));
  const listed = (await alice.get('/api/account/keys')).json().keys as { fingerprint: string; bits: number; algorithm: string; comment: string }[];
  assert.deepEqual(listed.map((k) => `${k.bits} ${k.fingerprint} ${k.algorithm}`), [
    `256 ${fingerprintOf(fixtures.ed.lf)} ssh-ed25519`,
    `2048 ${fingerprintOf(fixtures.pr_rfc.lf)} ssh-rsa`,
    `384 ${fingerprintOf(fixtures.pv2_ppk.lf)} ecdsa-sha2-nistp384`,
  ]);
  assert.equal(listed[0]!.comment, 'alice@laptop');
  const gone = await alice.delete(`/api/account/keys?fingerprint=${encodeURIComponent(fingerprintOf(fixtures.pr_rfc.lf)!)}`);
  assert.equal(gone.statusCode, 204);
  assert.equal((await alice.get('/api/account/keys')).json().keys.length, 2);
  assert.equal((await alice.delete(`/api/account/keys?fingerprint=${encodeURIComponent(fingerprintOf(fixtures.pr_rfc.lf)!)}`)).statusCode, 404);
});

test('refused keys and texts say why (400)', async () => {
  const alice = await fx.signedIn(ALICE);
  for (const [text, why] of [
    [fixtures.dsa.text, /DSA keys \(ssh-dss\) are refused/],
    [fixtures.rsa1024.text, /2048/],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n', /private key/],
    ['not a key at all', /./],
    [`command="rm -rf /" ${fixtures.ed.text}`, /forced command/],
  ] as const) {
    const r = await alice.post('/api/account/keys', { text });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.json().message, why);
  }
  assert.equal((await alice.post('/api/account/keys', { text: 'x'.repeat(300 * 1024) })).statusCode, 400);
  assert.equal((await alice.delete('/api/account/keys?fingerprint=nonsense')).statusCode, 400);
});

test("bob neither sees nor deletes alice's keys; the same key may be bob's too", async () => {
  const alice = await fx.signedIn(ALICE);
  const bob = await fx.signedIn(BOB);
  const aliceKeys = (await alice.get('/api/account/keys')).json().keys as { fingerprint: string }[];
  assert.ok(aliceKeys.length > 0);
  assert.deepEqual((await bob.get('/api/account/keys')).json().keys, []);
  for (const k of aliceKeys) assert.equal((await bob.delete(`/api/account/keys?fingerprint=${encodeURIComponent(k.fingerprint)}`)).statusCode, 404);
  assert.equal((await alice.get('/api/account/keys')).json().keys.length, aliceKeys.length);
  assert.equal((await bob.post('/api/account/keys', { text: fixtures.ed.text })).statusCode, 201);
  assert.equal((await bob.get('/api/account/keys')).json().keys.length, 1);
  assert.equal((await alice.get('/api/account/keys')).json().keys.length, aliceKeys.length);
});

test('host key fingerprints are the ones the server was given', async () => {
  const bob = await fx.signedIn(BOB);
  assert.deepEqual((await bob.get('/api/account/host-keys')).json(), { hostKeys: [{ type: 'ssh-ed25519', bits: 256, fingerprint: 'SHA256:test' }] });
});

test('password change: a wrong current password (403) and a bad new one (400) change nothing', async () => {
  const bob = await fx.signedIn(BOB);
  const wrong = await bob.post('/api/account/password', { current: 'not it', new: 'fresh one' });
  assert.equal(wrong.statusCode, 403);
  assert.match(wrong.json().message, /current password is wrong/);
  for (const fresh of ['', 'line\nend', 'nul\0']) {
    const bad = await bob.post('/api/account/password', { current: PASSWORD, new: fresh });
    assert.equal(bad.statusCode, 400, bad.body);
  }
  assert.ok(await verifyPassword(PASSWORD, (await fx.store.accounts.getUserById(fx.bob.id))!.passwordHash));
  assert.equal((await bob.get('/api/account/keys')).statusCode, 200, 'still signed in');
});

test("password change: the new one with the configured scheme; the account's other sessions signed out, this one and others' kept", async () => {
  const first = await fx.signedIn(BOB);
  const second = await fx.signedIn(BOB);
  const alice = await fx.signedIn(ALICE);
  const r = await first.post('/api/account/password', { current: PASSWORD, new: 'bob new password' });
  assert.equal(r.statusCode, 200, r.body);
  // `second` and the sessions bob signed in with in the tests above.
  assert.ok(r.json().signedOut >= 1, r.body);
  const stored = (await fx.store.accounts.getUserById(fx.bob.id))!.passwordHash;
  assert.equal(hashSchemeName(stored), 'argon2id');
  assert.ok(await verifyPassword('bob new password', stored));
  assert.equal((await first.get('/api/account/keys')).statusCode, 200);
  assert.equal((await second.get('/api/account/keys')).statusCode, 401);
  assert.equal((await alice.get('/api/account/keys')).statusCode, 200);
  // Signing in: the new password works, the old one no longer.
  await assert.rejects(fx.client().signIn(BOB, PASSWORD));
  await fx.client().signIn(BOB, 'bob new password');
  // bob's change cannot touch alice's password.
  assert.ok(await verifyPassword(PASSWORD, (await fx.store.accounts.getUserById(fx.alice.id))!.passwordHash));
});
