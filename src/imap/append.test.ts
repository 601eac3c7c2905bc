// Transcripts of the append path: MULTIAPPEND (RFC 3502: several messages in one
// APPEND, all or none) and CATENATE (RFC 4469: TEXT literals and URLs of messages and
// sections of this account), over the memory store and over SQLite (small bodies kept
// in the database, large ones as files).

import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.ts';
import type { Store } from '../core/store/types.ts';
import { ImapFixture, PASSWORD, sampleMessage, USER } from './test-support.ts';

let f: ImapFixture;
before(async () => {
  f = await ImapFixture.start();
});
after(async () => {
  await f.close();
});

const size = (text: string): number => Buffer.byteLength(text);

async function messageCount(fixture: ImapFixture, mailbox: string): Promise<number> {
  const box = (await fixture.store.mailboxes.getMailbox(fixture.account.id, mailbox))!;
  return (await fixture.store.mailboxes.status(box.id)).messages;
}

test('CAPABILITY after login offers MULTIAPPEND and CATENATE', async () => {
  const c = await f.login();
  const caps = (await c.command('CAPABILITY')).untagged[0]!.split(' ');
  assert.ok(caps.includes('MULTIAPPEND') && caps.includes('CATENATE'), caps.join(' '));
});

test('MULTIAPPEND: three messages (synchronizing and LITERAL+), each with its flags and date; one APPENDUID set', async () => {
  const c = await f.login();
  await c.ok('CREATE multi');
  const [m1, m2, m3] = ['one', 'two', 'three'].map((s) => sampleMessage(s, `Body ${s}\r\n`)) as [string, string, string];
  c.write(`a1 APPEND multi (\\Seen) "05-Mar-2021 10:11:12 +0100" {${size(m1)}}\r\n`);
  assert.equal(await c.line(), '+ Ready for literal data');
  c.write(`${m1} {${size(m2)}+}\r\n${m2} ($Three) {${size(m3)}}\r\n`);
  assert.equal(await c.line(), '+ Ready for literal data');
  c.write(`${m3}\r\n`);
  const done = await c.until('a1');
  const box = (await f.store.mailboxes.getMailbox(f.account.id, 'multi'))!;
  assert.equal(done.status, `OK [APPENDUID ${box.uidValidity} 1:3] APPEND completed`);
  await c.ok('SELECT multi');
  const fetched = await c.command('FETCH 1:3 (FLAGS INTERNALDATE BODY.PEEK[])');
  assert.equal(fetched.untagged[0], `* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE " 5-Mar-2021 09:11:12 +0000" BODY[] {${size(m1)}}\r\n${m1})`);
  assert.match(fetched.untagged[1]!, new RegExp(`^\\* 2 FETCH \\(FLAGS \\(\\\\Recent\\) INTERNALDATE "[^"]+" BODY\\[\\] \\{${size(m2)}\\}`));
  assert.ok(fetched.untagged[1]!.endsWith(`${m2})`));
  assert.ok(fetched.untagged[2]!.startsWith('* 3 FETCH (FLAGS ($Three \\Recent) '), fetched.untagged[2]!);
  assert.ok(fetched.untagged[2]!.endsWith(`${m3})`));
});

test('MULTIAPPEND: a refusal in the second message appends nothing (too big, bad flag, over quota)', async () => {
  const g = await ImapFixture.start({ configure: (config) => { config.imap.max_literal_size = 2048; } });
  try {
    const c = await g.login();
    const m = sampleMessage('first');
    // The second literal is over the limit: NO [TOOBIG] instead of its "+".
    c.write(`b1 APPEND INBOX {${size(m)}}\r\n`);
    assert.equal(await c.line(), '+ Ready for literal data');
    c.write(`${m} {4096}\r\n`);
    assert.match(await c.line(), /^b1 NO \[TOOBIG\]/);
    assert.equal(await messageCount(g, 'INBOX'), 0);
    // LITERAL+ throughout: the server reads and drops the rest, then answers the next command.
    c.write(`b2 APPEND INBOX {${size(m)}+}\r\n${m} (\\*) {${size(m)}+}\r\n${m}\r\nb3 NOOP\r\n`);
    assert.match(await c.line(), /^b2 BAD /);
    assert.match(await c.line(), /^b3 OK/);
    assert.equal(await messageCount(g, 'INBOX'), 0);
    // Over quota only with the second one: refused before its "+".
    await g.store.accounts.setQuota(USER, size(m) + 10);
    c.write(`b4 APPEND INBOX {${size(m)}}\r\n`);
    assert.equal(await c.line(), '+ Ready for literal data');
    c.write(`${m} {${size(m)}}\r\n`);
    assert.match(await c.line(), /^b4 NO \[OVERQUOTA\]/);
    assert.equal(await messageCount(g, 'INBOX'), 0);
    // A malformed line after the first message.
    c.write(`b5 APPEND INBOX {${size(m)}+}\r\n${m} garbage\r\n`);
    assert.match(await c.line(), /^b5 BAD /);
    assert.equal(await messageCount(g, 'INBOX'), 0);
    await g.store.accounts.setQuota(USER, null);
    assert.match((await c.command(`APPEND INBOX {${size(m)}+}\r\n${m} {${size(m)}+}\r\n${m}`)).status, /^OK \[APPENDUID \d+ 1:2\]/);
  } finally {
    await g.close();
  }
});

