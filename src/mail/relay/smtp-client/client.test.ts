import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { FakeSmtpServer, type FakeServerOptions } from '../test-support.ts';
import { SmtpClient, type OutboundMessage } from './client.ts';
import { SmtpClientError } from './replies.ts';
import { TraitScanner } from './downgrade.ts';

const OPTIONS = { heloName: 'relay.a.test', timeoutMs: 5000, connectTimeoutMs: 5000, replyLimits: { maxLine: 4096, maxLines: 200 } };

function message(body: string | Buffer, recipients: string[], extra: Partial<OutboundMessage> = {}): OutboundMessage {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const scanner = new TraitScanner();
  scanner.feed(bytes);
  return {
    sender: 'alice@a.test',
    recipients: recipients.map((address) => ({ address })),
    size: bytes.length,
    traits: scanner.traits,
    open: () => Readable.from([bytes]),
    ...extra,
  };
}

async function withServer(options: FakeServerOptions, body: (fake: FakeSmtpServer, client: SmtpClient) => Promise<void>): Promise<void> {
  const fake = await FakeSmtpServer.start(options);
  const client = await SmtpClient.connect({ address: '127.0.0.1', port: fake.port, hostName: 'mx.b.test' }, OPTIONS);
  try {
    await body(fake, client);
  } finally {
    await client.quit();
    await fake.close();
  }
}

