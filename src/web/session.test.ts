// Sign-in, sign-out, access levels, CSRF and the error shape, through inject().

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SESSION_CACHE_MS } from './session.ts';
import { ALICE, BOB, WebFixture } from './testing/app.ts';

let fx: WebFixture;
before(async () => {
  fx = await WebFixture.start();
});
after(() => fx.close());

test('anonymous: GET /api/session says signed out and gives a CSRF token; the console redirects to sign-in', async () => {
  const c = fx.client();
  const r = await c.get('/api/session');
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().signedIn, false);
  assert.ok(r.json().csrfToken.length > 10);
  const page = await c.get('/console/');
  assert.equal(page.statusCode, 303);
  assert.equal(page.headers.location, '/console/login.html');
  const login = await c.get('/console/login.html');
  assert.equal(login.statusCode, 200);
  assert.match(String(login.headers['content-security-policy']), /script-src 'self'/);
  assert.match(String(login.headers['strict-transport-security']), /max-age=31536000/);
});

test('sign-in without a CSRF token is refused; with it the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict', async () => {
  const c = fx.client();
  await c.get('/api/session');
  const refused = await c.request('POST', '/api/session', { json: { username: ALICE, password: 'correct horse' }, csrf: false });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().error, 'csrf');
  await c.signIn(ALICE);
  const raw = ([] as string[]).concat(await (async () => {
    const again = fx.client();
    const first = await again.get('/api/session');
    again.csrfToken = first.json().csrfToken;
    const r = await again.post('/api/session', { username: ALICE, password: 'correct horse' });
    return r.headers['set-cookie'] as string | string[];
  })());
  const session = raw.find((line) => line.startsWith('__Host-septet='));
  assert.ok(session, 'session cookie set');
  assert.match(session, /Secure/);
  assert.match(session, /HttpOnly/);
  assert.match(session, /SameSite=Strict/);
  assert.match(session, /Path=\//);
  assert.doesNotMatch(session, /Domain=/i);
  const me = await c.get('/api/session');
  assert.deepEqual(me.json().account, { address: ALICE, admin: true });
  assert.equal((await c.get('/console/')).statusCode, 200);
});

test('a wrong password is 401 with the error shape; a cross-site POST is refused', async () => {
  const c = fx.client();
  const t = await c.get('/api/session');
  c.csrfToken = t.json().csrfToken;
  const wrong = await c.post('/api/session', { username: BOB, password: 'nope' });
  assert.equal(wrong.statusCode, 401);
  assert.deepEqual(Object.keys(wrong.json()).sort(), ['error', 'message']);
  const cross = await c.request('POST', '/api/session', { json: { username: BOB, password: 'correct horse' }, headers: { 'sec-fetch-site': 'cross-site' } });
  assert.equal(cross.statusCode, 403);
});

test('sign-out ends the session in the store: the old cookie no longer works', async () => {
  const c = await fx.signedIn(BOB);
  const cookie = c.cookies.get('__Host-septet');
  assert.ok(cookie);
  assert.equal((await c.delete('/api/session')).statusCode, 204);
  const replay = fx.client();
  replay.cookies.set('__Host-septet', cookie);
  assert.equal((await replay.get('/api/session')).json().signedIn, false);
});

test('unknown API paths are 404 JSON; the OpenAPI document is served', async () => {
  const c = await fx.signedIn(BOB);
  const r = await c.get('/api/nothing-here');
  assert.equal(r.statusCode, 404);
  assert.equal(r.json().error, 'not-found');
  const doc = await fx.client().get('/api/openapi.json');
  assert.equal(doc.statusCode, 200);
  assert.equal(doc.json().openapi, '3.1.0');
  assert.ok(doc.json().paths['/api/session']);
});

test('sign-in attempts beyond web.login_rate per minute from one address get 429 with Retry-After', async () => {
  const limited = await WebFixture.start({ configure: (c) => (c.web.login_rate = 3) });
  try {
    const c = limited.client();
    c.csrfToken = (await c.get('/api/session')).json().csrfToken;
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await c.post('/api/session', { username: BOB, password: 'wrong' })).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 429, 429]);
    const last = await c.post('/api/session', { username: BOB, password: 'correct horse' });
    assert.equal(last.statusCode, 429, 'even the right password waits');
    assert.equal(last.json().error, 'rate-limited');
    assert.ok(last.headers['retry-after']);
  } finally {
    await limited.close();
  }
});

test('a session older than web.session_max_age is signed out however busy it is', async () => {
  const short = await WebFixture.start({ configure: (c) => (c.web.session_max_age = 300) });
  try {
    const c = await short.signedIn(ALICE);
    assert.equal((await c.get('/api/session')).json().signedIn, true);
    // Age the stored session past its maximum (the store keeps only the hash of the token).
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(c.cookies.get('__Host-septet')!).digest('hex');
    const stored = await short.store.webSessions.get(hash, new Date());
    assert.ok(stored, 'the store keeps the hash of the cookie, not the cookie');
    await short.store.webSessions.delete(hash);
    await short.store.webSessions.create({ ...stored, createdAt: new Date(Date.now() - 301_000) });
    // The process remembers a signed-in session for SESSION_CACHE_MS; the store is read after it.
    await new Promise((r) => setTimeout(r, SESSION_CACHE_MS + 100));
    assert.equal((await c.get('/api/session')).json().signedIn, false);
    assert.equal(await short.store.webSessions.get(hash, new Date()), null, 'and it is gone from the store');
  } finally {
    await short.close();
  }
});
