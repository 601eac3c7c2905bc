// Transcripts of the submission sender binding for the header (RFC 6409 §6.1,
// mail/sender-binding.ts): after DATA and BDAT LAST a From:/Sender: the user does
// not own is refused with 553 5.7.1 naming the header, and nothing is stored or
// queued; the MTA port (25) is not affected.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PASSWORD, plainResponse, SmtpFixture, type SmtpClient } from './test-support.ts';

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

async function loggedIn(user = 'alice@example.test'): Promise<SmtpClient> {
  fixture = await SmtpFixture.start({ mode: 'submission' });
  const c = await fixture.connect();
  await c.command('EHLO client.example', 250);
  await c.command(`AUTH PLAIN ${plainResponse(user, PASSWORD)}`, 235);
  return c;
}

async function data(c: SmtpClient, message: string, code: number, contains?: string): Promise<void> {
  await c.command('MAIL FROM:<alice@example.test>', 250);
  await c.command('RCPT TO:<bob@example.test>', 250);
  await c.command('RCPT TO:<far@remote.example>', 250);
  await c.command('DATA', 354);
  await c.command(`${message}.`, code, contains);
}

describe('submission: From:/Sender: belong to the user (RFC 6409 §6.1)', () => {
  it('DATA: a foreign From is refused with 553 5.7.1 naming the header; nothing stored or queued; own From accepted', async () => {
    const c = await loggedIn();
    await data(c, 'From: boris@example.test\r\nSubject: forged\r\n\r\nx\r\n', 553, '5.7.1 From: header address boris@example.test not owned by alice@example.test');
    await data(c, 'From: Alice <alice@example.test>\r\nSender: bob@example.test\r\n\r\nx\r\n', 553, 'Sender: header address bob@example.test not owned by alice@example.test');
    await data(c, 'From: alice@example.test\r\nFrom: bob@example.test\r\n\r\nx\r\n', 553, 'From: header occurs 2 times');
    await data(c, 'From: alice@example.test,\r\n bob@example.test\r\n\r\nx\r\n', 553, 'From: header address bob@example.test');
    assert.deepEqual(await fixture!.inbox(fixture!.bob), []);
    assert.deepEqual(await fixture!.store.queue.list(), []);
    await data(c, 'From: =?UTF-8?Q?Alice_S=C3=B6rensen?=\r\n <alice@example.test>\r\nSubject: mine\r\n\r\nx\r\n', 250);
    const [stored] = await fixture!.inbox(fixture!.bob);
    assert.match(stored!, /Subject: mine/);
    assert.equal((await fixture!.store.queue.list()).length, 1);
  });

  it('a missing From is completed with the envelope sender (RFC 5322 §3.6), so it is the user\'s own', async () => {
    const c = await loggedIn();
    await c.command('MAIL FROM:<alice+lists@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command('Subject: no from\r\n\r\nx\r\n.', 250);
    const [stored] = await fixture!.inbox(fixture!.bob);
    assert.match(stored!, /\r\nFrom: alice\+lists@example\.test\r\n/);
  });

  it('BDAT: a bare CR cannot hide a second From from the check (the relay would turn it into a line end)', async () => {
    const c = await loggedIn();
    await c.command('MAIL FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    const hidden = 'Subject: x\rFrom: bob@example.test\r\n\r\nbody\r\n';
    c.send(`BDAT ${Buffer.byteLength(hidden)} LAST\r\n${hidden}`);
    await c.expect(553, '5.7.1 From: header cannot be checked: bare CR in the header block (RFC 5322 section 2.3)');
    assert.deepEqual(await fixture!.inbox(fixture!.bob), []);
  });

  it('BDAT LAST: the header is checked over all chunks; refused, then the session goes on', async () => {
    const c = await loggedIn();
    await c.command('MAIL FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    const first = 'Subject: chunked\r\nFrom: Boris\r\n';
    const last = ' <bob@example.test>\r\n\r\nbody\r\n';
    c.send(`BDAT ${Buffer.byteLength(first)}\r\n${first}`);
    await c.expect(250);
    c.send(`BDAT ${Buffer.byteLength(last)} LAST\r\n${last}`);
    await c.expect(553, '5.7.1 From: header address bob@example.test not owned by alice@example.test');
    assert.deepEqual(await fixture!.inbox(fixture!.bob), []);
    const own = 'From: alice@example.test\r\n\r\nbody\r\n';
    await c.command('MAIL FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    c.send(`BDAT ${Buffer.byteLength(own)} LAST\r\n${own}`);
    await c.expect(250);
    assert.equal((await fixture!.inbox(fixture!.bob)).length, 1);
  });

  it('an alias leading to the user counts as owned; after setSendAsDomain any address of the domain does', async () => {
    const c = await loggedIn();
    await fixture!.store.accounts.addAlias('info@example.test', 'alice@example.test');
    await data(c, 'From: Info <info@example.test>\r\n\r\nx\r\n', 250);
    await data(c, 'From: Sales <sales@example.test>\r\n\r\nx\r\n', 553, 'sales@example.test not owned');
    await fixture!.store.accounts.setSendAsDomain('alice@example.test', true);
    // Read again at each check: takes effect in a session that authenticated before.
    await data(c, 'From: Sales <sales@example.test>\r\n\r\nx\r\n', 250);
    await c.command('MAIL FROM:<noreply@example.test>', 250);
    await c.command('RSET', 250);
    await data(c, 'From: someone@remote.example\r\n\r\nx\r\n', 553, 'someone@remote.example not owned');
  });

  it('port 25 (MTA) is not affected: a foreign From from the Internet is delivered', async () => {
    fixture = await SmtpFixture.start({ mode: 'mta' });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<someone@remote.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command('From: alice@example.test\r\nFrom: other@remote.example\r\n\r\nx\r\n.', 250);
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
  });
});
