// Relay between two real Septet instances with a real DNS server (the issue's
// test): a.test on 127.0.0.2 and b.test/c.test on 127.0.0.3, both on port 25 + offset,
// Debian's dnsmasq answering MX and A records on 127.0.0.1. Mail goes from alice@a.test
// (smtplib, submission + AUTH) through A's queue and MX lookup to B, and is read with
// poplib; failures come back as RFC 3464 reports that python's email package parses.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { findMessage, popAll, prepareSeptet, python, relayTestToml, submitMail, waitFor, type SeptetProcess } from './harness.ts';
import { startDnsmasq } from './dnsmasq.ts';

const OFFSET = 29000;
const DNS_PORT = 29053;
const A_ADDR = '127.0.0.2';
const B_ADDR = '127.0.0.3';

let dns: ChildProcess;
let a: SeptetProcess;
let b: SeptetProcess;

function startDns(): Promise<ChildProcess> {
  return startDnsmasq(DNS_PORT, [
    '--mx-host=a.test,mx.a.test,10', `--host-record=mx.a.test,${A_ADDR}`,
    '--mx-host=b.test,mx.b.test,10', `--host-record=mx.b.test,${B_ADDR}`,
    // No MX, only an address: the implicit MX (RFC 5321 §5.1).
    `--host-record=c.test,${B_ADDR}`,
    // RFC 7505 null MX.
    '--mx-host=null.test,.,0', `--host-record=null.test,${B_ADDR}`,
  ]);
}

const sendMail = (to: string, subject: string) =>
  submitMail({ host: A_ADDR, port: 587 + OFFSET, from: 'alice@a.test', password: 'alicepass', to, subject, body: 'Hello from a.test\n' });

/** Python's email package reads a DSN from alice's INBOX. */
async function parseReport(text: string): Promise<{ type: string; reportType: string; parts: string[]; groups: Record<string, string>[] }> {
  const out = await python(
    `
import sys, json, email
from email import policy
m = email.message_from_string(sys.argv[1], policy=policy.default)
status = [p for p in m.iter_parts() if p.get_content_type() == 'message/delivery-status'][0]
print(json.dumps({'type': m.get_content_type(), 'reportType': m.get_param('report-type'),
  'parts': [p.get_content_type() for p in m.iter_parts()], 'groups': [dict(g.items()) for g in status.get_payload()]}))
`,
    [text],
  );
  return JSON.parse(out);
}

before(async () => {
  dns = await startDns();
  // Each instance sends from its own address, as two hosts would.
  a = await prepareSeptet({ offset: OFFSET, listen: A_ADDR, toml: relayTestToml({ port: 25 + OFFSET, dnsPort: DNS_PORT, source: A_ADDR }) });
  b = await prepareSeptet({ offset: OFFSET, listen: B_ADDR, toml: relayTestToml({ port: 25 + OFFSET, dnsPort: DNS_PORT, source: B_ADDR }) });
  await a.addUsers({ 'alice@a.test': 'alicepass' });
  await b.addUsers({ 'bob@b.test': 'bobpass', 'carol@c.test': 'carolpass' });
  await a.start();
  await b.start();
});

after(async () => {
  await a?.stop();
  await b?.stop();
  dns?.kill('SIGTERM');
});

describe('relay: Septet to Septet through MX records (dnsmasq)', () => {
  test('a.test -> b.test: MX lookup, delivery, the message in bob\'s maildrop (poplib)', async () => {
    assert.match(await sendMail('bob@b.test', 'relay one'), /sent/);
    const text = await waitFor('the message at b.test', async () => findMessage(await popAll(b, 'bob@b.test', 'bobpass'), 'relay one'));
    assert.match(text, /Hello from a\.test/);
    assert.match(text, /Received: from [^\r]*\r?\n?[^\r]*127\.0\.0\.2/, 'B received it from A (127.0.0.2) over SMTP');
    const list = await a.cli(['queue', 'list']);
    assert.match(list.stdout, /0 messages in the queue/);
  });

  test('no MX but an A record: the implicit MX (c.test)', async () => {
    await sendMail('carol@c.test', 'implicit mx');
    await waitFor('the message at c.test', async () => findMessage(await popAll(b, 'carol@c.test', 'carolpass'), 'implicit mx'));
  });

  test('a recipient b.test refuses: a DSN in the sender\'s maildrop, multipart/report for python\'s email', async () => {
    await sendMail('nobody@b.test', 'to nobody');
    const dsn = await waitFor('the DSN', async () => (await popAll(a, 'alice@a.test', 'alicepass')).find((t) => t.includes('nobody@b.test') && t.includes('delivery-status')));
    const report = await parseReport(dsn);
    assert.equal(report.type, 'multipart/report');
    assert.equal(report.reportType, 'delivery-status');
    assert.deepEqual(report.parts, ['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    const rcpt = report.groups[1]!;
    assert.equal(rcpt['Final-Recipient'], 'rfc822; nobody@b.test');
    assert.equal(rcpt.Action, 'failed');
    assert.equal(rcpt.Status, '5.1.1');
    assert.match(rcpt['Diagnostic-Code'] ?? '', /^smtp; 550 5\.1\.1/);
    assert.equal(rcpt['Remote-MTA'], 'dns; mx.b.test');
  });

  test('RFC 7505 null MX: a permanent failure reported at once (5.1.10)', async () => {
    await sendMail('someone@null.test', 'to null mx');
    const dsn = await waitFor('the null MX DSN', async () => (await popAll(a, 'alice@a.test', 'alicepass')).find((t) => t.includes('someone@null.test') && t.includes('delivery-status')));
    const report = await parseReport(dsn);
    assert.equal(report.groups[1]!.Status, '5.1.10');
  });

  test('b.test down: the message stays queued, is retried on the schedule, and arrives when b.test is back', async () => {
    await b.stop();
    try {
      await sendMail('bob@b.test', 'while down');
      const queued = await waitFor('a deferred entry', async () => {
        const list = await a.cli(['queue', 'list']);
        return /deferred/.test(list.stdout) && list.stdout.includes('bob@b.test') ? list.stdout : null;
      });
      const id = queued.split('\t')[0]!;
      // At least two attempts on the 2-second schedule while b.test is away.
      const shown = await waitFor('two attempts', async () => {
        const show = await a.cli(['queue', 'show', id]);
        return /history \(([2-9]|\d\d+) attempts\)/.test(show.stdout) ? show.stdout : null;
      });
      assert.match(shown, /bob@b\.test> deferred: .*(ECONNREFUSED|connect)/);
    } finally {
      await b.start();
    }
    const text = await waitFor('the late message', async () => findMessage(await popAll(b, 'bob@b.test', 'bobpass'), 'while down'));
    assert.match(text, /Hello from a\.test/);
    await waitFor('an empty queue', async () => /0 messages in the queue/.test((await a.cli(['queue', 'list'])).stdout));
  });
});
