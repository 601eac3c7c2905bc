// Transcripts of the mail policy: local delivery without AUTH, relay refusal,
// plus-addressing, aliases, postmaster, AUTH and the submission sender binding.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PASSWORD, plainResponse, SmtpFixture, type SmtpClient } from './test-support.ts';

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

async function sendMessage(c: SmtpClient, from: string, to: string[], body = 'Subject: t\r\n\r\nhello\r\n'): Promise<void> {
  await c.command(`MAIL FROM:<${from}>`, 250);
  for (const rcpt of to) await c.command(`RCPT TO:<${rcpt}>`, 250);
  await c.command('DATA', 354);
  await c.command(`${body}.`, 250);
}

describe('SMTP policy transcripts', () => {
  it('RFC 5321 §3.6.2: relaying without authentication is refused with 550 5.7.1', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<someone@elsewhere.example>', 550, '5.7.1');
    assert.deepEqual(await fixture.store.queue.list(), []);
  });

  it('relays with authentication: the message is queued for the remote recipient', async () => {
    fixture = await SmtpFixture.start({ captureLog: true });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command(`AUTH PLAIN ${plainResponse('alice@example.test', PASSWORD)}`, 235, '2.7.0');
    await sendMessage(c, 'alice@example.test', ['someone@elsewhere.example', 'bob@example.test']);
    const queue = await fixture.store.queue.list();
    assert.equal(queue.length, 1);
    assert.deepEqual(queue[0]!.recipients.map((r) => r.address), ['someone@elsewhere.example']);
    assert.equal(queue[0]!.sender, 'alice@example.test');
    const [msg] = await fixture.inbox(fixture.bob);
    assert.match(msg!, /with ESMTPA id/, 'RFC 3848: authenticated');
    assert.ok(!/\tfor </.test(msg!), 'no "for" clause with two recipients');
    assert.equal(fixture.logs.find((e) => e.msg === 'message accepted')?.status, 'delivered+queued');
  });

  it('relays from smtp.trusted_networks without authentication', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { trusted_networks: ['127.0.0.0/8'] } } });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await sendMessage(c, 'app@example.test', ['someone@elsewhere.example']);
    assert.equal((await fixture.store.queue.list()).length, 1);
  });

  it('plus-addressing, aliases (with a remote target) and postmaster reach their users', async () => {
    fixture = await SmtpFixture.start();
    await fixture.store.accounts.addAlias('team@example.test', 'sales@example.test');
    await fixture.store.accounts.addAlias('team@example.test', 'friend@elsewhere.example');
    await fixture.store.accounts.addAlias('loop1@example.test', 'loop2@example.test');
    await fixture.store.accounts.addAlias('loop2@example.test', 'loop1@example.test');
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await sendMessage(c, 'a@b.example', ['BOB+lists@Example.TEST']);
    await sendMessage(c, 'a@b.example', ['team@example.test']);
    await sendMessage(c, 'a@b.example', ['postmaster@example.test']);
    await sendMessage(c, 'a@b.example', ['Postmaster']); // RFC 5321 §4.1.1.3: no domain
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<loop1@example.test>', 550, '5.1.1');
    const bob = await fixture.inbox(fixture.bob);
    assert.equal(bob.length, 2);
    assert.match(bob[0]!, /for <BOB\+lists@example\.test>/, 'RFC 5321 §4.4 "for" with one recipient');
    assert.equal((await fixture.inbox(fixture.alice)).length, 2, 'postmaster goes to the admin');
    const queue = await fixture.store.queue.list();
    assert.deepEqual(queue.map((q) => q.recipients.map((r) => r.address)), [['friend@elsewhere.example']], 'alias target in another domain is queued');
  });

  it('catch-all: with smtp.catch_all and an "@domain" alias unknown users are accepted', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { catch_all: true } } });
    await fixture.store.accounts.addAlias('@example.test', 'bob@example.test');
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await sendMessage(c, 'a@b.example', ['whoever@example.test']);
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
  });

  it('RFC 4954: AUTH LOGIN, wrong password 535, second AUTH 503, cancel 501', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('AUTH PLAIN', 503, 'EHLO');
    await c.command('EHLO x.example', 250);
    await c.command(`AUTH PLAIN ${plainResponse('bob@example.test', 'wrong')}`, 535, '5.7.8');
    await c.command('AUTH PLAIN', 334);
    await c.command('*', 501);
    await c.command('AUTH CRAM-MD5', 504);
    await c.command('AUTH LOGIN', 334, 'VXNlcm5hbWU6');
    await c.command(Buffer.from('bob@example.test').toString('base64'), 334, 'UGFzc3dvcmQ6');
    await c.command(Buffer.from(PASSWORD).toString('base64'), 235);
    await c.command(`AUTH PLAIN ${plainResponse('bob@example.test', PASSWORD)}`, 503, 'Already');
  });

  it('RFC 4954 §4: a LOGIN response that is not base64 gets 501 5.5.2 and the session goes on', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('AUTH LOGIN', 334, 'VXNlcm5hbWU6');
    await c.command('not base64!', 501, '5.5.2 Invalid base64 data');
    await c.command('AUTH LOGIN', 334);
    await c.command(Buffer.from('bob@example.test').toString('base64'), 334, 'UGFzc3dvcmQ6');
    await c.command('%%%', 501, '5.5.2');
    await c.command('NOOP', 250);
  });

  it('RFC 4954 §4: AUTH on a plaintext non-loopback connection is not offered and refused with 538', async () => {
    fixture = await SmtpFixture.start({ remoteAddress: '192.0.2.1' });
    const c = await fixture.connect();
    const ehlo = await c.command('EHLO x.example', 250);
    assert.ok(!ehlo.lines.some((l) => l.startsWith('AUTH')));
    assert.ok(ehlo.lines.includes('STARTTLS'));
    await c.command(`AUTH PLAIN ${plainResponse('bob@example.test', PASSWORD)}`, 538, '5.7.11');
  });

  it('RFC 6409: submission needs AUTH for MAIL and binds the sender to the user', async () => {
    fixture = await SmtpFixture.start({ mode: 'submission' });
    await fixture.store.accounts.addAlias('info@example.test', 'alice@example.test');
    const c = await fixture.connect();
    await c.command('EHLO client.example', 250);
    await c.command('MAIL FROM:<alice@example.test>', 530, '5.7.0');
    await c.command(`AUTH PLAIN ${plainResponse('alice@example.test', PASSWORD)}`, 235);
    await c.command('MAIL FROM:<bob@example.test>', 553, '5.7.1');
    await c.command('MAIL FROM:<>', 553, '5.7.1');
    await c.command('MAIL FROM:<sales@example.test>', 553, 'not owned');
    await c.command('MAIL FROM:<info@example.test>', 250); // an alias leading to the user
    await c.command('RSET', 250);
    await c.command('MAIL FROM:<Alice+news@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command('Subject: no id\r\n\r\nbody\r\n.', 250);
    const [msg] = await fixture.inbox(fixture.bob);
    assert.match(msg!, /\r\nMessage-ID: <[^>]+@mx\.example\.test>\r\n/, 'RFC 6409 §8.3 Message-ID added');
    assert.match(msg!, /\r\nDate: \w{3}, \d+ \w{3} \d{4} /, 'RFC 6409 §8.2 Date added');
    assert.ok(msg!.endsWith('Subject: no id\r\n\r\nbody\r\n'));
  });

  it('RFC 1870: SIZE too large is refused at MAIL and while reading DATA', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { max_message_size: 2000 } } });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250, 'SIZE 2000');
    await c.command('MAIL FROM:<a@b.example> SIZE=2001', 552, '5.3.4');
    await c.command('MAIL FROM:<a@b.example> SIZE=100', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command(`Subject: big\r\n\r\n${'x'.repeat(70)}\r\n`.repeat(40) + '.', 552, '5.3.4');
    await c.command('NOOP', 250); // the session goes on after the oversized body
    assert.deepEqual(await fixture.inbox(fixture.bob), []);
  });

  it('RFC 3463 X.2.2: over quota gives 452 4.2.2, a message larger than the quota 552 5.2.2', async () => {
    fixture = await SmtpFixture.start();
    await fixture.store.accounts.setQuota('bob@example.test', 1500);
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command(`Subject: big\r\n\r\n${'x'.repeat(2000)}\r\n.`, 552, '5.2.2');
    await sendMessage(c, 'a@b.example', ['bob@example.test'], `Subject: fits\r\n\r\n${'y'.repeat(900)}\r\n`);
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command(`Subject: second\r\n\r\n${'z'.repeat(900)}\r\n.`, 452, '4.2.2');
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
  });

  it('RFC 6531: UTF-8 addresses need SMTPUTF8', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<jösé@b.example>', 553, '5.6.7');
    await c.command('MAIL FROM:<jösé@b.example> SMTPUTF8', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
  });
});
