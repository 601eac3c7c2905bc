// Logins: USER/PASS, AUTH PLAIN (RFC 5034), STLS (RFC 2595 §4), CAPA (RFC 2449 §5)
// and the refusal of passwords over plaintext from non-loopback clients.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, before, describe, it } from 'node:test';
import type { TlsProvider } from '../core/net/connection.ts';
import { PASSWORD, Pop3Fixture, testTlsProvider, USER } from './test-support.ts';

let fixture: Pop3Fixture;
let tls: TlsProvider;
before(async () => {
  tls = await testTlsProvider();
});
afterEach(() => fixture?.close());

const remote = { remoteAddress: '192.0.2.1', remotePort: 40000, localAddress: '198.51.100.1', localPort: 110 };
const plain = (authzid: string, authcid: string, password: string) => Buffer.from(`${authzid}\0${authcid}\0${password}`).toString('base64');

const CAPA_LOOPBACK = ['TOP', 'USER', 'SASL PLAIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'UIDL', 'STLS', 'EXPIRE NEVER', 'LOGIN-DELAY 0', 'IMPLEMENTATION Septet'];
const CAPA_PLAINTEXT_REMOTE = ['TOP', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'UIDL', 'STLS', 'EXPIRE NEVER', 'LOGIN-DELAY 0', 'IMPLEMENTATION Septet'];

describe('POP3 authentication', () => {
  it('a wrong password gets -ERR [AUTH] after the authenticator has answered (RFC 3206 §5)', async () => {
    fixture = await Pop3Fixture.start({
      wrapAuth: (auth) => ({
        canonicalUsername: (name) => auth.canonicalUsername(name),
        prove: (attempt, verify) => auth.prove(attempt, verify),
        // Stands in for the throttling delay of a real Authenticator.
        login: async (attempt) => {
          const account = await auth.login(attempt);
          if (!account) await sleep(300);
          return account;
        },
      }),
    });
    const c = await fixture.connect();
    await c.expectOk(`USER ${USER}`);
    const started = Date.now();
    assert.equal(await c.command('PASS wrong'), '-ERR [AUTH] Authentication failed');
    assert.ok(Date.now() - started >= 290);
    // RFC 1939 §7: back in AUTHORIZATION, the user name is forgotten.
    assert.equal(await c.command(`PASS ${PASSWORD}`), '-ERR Send USER first');
    await c.expectOk('USER nobody@example.org');
    assert.equal(await c.command(`PASS ${PASSWORD}`), '-ERR [AUTH] Authentication failed');
    await c.expectOk(`USER ${USER}`);
    assert.match(await c.command(`PASS ${PASSWORD}`), /^\+OK Logged in/);
    await c.expectOk('QUIT');
  });

  it('PASS takes the rest of the line, spaces included (RFC 1939 §7)', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.connect();
    await c.expectOk(`USER ${USER}`);
    assert.equal(PASSWORD.includes(' '), true);
    assert.match(await c.command(`PASS ${PASSWORD}`), /^\+OK/);
    await c.expectOk('QUIT');
  });

  it('CAPA on loopback offers USER, SASL PLAIN and STLS (RFC 2449 §5)', async () => {
    fixture = await Pop3Fixture.start({ tls });
    const c = await fixture.connect();
    assert.deepEqual(await c.multiline('CAPA'), { status: '+OK Capability list follows', lines: CAPA_LOOPBACK });
    await c.expectOk(`USER ${USER}`);
    await c.expectOk(`PASS ${PASSWORD}`);
    // After login: no STLS (AUTHORIZATION only), SASL still listed (RFC 5034 §3).
    assert.deepEqual((await c.multiline('CAPA')).lines, CAPA_LOOPBACK.filter((l) => l !== 'STLS'));
    await c.expectOk('QUIT');
  });

  it('refuses passwords over plaintext from a non-loopback client (RFC 2595 §4)', async () => {
    fixture = await Pop3Fixture.start({ tls });
    fixture.nextAddress = remote;
    const c = await fixture.connect();
    assert.deepEqual((await c.multiline('CAPA')).lines, CAPA_PLAINTEXT_REMOTE);
    const refusal = '-ERR [AUTH] Plaintext authentication is disabled on this unencrypted connection; use STLS first';
    assert.equal(await c.command(`USER ${USER}`), refusal);
    assert.equal(await c.command(`PASS ${PASSWORD}`), refusal);
    assert.equal(await c.command(`AUTH PLAIN ${plain('', USER, PASSWORD)}`), refusal);
    assert.equal(await c.command('AUTH PLAIN'), refusal);
    await c.expectOk('QUIT');
  });

  it('auth.allow_plaintext lets a non-loopback client log in without TLS', async () => {
    fixture = await Pop3Fixture.start({ configure: (config) => (config.auth.allow_plaintext = true) });
    fixture.nextAddress = remote;
    const c = await fixture.connect();
    const { lines } = await c.multiline('CAPA');
    assert.ok(lines.includes('USER') && lines.includes('SASL PLAIN'));
    await c.expectOk(`USER ${USER}`);
    await c.expectOk(`PASS ${PASSWORD}`);
    await c.expectOk('QUIT');
  });

  it('AUTH PLAIN with an initial response (RFC 5034 §4)', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.connect();
    assert.match(await c.command(`AUTH PLAIN ${plain('', USER, PASSWORD)}`), /^\+OK Logged in/);
    assert.equal(await c.command('AUTH PLAIN'), '-ERR AUTH is not valid in this state');
    await c.expectOk('QUIT');
  });

  it('AUTH PLAIN after an empty "+ " challenge, with authzid equal to authcid', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.connect();
    c.write('AUTH PLAIN\r\n');
    assert.equal((await c.rawLine()).toString(), '+ \r\n');
    assert.match(await c.command(plain(USER, USER, PASSWORD)), /^\+OK Logged in/);
    await c.expectOk('QUIT');
  });

  it('AUTH PLAIN: "*" cancels, and bad input gets -ERR without ending the session', async () => {
    fixture = await Pop3Fixture.start();
    const c = await fixture.connect();
    assert.equal(await c.command('AUTH PLAIN'), '+ ');
    assert.equal(await c.command('*'), '-ERR Authentication cancelled');
    assert.equal(await c.command('AUTH PLAIN'), '+ ');
    assert.equal(await c.command('not base64!'), '-ERR Invalid base64 in SASL response');
    assert.equal(await c.command('AUTH PLAIN =AAA'), '-ERR Invalid base64 in SASL response');
    assert.equal(await c.command('AUTH PLAIN ='), '-ERR Malformed SASL PLAIN response');
    assert.equal(await c.command(`AUTH PLAIN ${Buffer.from('no nul here').toString('base64')}`), '-ERR Malformed SASL PLAIN response');
    assert.equal(await c.command(`AUTH PLAIN ${plain('bob@example.org', USER, PASSWORD)}`), '-ERR [AUTH] Authorization identity must be empty or equal to the authentication identity');
    assert.equal(await c.command(`AUTH PLAIN ${plain('', USER, 'wrong')}`), '-ERR [AUTH] Authentication failed');
    assert.equal(await c.command('AUTH CRAM-MD5'), '-ERR Unsupported SASL mechanism; use PLAIN');
    assert.deepEqual(await c.multiline('AUTH'), { status: '+OK SASL mechanisms follow', lines: ['PLAIN'] });
    // An initial response longer than 255 octets is accepted (RFC 5034 §4 leniency).
    const longPassword = 'p'.repeat(300);
    assert.equal(await c.command(`AUTH PLAIN ${plain('', USER, longPassword)}`), '-ERR [AUTH] Authentication failed');
    assert.match(await c.command(`AUTH plain ${plain('', USER, PASSWORD)}`), /^\+OK Logged in/);
    await c.expectOk('QUIT');
  });

  it('STLS upgrades, discards pipelined plaintext, then allows login (RFC 2595 §4, §3.1)', async () => {
    fixture = await Pop3Fixture.start({ tls });
    fixture.nextAddress = remote;
    const c = await fixture.connect();
    // A man in the middle appends a command after STLS: it must not run under TLS.
    c.write(`STLS\r\nUSER ${USER}\r\n`);
    assert.equal(await c.line(), '+OK Begin TLS negotiation');
    await c.startTls();
    assert.ok(c.encrypted);
    assert.equal(await c.command(`PASS ${PASSWORD}`), '-ERR Send USER first');
    assert.deepEqual((await c.multiline('CAPA')).lines, CAPA_LOOPBACK.filter((l) => l !== 'STLS'));
    assert.equal(await c.command('STLS'), '-ERR Command not permitted when TLS active');
    await c.expectOk(`USER ${USER}`);
    assert.match(await c.command(`PASS ${PASSWORD}`), /^\+OK Logged in/);
    await c.expectOk('QUIT');
    await c.closedByServer();
  });

  it('implicit TLS (pop3s): no STLS offered, passwords allowed from anywhere', async () => {
    fixture = await Pop3Fixture.start({ tls, implicitTls: true });
    fixture.nextAddress = remote;
    const c = await fixture.connect();
    assert.match(c.greeting, /^\+OK /);
    assert.deepEqual((await c.multiline('CAPA')).lines, CAPA_LOOPBACK.filter((l) => l !== 'STLS'));
    assert.equal(await c.command('STLS'), '-ERR Command not permitted when TLS active');
    await c.expectOk(`USER ${USER}`);
    await c.expectOk(`PASS ${PASSWORD}`);
    await c.expectOk('QUIT');
  });

  it('a failed TLS handshake after STLS drops the connection, the server carries on', async () => {
    fixture = await Pop3Fixture.start({ tls });
    const c = await fixture.connect();
    assert.equal(await c.command('STLS'), '+OK Begin TLS negotiation');
    c.write('this is not a TLS ClientHello\r\n');
    await c.closedByServer();
    await fixture.sessionsEnded();
    const again = await fixture.login();
    await again.expectOk('QUIT');
  });
});