describe('SMTP client', () => {
  test('RFC 5321 §4.5.3.1.5: a reply line longer than relay.max_reply_line, or more lines than relay.max_reply_lines, is a protocol error', async () => {
    const limits = { ...OPTIONS, replyLimits: { maxLine: 600, maxLines: 2 } };
    for (const [greeting, why] of [[`220 ${'x'.repeat(700)}`, /too long/], ['220-a\r\n220-b\r\n220-c\r\n220 d', /too many lines/]] as const) {
      const fake = await FakeSmtpServer.start({ greeting });
      try {
        await assert.rejects(SmtpClient.connect({ address: '127.0.0.1', port: fake.port, hostName: 'mx.b.test' }, limits), (e: unknown) => e instanceof SmtpClientError && e.failure === 'protocol' && why.test(e.message));
      } finally {
        await fake.close();
      }
    }
    const fake = await FakeSmtpServer.start({ greeting: `220 ${'x'.repeat(500)}` });
    try {
      const client = await SmtpClient.connect({ address: '127.0.0.1', port: fake.port, hostName: 'mx.b.test' }, { ...OPTIONS, replyLimits: { maxLine: 600, maxLines: 200 } });
      assert.equal(client.greeting?.code, 220, 'a line within the limit is read');
      await client.quit();
    } finally {
      await fake.close();
    }
  });

  test('RFC 2920: one pipelined transaction for all recipients, a reply per recipient; RFC 3461 parameters passed on', () =>
    withServer({ rcptReplies: { 'nobody@b.test': '550 5.1.1 <nobody@b.test>: no such user', 'later@b.test': '451 4.3.0 try later' } }, async (fake, client) => {
      const m = message('Subject: hi\r\n\r\n.leading dot\r\nend\r\n', ['bob@b.test', 'nobody@b.test', 'later@b.test'], { envid: 'E 1', ret: 'HDRS' });
      m.recipients[0]!.notify = 'SUCCESS,FAILURE';
      m.recipients[0]!.orcpt = 'rfc822;Bob+x@b.test';
      const replies = await client.send(m);
      assert.deepEqual(replies.map((r) => [r.address, r.accepted, r.reply.code]), [['bob@b.test', true, 250], ['nobody@b.test', false, 550], ['later@b.test', false, 451]]);
      assert.equal(replies[1]!.reply.enhanced, '5.1.1');
      assert.equal(fake.messages.length, 1);
      assert.equal(fake.messages[0]!.data.toString(), 'Subject: hi\r\n\r\n.leading dot\r\nend\r\n', 'dot-stuffed on the wire, unstuffed by the server');
      const mail = fake.transcript.find((l) => l.startsWith('MAIL'))!;
      assert.equal(mail, `MAIL FROM:<alice@a.test> SIZE=${m.size} RET=HDRS ENVID=E+201`);
      assert.equal(fake.transcript.find((l) => l.startsWith('RCPT TO:<bob'))!, 'RCPT TO:<bob@b.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+2Bx@b.test');
      assert.ok(fake.transcript.indexOf('EHLO relay.a.test') === 0);
    }));

  test('connection reuse: a second message on the same connection, RSET after a refused one', () =>
    withServer({ rcptReplies: { 'nobody@b.test': '550 5.1.1 no' } }, async (fake, client) => {
      const refused = await client.send(message('Subject: 1\r\n\r\nx\r\n', ['nobody@b.test']));
      assert.equal(refused[0]!.accepted, false);
      const ok = await client.send(message('Subject: 2\r\n\r\ny\r\n', ['bob@b.test']));
      assert.equal(ok[0]!.accepted, true);
      assert.equal(fake.connections, 1);
      assert.ok(fake.transcript.includes('RSET'));
      assert.equal(fake.messages.length, 1);
    }));

  test('RFC 5321 §2.3.8: a stored bare LF goes out as CRLF, so a lenient receiver sees no smuggled transaction', () =>
    // The fake server ends DATA at "\n.\n" as a vulnerable receiver would.
    withServer({}, async (fake, client) => {
      const body = 'Subject: s\r\n\r\nlegit\n.\nMAIL FROM:<admin@b.test>\r\nRCPT TO:<bob@b.test>\r\nDATA\r\nforged\r\n';
      const replies = await client.send(message(body, ['bob@b.test']));
      assert.equal(replies[0]!.accepted, true);
      assert.equal(fake.messages.length, 1);
      assert.equal(fake.messages[0]!.data.toString(), 'Subject: s\r\n\r\nlegit\r\n.\r\nMAIL FROM:<admin@b.test>\r\nRCPT TO:<bob@b.test>\r\nDATA\r\nforged\r\n');
      assert.ok(!fake.transcript.some((l) => l.includes('admin@b.test')), 'the forged MAIL FROM stayed inside the data');
    }));

  test('RFC 1870: SIZE over the remote limit fails before MAIL', () =>
    withServer({ extensions: ['SIZE 10'] }, async (fake, client) => {
      await assert.rejects(client.send(message('Subject: big\r\n\r\n0123456789\r\n', ['bob@b.test'])), (e: unknown) => e instanceof SmtpClientError && e.failure === 'size' && e.permanent);
      assert.ok(!fake.transcript.some((l) => l.startsWith('MAIL')));
    }));

  test('RFC 6152: without 8BITMIME an 8-bit body goes as quoted-printable; with it, BODY=8BITMIME', async () => {
    const body = 'Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n';
    await withServer({ extensions: ['PIPELINING'] }, async (fake, client) => {
      await client.send(message(body, ['bob@b.test']));
      const sent = fake.messages[0]!.data.toString('latin1');
      assert.match(sent, /Content-Transfer-Encoding: quoted-printable\r\n/);
      assert.match(sent, /Gr=C3=BC=C3=9Fe/);
      assert.ok(!/[\x80-\xff]/.test(sent), 'seven bits only');
      assert.ok(!fake.transcript.find((l) => l.startsWith('MAIL'))!.includes('BODY='));
    });
    await withServer({}, async (fake, client) => {
      await client.send(message(body, ['bob@b.test']));
      assert.match(fake.transcript.find((l) => l.startsWith('MAIL'))!, /BODY=8BITMIME/);
      assert.equal(fake.messages[0]!.data.toString('utf8'), body);
    });
  });

  test('RFC 6531: UTF-8 mail to a server without SMTPUTF8 fails permanently', () =>
    withServer({ extensions: ['8BITMIME'] }, async (_fake, client) => {
      await assert.rejects(client.send(message('Subject: x\r\n\r\nx\r\n', ['bjørn@b.test'])), (e: unknown) => e instanceof SmtpClientError && e.failure === 'smtputf8' && e.permanent);
    }));

  test('HELO fallback without pipelining; MAIL refused is an error with the reply', () =>
    withServer({ noEhlo: true, mailReply: '553 5.7.1 sender refused' }, async (fake, client) => {
      assert.equal(client.extensions.size, 0);
      assert.ok(fake.transcript.includes('HELO relay.a.test'));
      await assert.rejects(client.send(message('Subject: x\r\n\r\nx\r\n', ['bob@b.test'])), (e: unknown) => e instanceof SmtpClientError && e.reply?.code === 553 && e.permanent);
      assert.ok(!fake.transcript.some((l) => l.startsWith('RCPT')), 'no RCPT after a refused MAIL without pipelining');
    }));

  test('a connection refused is a temporary SmtpClientError', async () => {
    const fake = await FakeSmtpServer.start();
    const port = fake.port;
    await fake.close();
    await assert.rejects(SmtpClient.connect({ address: '127.0.0.1', port, hostName: 'x' }, OPTIONS), (e: unknown) => e instanceof SmtpClientError && e.failure === 'connect' && !e.permanent);
  });
});
