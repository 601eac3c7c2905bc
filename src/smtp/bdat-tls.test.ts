// Transcripts of CHUNKING (RFC 3030) and STARTTLS (RFC 3207).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SmtpFixture } from './test-support.ts';

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

describe('BDAT transcripts (RFC 3030)', () => {
  it('RFC 3030 §2: chunks of exact size, LAST ends the message; DATA cannot be mixed in', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250, 'CHUNKING');
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    const part1 = 'Subject: chunks\r\n\r\n.line with dot\r\n';
    const part2 = 'BDAT 5\r\nnot a command\r\n';
    c.send(`BDAT ${Buffer.byteLength(part1)}\r\n${part1}`);
    await c.expect(250, 'octets received');
    await c.command('DATA', 503, 'DATA cannot follow BDAT');
    c.send(`BDAT ${Buffer.byteLength(part2)} LAST\r\n${part2}`);
    await c.expect(250, 'queued');
    const [msg] = await fixture.inbox(fixture.bob);
    assert.ok(msg!.endsWith(part1 + part2), 'chunks stored verbatim, no dot-unstuffing');
    // A BDAT refused for its state still swallows its chunk (not read as commands).
    c.send('BDAT 6\r\nQUIT\r\n');
    await c.expect(503);
    await c.command('NOOP', 250);
  });

  it('BDAT pipelined in one write, with BDAT 0 LAST; RSET aborts a chunked message', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    c.send('EHLO x.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.test>\r\nBDAT 4\r\nab\r\nBDAT 0 LAST\r\n');
    await c.expect(250);
    await c.expect(250);
    await c.expect(250);
    await c.expect(250, '4 octets');
    await c.expect(250, 'queued');
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    c.send('BDAT 3\r\nxyz');
    await c.expect(250);
    await c.command('RSET', 250);
    await c.command('BDAT 0 LAST', 503);
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
  });

  it('BDAT over smtp.max_message_size gets 552 5.3.4 and nothing is stored', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { max_message_size: 1024 } } });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250);
    await c.command('MAIL FROM:<a@b.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    c.send(`BDAT 2000 LAST\r\n${'x'.repeat(2000)}`);
    await c.expect(552, '5.3.4');
    await c.command('NOOP', 250);
    assert.deepEqual(await fixture.inbox(fixture.bob), []);
  });
});

describe('STARTTLS transcripts (RFC 3207)', () => {
  it('§4.2: STARTTLS discards pipelined input, resets the session; EHLO works over TLS', async () => {
    fixture = await SmtpFixture.start({ remoteAddress: '192.0.2.1' });
    const c = await fixture.connect();
    await c.command('EHLO x.example', 250, 'STARTTLS');
    await c.command('STARTTLS extra', 501);
    // The injected MAIL must be dropped, not run after the handshake.
    c.send('STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n');
    await c.expect(220, '2.0.0');
    await c.startTls();
    const t = c;
    await t.command('MAIL FROM:<a@b.example>', 503, 'HELO/EHLO'); // state reset, the injected MAIL never ran
    const ehlo = await t.command('EHLO x.example', 250);
    assert.ok(!ehlo.lines.includes('STARTTLS'), 'no STARTTLS over TLS');
    assert.ok(ehlo.lines.includes('AUTH PLAIN LOGIN'), 'AUTH offered once encrypted');
    await t.command('STARTTLS', 503);
    await t.command('MAIL FROM:<a@b.example>', 250);
    await t.command('RCPT TO:<bob@example.test>', 250);
    await t.command('DATA', 354);
    await t.command('Subject: tls\r\n\r\nx\r\n.', 250);
    await t.command('QUIT', 221);
    const [msg] = await fixture.inbox(fixture.bob);
    assert.match(msg!, /\(using TLSv1\.[23] with cipher [\w-]+\)\r\n\tby mx\.example\.test \(Septet\) with ESMTPS id/);
  });
});