test('CATENATE: URL parts (whole message, a section, a partial range) with TEXT literals', async () => {
  const c = await f.login();
  await c.ok('CREATE cat');
  const source = sampleMessage('Source', 'Original text.\r\n');
  const uid = await f.deliver(source, { mailbox: 'cat' });
  const box = (await f.store.mailboxes.getMailbox(f.account.id, 'cat'))!;
  const header = source.slice(0, source.indexOf('\r\n\r\n') + 4);
  const added = 'A new body.\r\n';
  // RFC 4469 §7's example shape: the header of a stored message, then new text.
  c.write(`c1 APPEND cat CATENATE (URL "/cat;UIDVALIDITY=${box.uidValidity}/;UID=${uid}/;SECTION=HEADER" TEXT {${size(added)}}\r\n`);
  assert.equal(await c.line(), '+ Ready for literal data');
  c.write(`${added})\r\n`);
  const first = await c.until('c1');
  assert.equal(first.status, `OK [APPENDUID ${box.uidValidity} ${uid + 1}] APPEND completed`);
  await c.ok('SELECT cat');
  const expected = header + added;
  assert.equal((await c.command(`UID FETCH ${uid + 1} BODY.PEEK[]`)).untagged[0], `* 2 FETCH (UID ${uid + 1} BODY[] {${size(expected)}}\r\n${expected})`);
  // URLs only (no literal: one line), an absolute URL of this user, a partial range; then a MULTIAPPEND with a plain literal.
  const tail = 'tail\r\n';
  const two = await c.command(
    `APPEND cat CATENATE (URL "imap://${encodeURIComponent(USER)}@imap.example.org/cat/;UID=${uid}/;SECTION=TEXT" URL "/cat/;UID=${uid}/;PARTIAL=0.4") {${size(tail)}+}\r\n${tail}`,
  );
  assert.match(two.status, new RegExp(`^OK \\[APPENDUID ${box.uidValidity} ${uid + 2}:${uid + 3}\\]`));
  const built = 'Original text.\r\n' + source.slice(0, 4);
  assert.equal((await c.command(`UID FETCH ${uid + 2} BODY.PEEK[]`)).untagged[0], `* 3 FETCH (UID ${uid + 2} BODY[] {${size(built)}}\r\n${built})`);
  assert.equal((await c.command(`UID FETCH ${uid + 3} BODY.PEEK[]`)).untagged[0], `* 4 FETCH (UID ${uid + 3} BODY[] {${size(tail)}}\r\n${tail})`);
});

test('CATENATE: a URL of no message, another UIDVALIDITY or another user fails with BADURL and appends nothing', async () => {
  const c = await f.login();
  await c.ok('CREATE badurl');
  const uid = await f.deliver(sampleMessage('x'), { mailbox: 'badurl' });
  const box = (await f.store.mailboxes.getMailbox(f.account.id, 'badurl'))!;
  const urls = [
    `/badurl/;UID=${uid + 50}`,
    `/badurl;UIDVALIDITY=${box.uidValidity + 1}/;UID=${uid}`,
    `/nosuchbox/;UID=1`,
    `imap://bob%40example.org@imap.example.org/INBOX/;UID=1`,
    `/badurl/;UID=${uid};URLAUTH=anonymous:internal:0123`,
  ];
  for (const url of urls) {
    const reply = await c.command(`APPEND badurl CATENATE (TEXT {4+}\r\nabc\n URL "${url}")`);
    assert.equal(reply.status, `NO [BADURL ${url}] Bad URL`);
  }
  assert.equal(await messageCount(f, 'badurl'), 1);
  // The TEXT literal of a refused CATENATE did not stay behind as a message.
  assert.match((await c.command('NOOP')).status, /^OK/);
});

