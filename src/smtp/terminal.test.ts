// RFC 821 §3.5 SEND, SOML, SAML over a socket pair: off by default (502), listed in
// EHLO when on (RFC 5321 F.6), refused before AUTH, local recipients only, 450 "User
// not active now" for SEND without a terminal, SOML falling back to the mailbox,
// SAML doing both, and a message shown with its control characters defused.

import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTerminalRegistry } from '../core/bus/terminal-registry.ts';
import type { TerminalNotice } from '../core/bus/terminals.ts';
import { PASSWORD, plainResponse, SmtpFixture, type SmtpClient } from './test-support.ts';
import { terminalText } from './commands/terminal.ts';

const ON = { smtp: { terminal_delivery: true } };

async function login(c: SmtpClient, user = 'alice@example.test'): Promise<void> {
  await c.command('EHLO client.example', 250);
  await c.command(`AUTH PLAIN ${plainResponse(user, PASSWORD)}`, 235);
}

async function message(c: SmtpClient, body: string, code = 250, contains?: string | RegExp): Promise<void> {
  await c.command('DATA', 354);
  c.send(`${body}\r\n.\r\n`);
  await c.expect(code, contains);
}

describe('SMTP SEND, SOML, SAML (RFC 821 §3.5)', () => {
  let fixture: SmtpFixture | null = null;
  afterEach(async () => {
    await fixture?.stop();
    fixture = null;
  });

  it('are 502 by default, even with a terminal registry, and not in EHLO', async () => {
    fixture = await SmtpFixture.start({ terminals: new LocalTerminalRegistry() });
    const c = await fixture.connect();
    const ehlo = await c.command('EHLO client.example', 250);
    assert.ok(!ehlo.lines.includes('SEND'));
    for (const verb of ['SEND', 'SOML', 'SAML']) await c.command(`${verb} FROM:<alice@example.test>`, 502, 'smtp.terminal_delivery');
    c.destroy();
  });

  it('when on: listed in EHLO; before AUTH 530; in the wrong state 503', async () => {
    fixture = await SmtpFixture.start({ terminals: new LocalTerminalRegistry(), config: ON });
    const c = await fixture.connect();
    await c.command('SEND FROM:<a@b.example>', 503, 'HELO');
    const ehlo = await c.command('EHLO client.example', 250);
    for (const verb of ['SEND', 'SOML', 'SAML']) assert.ok(ehlo.lines.includes(verb), verb);
    await c.command('SEND FROM:<alice@example.test>', 530, 'authentication');
    await c.command(`AUTH PLAIN ${plainResponse('alice@example.test', PASSWORD)}`, 235);
    await c.command('SEND FROM:<alice@example.test>', 250);
    await c.command('SOML FROM:<alice@example.test>', 503, 'Nested SOML');
    c.destroy();
  });

  it('SEND: shown on every terminal of the recipient, nothing stored; 450 without a terminal; 551 for a remote recipient', async () => {
    const terminals = new LocalTerminalRegistry();
    fixture = await SmtpFixture.start({ terminals, config: ON });
    const seen: TerminalNotice[] = [];
    terminals.attach(fixture.bob.id, (n) => seen.push(n));
    terminals.attach(fixture.bob.id, (n) => seen.push(n));
    const c = await fixture.connect();
    await login(c);
    await c.command('SEND FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<alice@example.test>', 450, 'User not active now');
    await c.command('RCPT TO:<someone@remote.example>', 551, 'User not local');
    await c.command('RCPT TO:<nobody@example.test>', 550);
    await c.command('RCPT TO:<sales@example.test>', 250); // an alias of bob
    await message(c, 'Subject: lunch?\r\n\r\nAt noon.\x1b]52;c;ZXZpbA==\x07', 250, 'Shown on 2 terminals');
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.from, 'alice@example.test');
    assert.equal(seen[0]!.text, 'Subject: lunch?\r\n\r\nAt noon.?]52;c;ZXZpbA==?\r\n');
    assert.deepEqual(await fixture.inbox(fixture.bob), []);
    // Another envelope sender: the terminal names the account that logged in first.
    await c.command('SEND FROM:<ceo@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await message(c, 'Subject: urgent\r\n\r\nwire money', 250, 'Shown on 2 terminals');
    assert.equal(seen[2]!.from, 'alice@example.test (envelope sender ceo@example.test)');
    c.destroy();
  });

  it('SEND: a terminal that closes before DATA ends makes DATA 451; RSET, then MAIL works as usual', async () => {
    const terminals = new LocalTerminalRegistry();
    fixture = await SmtpFixture.start({ terminals, config: ON });
    const attachment = terminals.attach(fixture.bob.id, () => {});
    const c = await fixture.connect();
    await login(c);
    await c.command('SEND FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    attachment.detach();
    await message(c, 'hello', 451, 'no recipient has a terminal');
    await c.command('MAIL FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await message(c, 'Subject: plain\r\n\r\nmail', 250, 'queued');
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
    c.destroy();
  });

  it('SOML: the terminal when there is one, else the mailbox ("User not active now, so will do mail.")', async () => {
    const terminals = new LocalTerminalRegistry();
    fixture = await SmtpFixture.start({ terminals, config: ON });
    const seen: string[] = [];
    terminals.attach(fixture.alice.id, (n) => seen.push(n.text));
    const c = await fixture.connect();
    await login(c, 'bob@example.test');
    await c.command('SOML FROM:<bob@example.test>', 250);
    await c.command('RCPT TO:<alice@example.test>', 250, 'Recipient OK');
    await c.command('RCPT TO:<bob@example.test>', 250, 'so will do mail');
    await message(c, 'Subject: soml\r\n\r\nhi', 250, 'queued');
    assert.deepEqual(seen, ['Subject: soml\r\n\r\nhi\r\n']);
    assert.equal((await fixture.inbox(fixture.alice)).length, 0);
    const inbox = await fixture.inbox(fixture.bob);
    assert.equal(inbox.length, 1);
    assert.match(inbox[0]!, /Subject: soml\r\n/);
    // Only terminals: the reply says so.
    await c.command('SOML FROM:<bob@example.test>', 250);
    await c.command('RCPT TO:<alice@example.test>', 250);
    await message(c, 'again', 250, 'Shown on 1 terminal');
    c.destroy();
  });

  it('SAML: the terminal and the mailbox; too long a message is 552; BDAT is refused', async () => {
    const terminals = new LocalTerminalRegistry();
    fixture = await SmtpFixture.start({ terminals, config: { smtp: { terminal_delivery: true, terminal_max_message: 256 } } });
    const seen: string[] = [];
    terminals.attach(fixture.bob.id, (n) => seen.push(n.text));
    const c = await fixture.connect();
    await login(c);
    await c.command('SAML FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await message(c, 'Subject: both\r\n\r\nx', 250, 'queued');
    assert.equal(seen.length, 1);
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
    await c.command('SAML FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await message(c, 'y'.repeat(300), 552, 'too long for a terminal');
    await c.command('SEND FROM:<alice@example.test>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    c.send('BDAT 5 LAST\r\nhello');
    await c.expect(503, 'BDAT cannot carry');
    await c.command('NOOP', 250);
    assert.equal(seen.length, 1);
    c.destroy();
  });

  it('the text shown: UTF-8, CRLF, control characters replaced', () => {
    assert.equal(terminalText(Buffer.from('a\x1b[2Jb\rc\nd\x00\té', 'utf8')), 'a?[2Jb\r\nc\r\nd?\té');
  });
});
