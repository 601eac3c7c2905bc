// Compose in Chromium, checked with python's imaplib and poplib: alice fills the form
// (To, Cc, Subject, text, a file) and sends; bob retrieves the message over POP3 and
// the attachment's bytes are the file's; a draft saved in the browser is in alice's
// Drafts folder over IMAP, flagged \Draft, and opens back into the form. curl, over
// HTTP/2 and HTTP/1.1, sends a file past smtp.max_message_size and a forged From.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { signInPage, TestBrowser, withScreenshot } from './browser.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curl, prepareSeptet, python, type SeptetProcess } from './harness.ts';

// HTTPS 443 + 32000 = 32443 is IMAP of offset 32300, which no file uses (PLAN-web.md: compose has 32000-32200).
const OFFSET = 32000;
const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const PASSWORDS = { [ALICE]: 'alice password', [BOB]: 'bob password' };
let server: SeptetProcess;
let browser: TestBrowser;
let base: string;

before(async () => {
  // A small message limit, so that curl can send a file past it.
  server = await prepareSeptet({ offset: OFFSET, web: true, toml: '[smtp]\nmax_message_size = 1000000' });
  await server.addUsers(PASSWORDS);
  await server.start();
  base = `https://127.0.0.1:${server.port('https')}`;
  browser = await TestBrowser.launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

function fileBytes(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + 17) & 0xff;
  return b;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** POP3 over TLS (RFC 8314 port 995 + offset): the newest message with `subject`, its Cc and attachments as JSON. */
const POP_READ = `
import sys, ssl, json, poplib, hashlib
from email import policy
from email.parser import BytesParser
port, user, password, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
pop = poplib.POP3_SSL('127.0.0.1', port, context=ssl._create_unverified_context())
pop.user(user); pop.pass_(password)
found = None
for i in range(len(pop.list()[1]), 0, -1):
    m = BytesParser(policy=policy.default).parsebytes(b'\\r\\n'.join(pop.retr(i)[1]))
    if str(m['subject']) == subject:
        found = m
        break
pop.quit()
print(json.dumps(None if found is None else {
  'from': str(found['from']), 'to': str(found['to']), 'cc': str(found['cc']),
  'text': found.get_body(preferencelist=('plain',)).get_content().replace('\\r\\n', '\\n'),
  'attachments': [{'name': a.get_filename(), 'type': a.get_content_type(), 'sha': hashlib.sha256(a.get_payload(decode=True)).hexdigest()} for a in found.iter_attachments()],
}))
`;

/** IMAP over TLS: the messages of a mailbox whose Subject is `subject`, with their flags. */
const IMAP_DRAFTS = `
import sys, ssl, json, imaplib
from email import policy
from email.parser import BytesParser
port, user, password, mailbox, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
imap = imaplib.IMAP4_SSL('127.0.0.1', port, ssl_context=ssl._create_unverified_context())
imap.login(user, password)
typ, listing = imap.list()
special = [l.decode() for l in listing if b'\\\\Drafts' in l]
imap.select(mailbox, readonly=True)
typ, data = imap.uid('SEARCH', 'SUBJECT', '"' + subject + '"')
out = []
for uid in data[0].split():
    typ, fetched = imap.uid('FETCH', uid, '(FLAGS BODY.PEEK[])')
    flags = imaplib.ParseFlags(fetched[0][0])
    m = BytesParser(policy=policy.default).parsebytes(fetched[0][1])
    out.append({'flags': [f.decode() for f in flags], 'to': str(m['to']), 'text': m.get_body(preferencelist=('plain',)).get_content().replace('\\r\\n', '\\n')})
imap.logout()
print(json.dumps({'special': special, 'messages': out}))
`;

test('alice composes to bob with Cc and an attachment in Chromium and sends; bob reads it with poplib and the attachment bytes are equal', async () => {
  const context = await browser.context();
  const page = await context.newPage();
  const file = fileBytes(150_000);
  await withScreenshot(page, 'compose-send', async () => {
    await signInPage(page, base, ALICE, PASSWORDS[ALICE]);
    await page.goto(`${base}/console/#/compose`);
    await page.waitForSelector('#compose-send');
    assert.equal(await page.inputValue('#compose-from'), ALICE);
    await page.getByLabel('To', { exact: true }).fill('Boris <bob@example.org>');
    await page.getByLabel('Cc', { exact: true }).fill(ALICE);
    await page.getByLabel('Subject').fill('Письмо from the lecture');
    await page.getByLabel('Message').fill('Hello Boris,\nthe report is attached.\n— Alexey');
    await page.setInputFiles('#compose-files', { name: 'отчёт.pdf', mimeType: 'application/pdf', buffer: file });
    await page.click('#compose-send');
    await page.waitForURL(/#\/mail$/);
  });
  await context.close();

  const read = JSON.parse(await python(POP_READ, [String(server.port('pop3s')), BOB, PASSWORDS[BOB], 'Письмо from the lecture']));
  assert.ok(read, 'bob has the message');
  assert.equal(read.from, ALICE);
  assert.equal(read.to, 'Boris <bob@example.org>');
  assert.equal(read.cc, ALICE);
  assert.equal(read.text, 'Hello Boris,\nthe report is attached.\n— Alexey\n');
  assert.deepEqual(read.attachments, [{ name: 'отчёт.pdf', type: 'application/pdf', sha: sha256(file) }]);
  const copy = JSON.parse(await python(POP_READ, [String(server.port('pop3s')), ALICE, PASSWORDS[ALICE], 'Письмо from the lecture']));
  assert.ok(copy, 'the Cc reached alice');
});

test('a draft saved in the browser (with a file) is in the Drafts folder over IMAP (\\Draft), opens back into the form, and forwards with its attachment from the form', async () => {
  const context = await browser.context({ phone: true });
  const page = await context.newPage();
  const file = fileBytes(40_000);
  await withScreenshot(page, 'compose-draft', async () => {
    await signInPage(page, base, ALICE, PASSWORDS[ALICE]);
    await page.goto(`${base}/console/#/compose`);
    await page.waitForSelector('#compose-send');
    await page.getByLabel('To', { exact: true }).fill(BOB);
    await page.getByLabel('Subject').fill('Unfinished thoughts');
    await page.getByLabel('Message').fill('To be continued');
    await page.getByLabel('To', { exact: true }).press('Enter'); // Enter in a field does not send
    await page.setInputFiles('#compose-files', { name: 'sketch.png', mimeType: 'image/png', buffer: file });
    await page.click('#compose-save');
    await page.waitForURL(/#\/compose\/draft\/\d+$/);
    await page.waitForSelector('#compose-heading:text("Edit draft")');
    assert.equal(await page.inputValue('#compose-subject'), 'Unfinished thoughts');
    assert.equal(await page.inputValue('#compose-to'), BOB);
    assert.equal(await page.inputValue('#compose-text'), 'To be continued\n');
    assert.match((await page.textContent('.compose-kept')) ?? '', /sketch\.png/);
  });

  const drafts = JSON.parse(await python(IMAP_DRAFTS, [String(server.port('imaps')), ALICE, PASSWORDS[ALICE], 'Drafts', 'Unfinished thoughts']));
  assert.equal(drafts.special.length, 1, 'one mailbox is \\Drafts');
  assert.equal(drafts.messages.length, 1);
  assert.ok(drafts.messages[0].flags.includes('\\Draft'));
  assert.equal(drafts.messages[0].to, BOB);
  assert.equal(drafts.messages[0].text, 'To be continued\n');

  // Forward the draft (a message alice owns) from the form: the kept attachment goes along.
  await withScreenshot(page, 'compose-forward', async () => {
    const uid = /draft\/(\d+)$/.exec(page.url())![1]!;
    const form = await (await page.request.get(`${base}/api/mail/drafts/${uid}`)).json();
    const mailboxId = String(form.attachments[0].ref).split('/')[0];
    await page.goto(`${base}/console/#/compose/forward/${mailboxId}/${uid}`);
    await page.waitForSelector('#compose-heading:text("Forward")');
    assert.equal(await page.inputValue('#compose-subject'), 'Fwd: Unfinished thoughts');
    assert.match((await page.textContent('.compose-kept')) ?? '', /sketch\.png/);
    await page.getByLabel('To', { exact: true }).fill(BOB);
    await page.click('#compose-send');
    await page.waitForURL(/#\/mail$/);
  });
  await context.close();
  const read = JSON.parse(await python(POP_READ, [String(server.port('pop3s')), BOB, PASSWORDS[BOB], 'Fwd: Unfinished thoughts']));
  assert.ok(read, 'bob has the forward');
  assert.match(read.text, /Forwarded message[\s\S]*To be continued/);
  assert.deepEqual(read.attachments, [{ name: 'sketch.png', type: 'image/png', sha: sha256(file) }]);  const early = JSON.parse(await python(POP_READ, [String(server.port('pop3s')), BOB, PASSWORDS[BOB], 'Unfinished thoughts']));
  assert.equal(early, null, 'Enter in the To field did not send the draft');
});

test('curl over HTTP/2 and HTTP/1.1: a file past smtp.max_message_size is 413, a forged From 422 before the upload is read, and a small send goes through', async () => {
  const work = await mkdtemp(join(tmpdir(), 'septet-compose-curl-'));
  try {
    const jar = join(work, 'cookies');
    const big = join(work, 'big.bin');
    await writeFile(big, fileBytes(2_000_000));
    const session = await curl(['-k', '-c', jar, '-b', jar, `${base}/api/session`]);
    let token = JSON.parse(session.stdout).csrfToken as string;
    const login = await curl(['-k', '-c', jar, '-b', jar, '-H', `X-CSRF-Token: ${token}`, '-H', 'Content-Type: application/json', '--data', JSON.stringify({ username: BOB, password: PASSWORDS[BOB] }), `${base}/api/session`]);
    token = JSON.parse(login.stdout).csrfToken;
    const send = (version: string, fields: string[], file: string | null) =>
      curl(['-k', version, '-b', jar, '-H', `X-CSRF-Token: ${token}`, '-o', '-', '-w', '\n%{http_code} %{http_version}', ...fields.flatMap((f) => ['-F', f]), ...(file ? ['-F', `attachment=@${file};type=application/octet-stream`] : []), `${base}/api/mail/send`]);
    for (const version of ['--http2', '--http1.1']) {
      const expected = version === '--http2' ? '2' : '1.1';
      const tooBig = await send(version, [`to=${ALICE}`, 'subject=too big', 'text=x'], big);
      assert.match(tooBig.stdout, new RegExp(`"error":"too-large"[\\s\\S]*\\n413 ${expected.replace('.', '\\.')}$`), `${version}: ${tooBig.stdout} ${tooBig.stderr}`);
      const forged = await send(version, [`from=${ALICE}`, `to=${ALICE}`, 'subject=forged', 'text=x'], big);
      assert.match(forged.stdout, /"error":"refused"[\s\S]*\n422 /, `${version}: ${forged.stdout} ${forged.stderr}`);
      const fine = await send(version, [`to=${ALICE}`, `subject=curl ${version}`, 'text=small'], null);
      assert.match(fine.stdout, /\n200 /, `${version}: ${fine.stdout} ${fine.stderr}`);
    }
    const inbox = JSON.parse(await python(POP_READ, [String(server.port('pop3s')), ALICE, PASSWORDS[ALICE], 'curl --http1.1']));
    assert.equal(inbox.from, BOB);
    const refused = JSON.parse(await python(POP_READ, [String(server.port('pop3s')), ALICE, PASSWORDS[ALICE], 'too big']));
    assert.equal(refused, null, 'nothing of the refused message was delivered');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
