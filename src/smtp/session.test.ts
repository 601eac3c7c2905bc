// Transcript tests of whole SMTP dialogues over a real socket: the basic commands,
// state handling and bad input.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { smtpRefusal } from './server.ts';
import { SmtpFixture } from './test-support.ts';

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

describe('SMTP session transcripts', () => {
  it('RFC 5321 Appendix D.1: a typical transaction with one unknown recipient', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    const ehlo = await c.command('EHLO bar.com', 250, 'mx.example.test Hello bar.com');
    for (const cap of ['PIPELINING', 'SIZE 52428800', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'AUTH PLAIN LOGIN', 'CHUNKING', 'DSN']) {
      assert.ok(ehlo.lines.includes(cap), `EHLO advertises ${cap}`);
    }
    await c.command('MAIL FROM:<Smith@bar.com>', 250, '2.1.0');
    await c.command('RCPT TO:<alice@example.test>', 250, '2.1.5');
    await c.command('RCPT TO:<Green@example.test>', 550, '5.1.1');
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command('Subject: hi\r\n\r\nBlah blah blah...\r\n...etc. etc. etc.\r\n.', 250, '2.0.0');
    await c.command('QUIT', 221);
    assert.equal(await c.readToEnd(), '');
    const [alice] = await fixture.inbox(fixture.alice);
    const [bob] = await fixture.inbox(fixture.bob);
    assert.ok(alice && bob, 'both recipients got the message');
    assert.match(alice, /^Received: from bar\.com \(\[127\.0\.0\.1\]\)\r\n\tby mx\.example\.test \(Septet\) with ESMTP id \w+;/);
    assert.ok(alice.endsWith('Subject: hi\r\n\r\nBlah blah blah...\r\n..etc. etc. etc.\r\n'), 'dot-unstuffed body');
    assert.equal(alice, bob);
  });

  it('RFC 2920: all commands pipelined in one write get their replies in order', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    c.send('EHLO pipe.example\r\nMAIL FROM:<x@pipe.example>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: p\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n');
    await c.expect(250, 'Hello');
    await c.expect(250, '2.1.0');
    await c.expect(550, '5.1.1');
    await c.expect(250, '2.1.5');
    await c.expect(354);
    await c.expect(250, 'queued');
    await c.expect(250, '2.0.0');
    await c.expect(221);
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
  });

  it('RFC 5321 §4.5.2: dot-unstuffing, and a lone "." ends the data', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('HELO a.example', 250);
    await c.command('MAIL FROM:<>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    await c.command('\r\n..\r\n...x\r\n.y\r\n. \r\n.', 250);
    const [msg] = await fixture.inbox(fixture.bob);
    assert.ok(msg!.endsWith('\r\n\r\n.\r\n..x\r\ny\r\n \r\n'), JSON.stringify(msg));
    assert.match(msg!, /with SMTP id/, 'HELO gives "with SMTP" (RFC 3848)');
  });

  it('RFC 5321 §4.1.1.5: RSET clears the transaction; commands out of sequence get 503', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('MAIL FROM:<a@b.example>', 503, '5.5.1');
    await c.command('EHLO x.example', 250);
    await c.command('RCPT TO:<bob@example.test>', 503, '5.5.1');
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('MAIL FROM:<a@b.example>', 503, 'Nested');
    await c.command('DATA', 503, 'No valid recipients');
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('RSET', 250, '2.0.0');
    await c.command('DATA', 503);
    await c.command('RCPT TO:<bob@example.test>', 503);
    await c.command('MAIL FROM:<a@b.example>', 250, '2.1.0'); // after RSET a new transaction starts
    await c.command('RSET extra', 501, '5.5.4');
    await c.command('NOOP whatever', 250);
    await c.command('HELP', 214, 'RFC 5321');
    await c.command('QUIT', 221);
  });

  it('answers VRFY 252 and EXPN 502 when disabled, and TURN/SEND/SOML/SAML 502 with a reason', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('VRFY bob@example.test', 252, '2.5.0');
    await c.command('EXPN sales@example.test', 502, 'disabled');
    await c.command('TURN', 502, 'F.1');
    await c.command('SEND FROM:<a@b.example>', 502, 'obsolete');
    await c.command('SOML FROM:<a@b.example>', 502, 'obsolete');
    await c.command('SAML FROM:<a@b.example>', 502, 'obsolete');
  });

  it('answers VRFY and EXPN when enabled in configuration', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { vrfy: true, expn: true } } });
    const c = await fixture.connect();
    await c.command('VRFY <bob@example.test>', 250, '<bob@example.test>');
    await c.command('VRFY nobody@example.test', 550, '5.1.1');
    await c.command('EXPN sales@example.test', 250, '<bob@example.test>');
    await c.command('EXPN bob@example.test', 550);
  });

  it('bad input: 500/501/555 replies and the session goes on', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('FOO', 500, '5.5.2');
    await c.command('EHLO', 501, '5.5.4');
    await c.command('EHLO ok.example', 250);
    await c.command('MAIL TO:<a@b.example>', 501);
    await c.command('MAIL FROM:a@b.example', 501, '5.1.3');
    await c.command('MAIL FROM:<a@b.example> FOO=bar', 555, '5.5.4');
    await c.command('MAIL FROM:<a@b.example> SIZE=abc', 501);
    await c.command('MAIL FROM:<a@@b.example>', 501);
    await c.command('MAIL FROM:<a@b.example> BODY=8BITMIME SMTPUTF8', 250);
    await c.command('RCPT TO:<bob@example.test> XNOTIFY=NEVER', 555, 'XNOTIFY');
    await c.command('RCPT TO:<>', 501);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('QUIT', 221);
  });

  it('RFC 5321 §4.5.3.1.4: an overlong line gets 500 5.5.6 and the session goes on', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { max_line_length: 600 } } });
    const c = await fixture.connect();
    await c.command(`NOOP ${'x'.repeat(5000)}`, 500, '5.5.6');
    await c.command('NOOP', 250);
  });

  it('closes with 421 after smtp.max_errors protocol errors', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { max_errors: 3 } } });
    const c = await fixture.connect();
    await c.command('BAD1', 500);
    await c.command('BAD2', 500);
    await c.command('BAD3', 500);
    await c.expect(421, '4.7.0');
    assert.equal(await c.readToEnd(), '');
  });

  it('refuses an HTTP request line (any RFC 9110 §9 method, TRACE too) as first command with 554 and closes', async () => {
    fixture = await SmtpFixture.start();
    for (const request of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'TRACE / HTTP/1.1\r\n\r\n']) {
      const c = await fixture.connect();
      c.send(request);
      await c.expect(554, '5.7.0');
      assert.equal(await c.readToEnd(), '');
    }
  });

  it('RFC 5321 §3.8: a refused connection hears 421, also while the service starts', () => {
    assert.equal(smtpRefusal('starting'), '421 4.3.2 Service not available\r\n');
    assert.equal(smtpRefusal('too-many', 'mx.example.test'), '421 4.7.0 mx.example.test Too many connections, try again later\r\n');
    assert.equal(smtpRefusal('shutting-down', 'mx.example.test'), '421 4.3.2 mx.example.test Server shutting down, try again later\r\n');
    assert.equal(smtpRefusal('banned', 'mx.example.test'), '421 4.7.0 mx.example.test Too many failed logins from your address, try again later\r\n');
  });

  it('RFC 5321 §4.5.3.2.7: idle timeout → 421 4.4.2 and close', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { command_timeout: 1 } } });
    const c = await fixture.connect();
    await c.command('EHLO slow.example', 250);
    const started = Date.now();
    await c.expect(421, '4.4.2');
    assert.ok(Date.now() - started >= 900);
    assert.equal(await c.readToEnd(), '');
  });

  it('a disconnect in the middle of DATA delivers nothing', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    c.send('Subject: cut\r\n\r\nhalf a mess');
    await new Promise((r) => setTimeout(r, 50));
    c.destroy();
    await fixture.stop();
    assert.deepEqual(await fixture.inbox(fixture.bob), []);
    fixture = null;
  });

  it('logs one mail log line per accepted message', async () => {
    fixture = await SmtpFixture.start({ captureLog: true });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    await c.command('DATA', 354);
    const done = await c.command('Subject: log\r\n\r\nx\r\n.', 250);
    const lines = fixture.logs.filter((e) => e.msg === 'message accepted');
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.from, 'a@b.example');
    assert.deepEqual(line.to, ['bob@example.test']);
    assert.equal(line.status, 'delivered');
    assert.ok(typeof line.size === 'number' && line.size > 0);
    assert.ok(done.text.includes(String(line.msgid)));
  });
});
