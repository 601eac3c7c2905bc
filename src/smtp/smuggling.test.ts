// SMTP smuggling (CVE-2023-51764 class): only <CRLF>.<CRLF> ends DATA (RFC 5321
// §4.1.1.4), so a transaction hidden behind "\n.\n" or "\r\n.\n" is never run; a bare
// CR or LF refuses the message (smtp.bare_newline = "reject", the default) or is
// accepted as a line end ("normalize"). Command lines ending in a bare LF likewise.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SmtpFixture, type SmtpClient } from './test-support.ts';

let fixture: SmtpFixture | null = null;
afterEach(async () => {
  await fixture?.stop();
  fixture = null;
});

const SMUGGLED = 'MAIL FROM:<admin@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nFrom: admin@example.test\r\nSubject: forged\r\n\r\nforged\r\n';
const FAKE_ENDS = ['\n.\n', '\n.\r\n', '\r\n.\n', '\r.\r\n', '\r\n.\r'];

async function openData(c: SmtpClient): Promise<void> {
  await c.command('EHLO client.example', 250);
  await c.command('MAIL FROM:<alice@client.example>', 250);
  await c.command('RCPT TO:<bob@example.test>', 250);
  await c.command('DATA', 354);
}

describe('SMTP smuggling', () => {
  for (const fake of FAKE_ENDS) {
    it(`reject (default): ${JSON.stringify(fake)} does not end DATA; 550 5.5.2 at the real end, no transaction smuggled`, async () => {
      fixture = await SmtpFixture.start({ captureLog: true });
      const c = await fixture.connect();
      await openData(c);
      c.send(`Subject: legit\r\n\r\nlegit${fake}${SMUGGLED}.\r\n`);
      await c.expect(550, '5.5.2');
      // Had the smuggled MAIL opened a transaction, RCPT would be accepted.
      await c.command('RCPT TO:<bob@example.test>', 503);
      await c.command('NOOP', 250);
      assert.equal((await fixture.inbox(fixture.bob)).length, 0);
      assert.ok(fixture.logs.some((l) => l.msg === 'message refused: bare CR or LF in DATA'));
    });

    it(`normalize: ${JSON.stringify(fake)} is data; one message, holding the smuggling attempt as text`, async () => {
      fixture = await SmtpFixture.start({ config: { smtp: { bare_newline: 'normalize' } } });
      const c = await fixture.connect();
      await openData(c);
      c.send(`Subject: legit\r\n\r\nlegit${fake}${SMUGGLED}.\r\n`);
      await c.expect(250, 'queued');
      await c.command('RCPT TO:<bob@example.test>', 503);
      const inbox = await fixture.inbox(fixture.bob);
      assert.equal(inbox.length, 1);
      assert.ok(inbox[0]!.endsWith(`Subject: legit\r\n\r\nlegit\r\n.\r\n${SMUGGLED}`), JSON.stringify(inbox[0]));
      assert.doesNotMatch(inbox[0]!, /[^\r]\n|\r[^\n]/, 'stored with CRLF only');
    });
  }

  it('reject: the same message with CRLF line ends only is accepted', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await openData(c);
    c.send('Subject: fine\r\n\r\nline\r\n..dot\r\n.\r\n');
    await c.expect(250, 'queued');
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
  });

  it('reject: a command line ending in a bare LF gets 550 5.5.2 and the connection closes', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO client.example', 250);
    c.send('MAIL FROM:<alice@client.example>\nRCPT TO:<bob@example.test>\r\n');
    await c.expect(550, '5.5.2');
    assert.equal(await c.readToEnd(), '');
  });

  it('normalize: command lines ending in a bare LF are accepted', async () => {
    fixture = await SmtpFixture.start({ config: { smtp: { bare_newline: 'normalize' } } });
    const c = await fixture.connect();
    c.send('EHLO client.example\nMAIL FROM:<alice@client.example>\nRCPT TO:<bob@example.test>\nDATA\n');
    await c.expect(250);
    await c.expect(250, '2.1.0');
    await c.expect(250, '2.1.5');
    await c.expect(354);
    // Even so, LF "." LF is data: only CRLF "." CRLF ends it (as in Postfix's normalize).
    c.send('Subject: lf\n\nbody\n.\nend\r\n.\r\n');
    await c.expect(250, 'queued');
    const [message] = await fixture.inbox(fixture.bob);
    assert.ok(message!.endsWith('Subject: lf\r\n\r\nbody\r\n.\r\nend\r\n'));
  });

  it('BDAT counts octets: bare CR and LF inside a chunk are not refused', async () => {
    fixture = await SmtpFixture.start();
    const c = await fixture.connect();
    await c.command('EHLO client.example', 250);
    await c.command('MAIL FROM:<alice@client.example>', 250);
    await c.command('RCPT TO:<bob@example.test>', 250);
    const chunk = 'Subject: b\r\n\r\na\n.\nb\rc\r\n';
    c.send(`BDAT ${Buffer.byteLength(chunk)} LAST\r\n${chunk}`);
    await c.expect(250, 'queued');
    assert.equal((await fixture.inbox(fixture.bob)).length, 1);
  });
});