test('over SQLite: MULTIAPPEND of a small (inline) and a large (file) body reads back; a failed one leaves none', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'septet-append-'));
  let store: Store | null = null;
  let g: ImapFixture | null = null;
  try {
    store = await openSqliteStore({ dataDir, fsync: false });
    g = await ImapFixture.start({ store });
    const c = await g.login();
    const small = sampleMessage('small');
    const large = sampleMessage('large', 'x'.repeat(78) + '\r\n'.repeat(1) + `${'y'.repeat(78)}\r\n`.repeat(1200));
    assert.match((await c.command(`APPEND INBOX {${size(small)}+}\r\n${small} {${size(large)}+}\r\n${large}`)).status, /^OK \[APPENDUID \d+ 1:2\]/);
    await c.ok('SELECT INBOX');
    const fetched = await c.command('FETCH 1:2 BODY.PEEK[]');
    assert.equal(fetched.untagged[0], `* 1 FETCH (BODY[] {${size(small)}}\r\n${small})`);
    assert.equal(fetched.untagged[1], `* 2 FETCH (BODY[] {${size(large)}}\r\n${large})`);
    assert.equal((await c.command('FETCH 1 BODY.PEEK[TEXT]<0.5>')).untagged[0], '* 1 FETCH (BODY[TEXT]<0> {5}\r\nHi th)');
    assert.match((await c.command(`APPEND INBOX {${size(small)}+}\r\n${small} {${size(large)}+}\r\n${large} (\\*) {${size(small)}+}\r\n${small}`)).status, /^BAD /);
    assert.equal(await messageCount(g, 'INBOX'), 2);
  } finally {
    await g?.close();
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('python imaplib over SQLite: APPEND of inline and file bodies with flags and dates reads back byte for byte', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'septet-append-py-'));
  let store: Store | null = null;
  let g: ImapFixture | null = null;
  try {
    store = await openSqliteStore({ dataDir, fsync: true });
    g = await ImapFixture.start({ store });
    const program = `
import imaplib, json, sys
c = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
c.login(sys.argv[2], sys.argv[3])
out = {'codes': []}
bodies = [b'Subject: small\\r\\n\\r\\nsmall body\\r\\n', b'Subject: large\\r\\n\\r\\n' + (b'z' * 98 + b'\\r\\n') * 3000]
for i, body in enumerate(bodies):
    typ, data = c.append('INBOX', '(\\\\Flagged)' if i else None, imaplib.Time2Internaldate(1600000000 + i), body)
    out['codes'].append([typ, data[0].decode()])
c.select('INBOX')
same = []
for n, body in enumerate(bodies, 1):
    typ, data = c.fetch(str(n), '(FLAGS INTERNALDATE BODY.PEEK[])')
    same.append(data[0][1] == body)
    out.setdefault('meta', []).append(data[0][0].decode())
out['same'] = same
c.logout()
print(json.dumps(out))
`;
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile('/usr/bin/python3', ['-c', program, String(g!.port), USER, PASSWORD], { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(stderr || String(error))) : resolve({ stdout })));
    });
    const out = JSON.parse(stdout) as { codes: [string, string][]; same: boolean[]; meta: string[] };
    assert.deepEqual(out.codes.map(([typ]) => typ), ['OK', 'OK']);
    assert.match(out.codes[0]![1], /^\[APPENDUID \d+ 1\]/);
    assert.match(out.codes[1]![1], /^\[APPENDUID \d+ 2\]/);
    assert.deepEqual(out.same, [true, true]);
    assert.match(out.meta[1]!, /FLAGS \(\\Flagged \\Recent\) INTERNALDATE "13-Sep-2020 12:26:41 \+0000"/);
  } finally {
    await g?.close();
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('APPEND into the selected mailbox: EXISTS and RECENT follow, the messages are \\Recent here and for no other session', async () => {
  const c = await f.login();
  await c.ok('CREATE recentbox');
  await c.ok('SELECT recentbox');
  const m = sampleMessage('recent');
  const appended = await c.command(`APPEND recentbox {${size(m)}+}\r\n${m} {${size(m)}+}\r\n${m}`);
  assert.deepEqual(appended.untagged, ['* 2 EXISTS', '* 2 RECENT']);
  assert.deepEqual((await c.command('FETCH 1:2 FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Recent))']);
  // A message another session delivers meanwhile is claimed by the next announcement.
  await f.deliver(sampleMessage('from smtp'), { mailbox: 'recentbox' });
  assert.deepEqual((await c.command('NOOP')).untagged, ['* 3 EXISTS', '* 3 RECENT']);
  const d = await f.login();
  const other = await d.command('SELECT recentbox');
  assert.ok(other.untagged.includes('* 0 RECENT'), other.untagged.join(' | '));
});

test('CATENATE: URL parts are held to the quota (checked after each part, since no literal announces their size)', async () => {
  const g = await ImapFixture.start();
  try {
    const c = await g.login();
    await c.ok('CREATE qcat');
    const source = sampleMessage('Quota source', 'x'.repeat(2000) + '\r\n');
    const uid = await g.deliver(source, { mailbox: 'qcat' });
    const box = (await g.store.mailboxes.getMailbox(g.account.id, 'qcat'))!;
    const url = `"/qcat;UIDVALIDITY=${box.uidValidity}/;UID=${uid}"`;
    // Room for the stored source and about one copy more, not for three.
    await g.store.accounts.setQuota(USER, 2 * size(source) + 100);
    const parts = Array.from({ length: 3 }, () => `URL ${url}`).join(' ');
    assert.match((await c.command(`APPEND qcat CATENATE (${parts})`)).status, /^NO \[OVERQUOTA\]/);
    assert.equal(await messageCount(g, 'qcat'), 1);
    assert.match((await c.command(`APPEND qcat CATENATE (URL ${url})`)).status, /^OK \[APPENDUID /);
  } finally {
    await g.close();
  }
});
