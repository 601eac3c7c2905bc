import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { buildDsn, deliveryStatusBody } from './dsn.ts';

const execFileP = promisify(execFile);

const ORIGINAL = Buffer.from('Received: from x\r\nFrom: alice@a.test\r\nTo: bob@b.test\r\nSubject: hello\r\nMessage-ID: <m1@a.test>\r\n\r\nbody line\r\n.dot line\r\n');

/** Python's email package reads the DSN as mail clients would; prints what it found. */
const PARSE = `
import sys, email, json
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
out = {"type": msg.get_content_type(), "report_type": msg.get_param("report-type"), "defects": [str(d) for d in msg.defects],
       "parts": [p.get_content_type() for p in msg.iter_parts()], "subject": msg["subject"], "auto": msg["auto-submitted"]}
status = [p for p in msg.iter_parts() if p.get_content_type() == "message/delivery-status"][0]
groups = status.get_payload()
out["groups"] = [dict(g.items()) for g in groups]
third = list(msg.iter_parts())[2]
if third.get_content_type() == "message/rfc822":
    out["original_subject"] = third.get_payload()[0]["subject"]
else:
    out["original_headers"] = third.get_content()
print(json.dumps(out))
`;

async function parseWithPython(message: Buffer): Promise<Record<string, unknown> & { groups: Record<string, string>[] }> {
  const child = execFileP('/usr/bin/python3', ['-c', PARSE], { maxBuffer: 1 << 20 });
  child.child.stdin!.end(message);
  const { stdout } = await child;
  return JSON.parse(stdout);
}

describe('DSN (RFC 3464, RFC 6522)', () => {
  test('a failure report parses as multipart/report with delivery-status and the original headers (python email)', async () => {
    const dsn = buildDsn({
      reportingMta: 'mx.a.test',
      to: 'alice@a.test',
      envid: 'ENV-42',
      arrivalDate: new Date('2030-01-02T03:04:05Z'),
      recipients: [
        { address: 'bob@b.test', orcpt: 'rfc822;bob@b.test', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <bob@b.test>: no such user', remoteMta: 'mx.b.test', lastAttempt: new Date('2030-01-02T03:04:06Z') },
        { address: 'carol@null.test', action: 'failed', status: '5.1.10', reason: 'null.test does not accept mail (null MX, RFC 7505)' },
      ],
      original: ORIGINAL,
      returnFull: false,
    });
    const parsed = await parseWithPython(dsn);
    assert.equal(parsed.type, 'multipart/report');
    assert.equal(parsed.report_type, 'delivery-status');
    assert.deepEqual(parsed.defects, []);
    assert.deepEqual(parsed.parts, ['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    assert.equal(parsed.subject, 'Undelivered Mail Returned to Sender');
    assert.equal(parsed.auto, 'auto-replied');
    const [perMessage, bob, carol] = parsed.groups;
    assert.equal(perMessage!['Reporting-MTA'], 'dns; mx.a.test');
    assert.equal(perMessage!['Original-Envelope-Id'], 'ENV-42');
    assert.equal(bob!['Final-Recipient'], 'rfc822; bob@b.test');
    assert.equal(bob!['Original-Recipient'], 'rfc822;bob@b.test');
    assert.equal(bob!.Action, 'failed');
    assert.equal(bob!.Status, '5.1.1');
    assert.equal(bob!['Remote-MTA'], 'dns; mx.b.test');
    assert.equal(bob!['Diagnostic-Code'], 'smtp; 550 5.1.1 <bob@b.test>: no such user');
    assert.equal(carol!.Status, '5.1.10');
    assert.match(String(parsed.original_headers), /Subject: hello/);
    assert.doesNotMatch(String(parsed.original_headers), /body line/, 'headers only without RET=FULL');
  });

  test('RET=FULL returns the whole message as message/rfc822', async () => {
    const dsn = buildDsn({ reportingMta: 'mx.a.test', to: 'alice@a.test', arrivalDate: new Date(), recipients: [{ address: 'bob@b.test', action: 'failed', status: '5.0.0', reason: 'gave up' }], original: ORIGINAL, returnFull: true });
    const parsed = await parseWithPython(dsn);
    assert.deepEqual(parsed.parts, ['text/plain', 'message/delivery-status', 'message/rfc822']);
    assert.equal(parsed.original_subject, 'hello');
  });

  test('delayed: Will-Retry-Until and its own subject', async () => {
    const until = new Date('2030-01-07T00:00:00Z');
    const body = deliveryStatusBody({ reportingMta: 'mx.a.test', to: 'a@a.test', arrivalDate: new Date(), recipients: [{ address: 'bob@b.test', action: 'delayed', status: '4.4.1', reason: 'connection refused', willRetryUntil: until }], original: ORIGINAL, returnFull: false });
    assert.match(body, /Action: delayed\r\nStatus: 4\.4\.1\r\n/);
    assert.match(body, /Will-Retry-Until: .*2030/);
    const parsed = await parseWithPython(buildDsn({ reportingMta: 'mx.a.test', to: 'a@a.test', arrivalDate: new Date(), recipients: [{ address: 'bob@b.test', action: 'delayed', status: '4.4.1', willRetryUntil: until }], original: ORIGINAL, returnFull: false }));
    assert.equal(parsed.subject, 'Delayed Mail (still being retried)');
  });
});
