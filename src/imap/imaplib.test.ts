// Real clients against the IMAP handler started in-process: python3's imaplib (IMAP4
// with STARTTLS, and IMAP4_SSL on an implicit-TLS listener) over every core command,
// and curl's imap:// and imaps:// URLs. Certificates come from core/tls's
// CertificateManager on a temporary data directory, as in production.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../core/log/logger.ts';
import { CertificateManager } from '../core/tls/certificate-manager.ts';
import { ImapFixture, PASSWORD, sampleMessage, USER } from './test-support.ts';

const SCRIPT = join(import.meta.dirname, 'clients', 'imaplib-session.py');

function run(command: string, args: string[], timeoutMs = 30_000): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 });
    });
  });
}

let dataDir: string;
let manager: CertificateManager;
let plain: ImapFixture;
let implicit: ImapFixture;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'septet-imap-'));
  manager = await CertificateManager.open({ dataDir, hostname: 'localhost', sni: [], minVersion: 'TLSv1.2', log: silentLogger() });
  plain = await ImapFixture.start({ tls: manager });
  implicit = await ImapFixture.start({ tls: manager, implicitTls: true });
});

after(async () => {
  await plain.close();
  await implicit.close();
  manager.close();
  await rm(dataDir, { recursive: true, force: true });
});

for (const mode of ['starttls', 'ssl'] as const) {
  test(`python3 imaplib (${mode === 'ssl' ? 'IMAP4_SSL' : 'IMAP4 + starttls'}) over every core command`, async () => {
    const fixture = mode === 'ssl' ? implicit : plain;
    await fixture.deliver(sampleMessage('from smtp'));
    const result = await run('python3', [SCRIPT, mode, '127.0.0.1', String(fixture.port), USER, PASSWORD]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    const s = (key: string) => JSON.stringify(out[key]);
    if (mode === 'starttls') assert.ok((out.before_tls as string[]).includes('STARTTLS'));
    assert.match(s('capabilities_after_login'), /UIDPLUS.*MOVE/);
    assert.match(s('list'), /\\\\Sent\) \\"\/\\" \\"Sent\\"/);
    assert.match(s('lsub'), /py\/sub/);
    assert.match(s('status'), /MESSAGES 1 RECENT 1 UIDNEXT 2 UIDVALIDITY \d+ UNSEEN 1/);
    assert.match(s('append'), /APPENDUID \d+ 1/);
    assert.deepEqual(out.exists, ['1']);
    assert.match(s('fetch'), /UID 1 FLAGS \(\\\\Seen \\\\Recent\) RFC822.SIZE \d+ ENVELOPE \(NIL \\"=\?utf-8\?q\?Gr=C3=BC=C3=9Fe\?=\\"/);
    assert.match(s('fetch'), /BODYSTRUCTURE \(\\"text\\" \\"plain\\" \(\\"charset\\" \\"koi8-r\\"\) NIL NIL \\"quoted-printable\\" \d+ 1 NIL NIL NIL NIL\)/);
    assert.equal(out.body_matches, true);
    assert.match(s('partial'), /BODY\[TEXT\]<0> \{8\}/);
    assert.deepEqual(out.search_cyrillic, ['1']);
    assert.deepEqual(out.search_subject, ['1']);
    assert.match(s('store'), /FLAGS \(\\\\Seen \\\\Flagged \\\\Recent\)/);
    assert.match(s('uid_store'), /UID 1 FLAGS \(\\\\Seen \\\\Recent\)/);
    assert.match(s('copy_code'), /^\["\d+ 1 2"\]$/);
    assert.match(s('expunge'), /\["1"\]/);
    assert.match(s('namespace'), /\(\(\\"\\" \\"\/\\"\)\) NIL NIL/);
    assert.match(s('getquotaroot'), /QUOTAROOT|INBOX/);
    assert.equal(out.logout, 'BYE');
  });
}

test('curl imap:// (STARTTLS required) and imaps://: list, fetch a message, search', async () => {
  const uid = await plain.deliver(sampleMessage('for curl', 'curl body line\r\n'));
  const user = `${USER}:${PASSWORD}`;
  const base = ['-s', '--max-time', '20', '-k', '-u', user];
  const list = await run('curl', [...base, '--ssl-reqd', `imap://127.0.0.1:${plain.port}/`]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /\* LIST \(\\HasNoChildren\) "\/" "INBOX"/);
  const fetched = await run('curl', [...base, '--ssl-reqd', `imap://127.0.0.1:${plain.port}/INBOX;UID=${uid}`]);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.match(fetched.stdout, /Subject: for curl\r\n[\s\S]*curl body line/);
  const search = await run('curl', [...base, `imaps://127.0.0.1:${implicit.port}/INBOX?SUBJECT%20smtp`]);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout, /^\* SEARCH( \d+)*\r?\n/);
});
