// Compose through inject(): sending (through the submission path), the Sent copy,
// refusals of the submission path (forged sender, unknown recipient, size), CSRF and
// anonymous access, drafts, the prefilled reply and forward forms, another user's ids,
// and python's email package reading what was built.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Account } from '../../core/store/types.ts';
import { ALICE, BOB, WebFixture, type WebClient } from '../testing/app.ts';

const run = promisify(execFile);
let fx: WebFixture;
let alice: WebClient;
let bob: WebClient;
let tmp: string;

before(async () => {
  fx = await WebFixture.start({ configure: (c) => { c.smtp.max_message_size = 200_000; c.smtp.max_recipients = 100; } });
  alice = await fx.signedIn(ALICE);
  bob = await fx.signedIn(BOB);
  tmp = await mkdtemp(join(tmpdir(), 'septet-compose-'));
});
after(async () => {
  await fx.close();
  await rm(tmp, { recursive: true, force: true });
});

type Field = [name: string, value: string];
interface FilePart { filename: string; type: string; content: Buffer }

/** A multipart/form-data body (RFC 7578) as a browser sends it: fields, then files. */
function formData(fields: Field[], files: FilePart[] = []): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----septettest' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'));
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`, 'utf8'), f.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function mailbox(account: Account, name: string) {
  const box = await fx.store.mailboxes.getMailbox(account.id, name);
  assert.ok(box, `${name} exists`);
  return box;
}

async function messages(account: Account, name: string) {
  const box = await mailbox(account, name);
  return fx.store.mailboxes.listMessages(box.id);
}

async function lastMessage(account: Account, name: string): Promise<{ text: string; raw: Buffer; uid: number; flags: string[]; mailboxId: number }> {
  const list = await messages(account, name);
  const meta = list.at(-1);
  assert.ok(meta, `a message in ${name}`);
  const raw = await fx.store.blobs.readAll(meta.blobId);
  return { text: raw.toString('utf8'), raw, uid: meta.uid, flags: meta.flags, mailboxId: meta.mailboxId };
}

function binary(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** Python's email package reads the message and prints what it found, as JSON. */
async function pythonReads(raw: Buffer): Promise<Record<string, unknown>> {
  const file = join(tmp, `m${Math.random().toString(16).slice(2)}.eml`);
  await writeFile(file, raw);
  const program = `
import sys, json, hashlib
from email import policy
from email.parser import BytesParser
m = BytesParser(policy=policy.default).parse(open(sys.argv[1], 'rb'))
body = m.get_body(preferencelist=('plain',))
out = {
  'subject': str(m['subject']), 'from': str(m['from']), 'to': str(m['to']), 'cc': str(m['cc']) if m['cc'] else None,
  'bcc': m['bcc'], 'type': m.get_content_type(), 'text': body.get_content() if body else None,
  'parts': [p.get_content_type() for p in m.iter_parts()] if m.is_multipart() else [],
  'attachments': [{'name': a.get_filename(), 'type': a.get_content_type(), 'sha': hashlib.sha256(a.get_payload(decode=True)).hexdigest()} for a in m.iter_attachments()],
  'defects': [type(d).__name__ for d in m.defects] + [type(d).__name__ for p in m.walk() for d in p.defects],
  'in_reply_to': m['in-reply-to'], 'references': m['references'],
}
print(json.dumps(out))
`;
  const { stdout } = await run('/usr/bin/python3', ['-c', program, file]);
  return JSON.parse(stdout);
}

const sha = async (b: Buffer) => (await import('node:crypto')).createHash('sha256').update(b).digest('hex');

test('send to a local user: in their INBOX with the headers and text; a \\Seen copy in the sender\'s Sent', async () => {
  const sentBefore = (await messages(fx.alice, 'Sent')).length;
  const r = await alice.post('/api/mail/send', { from: ALICE, fromName: 'Alice A', to: 'Bob <bob@example.org>', subject: 'Hello Bob', text: 'Hi Bob,\nthe form works.\n' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().queued, false);
  const got = await lastMessage(fx.bob, 'INBOX');
  assert.match(got.text, /^Received: by mail\.example\.org \(Septet, from user alice@example\.org\)/);
  assert.match(got.text, /\r\nFrom: Alice A <alice@example\.org>\r\n/);
  assert.match(got.text, /\r\nTo: Bob <bob@example\.org>\r\n/);
  assert.match(got.text, /\r\nSubject: Hello Bob\r\n/);
  assert.ok(got.text.includes(`\r\nMessage-ID: ${r.json().messageId}\r\n`));
  assert.match(got.text, /\r\nDate: \w{3}, /);
  assert.ok(got.text.endsWith('\r\n\r\nHi Bob,\r\nthe form works.\r\n'));
  const sent = await messages(fx.alice, 'Sent');
  assert.equal(sent.length, sentBefore + 1);
  assert.ok(sent.at(-1)!.flags.includes('\\Seen'));
  const box = await mailbox(fx.alice, 'Sent');
  assert.equal(box.specialUse, '\\Sent');
});

test('multipart send with Cc, Bcc, a UTF-8 subject and a binary attachment: python\'s email package reads the structure; Bcc only in the Sent copy', async () => {
  const data = binary(70_000);
  const body = formData(
    [['from', ALICE], ['to', BOB], ['cc', 'Alice <alice@example.org>'], ['bcc', 'alice+hidden@example.org'], ['subject', 'Отчёт — résumé'], ['text', 'Grüße, Boris!\nThe file is attached.']],
    [{ filename: 'données.bin', type: 'application/octet-stream', content: data }, { filename: 'notes.txt', type: 'text/plain', content: Buffer.from('plain notes\n') }],
  );
  const r = await alice.request('POST', '/api/mail/send', body);
  assert.equal(r.statusCode, 200, r.body);
  const got = await lastMessage(fx.bob, 'INBOX');
  assert.ok(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(got.raw.toString('latin1')), '7-bit clean');
  assert.doesNotMatch(got.text, /hidden/);
  const py = await pythonReads(got.raw);
  assert.equal(py.subject, 'Отчёт — résumé');
  assert.equal(py.type, 'multipart/mixed');
  assert.deepEqual(py.parts, ['text/plain', 'application/octet-stream', 'text/plain']);
  assert.equal(py.text, 'Grüße, Boris!\nThe file is attached.\n');
  assert.equal(py.cc, 'Alice <alice@example.org>');
  assert.equal(py.bcc, null);
  assert.deepEqual(py.attachments, [
    { name: 'données.bin', type: 'application/octet-stream', sha: await sha(data) },
    { name: 'notes.txt', type: 'text/plain', sha: await sha(Buffer.from('plain notes\n')) }, // byte for byte: base64 keeps a text file's LF
  ]);
  assert.deepEqual(py.defects, []);
  // Bcc and Cc to oneself: alice's INBOX got it (no Bcc field); her Sent copy shows the Bcc, as mail clients keep it.
  const aliceInbox = await lastMessage(fx.alice, 'INBOX');
  assert.match(aliceInbox.text, /Subject: =\?UTF-8\?B\?/);
  assert.doesNotMatch(aliceInbox.text, /hidden/);
  const sentCopy = await lastMessage(fx.alice, 'Sent');
  assert.ok(sentCopy.flags.includes('\\Seen'));
  assert.ok(sentCopy.text.startsWith('Bcc: alice+hidden@example.org\r\nReceived: '), sentCopy.text.slice(0, 80));
  assert.equal((await messages(fx.alice, 'Sent')).filter((m) => m.size > 90_000).length, 1, 'the copy without Bcc was replaced');
  const pySent = await pythonReads(sentCopy.raw);
  assert.equal(pySent.bcc, 'alice+hidden@example.org');
  assert.deepEqual(pySent.attachments, py.attachments);
});

test('the submission path refuses: another user\'s From (envelope and display name), an unknown local recipient, no recipients; nothing is stored', async () => {
  const bobCount = (await messages(fx.bob, 'INBOX')).length;
  const sentCount = (await messages(fx.alice, 'Sent')).length;
  const forged = await alice.post('/api/mail/send', { from: BOB, to: BOB, subject: 'forged', text: 'x' });
  assert.equal(forged.statusCode, 422);
  assert.equal(forged.json().error, 'refused');
  assert.match(forged.json().message, /does not belong to alice@example\.org/);
  const shown = await alice.post('/api/mail/send', { from: ALICE, fromName: 'bob@example.org', to: BOB, subject: 'forged', text: 'x' });
  assert.equal(shown.statusCode, 422);
  assert.match(shown.json().message, /display name shows bob@example\.org/);
  const unknown = await alice.post('/api/mail/send', { to: 'nobody@example.org', subject: 'x', text: 'x' });
  assert.equal(unknown.statusCode, 422);
  assert.match(unknown.json().message, /no such local recipient: nobody@example\.org/);
  const none = await alice.post('/api/mail/send', { subject: 'x', text: 'x' });
  assert.equal(none.statusCode, 422);
  const bad = await alice.post('/api/mail/send', { to: 'not an address', text: 'x' });
  assert.equal(bad.statusCode, 400);
  const injected = await alice.post('/api/mail/send', { to: BOB, subject: 'x\r\nBcc: evil@example.com', text: 'x' });
  assert.equal(injected.statusCode, 200, 'a line break in the subject is folded away, never a new field');
  assert.doesNotMatch((await lastMessage(fx.bob, 'INBOX')).text, /\r\nBcc:/);
  assert.equal((await messages(fx.bob, 'INBOX')).length, bobCount + 1);
  assert.equal((await messages(fx.alice, 'Sent')).length, sentCount + 1);
});

test('a remote recipient goes to the queue like any submission', async () => {
  const r = await alice.post('/api/mail/send', { to: 'someone@remote.example', subject: 'out', text: 'to the world' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().queued, true);
  const queued = await fx.store.queue.list();
  assert.ok(queued.some((e) => e.recipients.some((rcpt) => rcpt.address === 'someone@remote.example') && e.sender === ALICE));
});

test('oversized: an attachment past smtp.max_message_size is 413 and nothing is stored', async () => {
  const sentCount = (await messages(fx.alice, 'Sent')).length;
  const body = formData([['to', BOB], ['subject', 'big'], ['text', 'x']], [{ filename: 'big.bin', type: 'application/octet-stream', content: binary(180_000) }]);
  const r = await alice.request('POST', '/api/mail/send', body);
  assert.equal(r.statusCode, 413, r.body);
  assert.equal(r.json().error, 'too-large');
  const draft = await alice.request('POST', '/api/mail/drafts', formData([['to', BOB]], [{ filename: 'big.bin', type: 'application/octet-stream', content: binary(250_000) }]));
  assert.equal(draft.statusCode, 413, draft.body);
  assert.equal((await messages(fx.alice, 'Sent')).length, sentCount);
});

test('anonymous requests are 401 and changes without the CSRF token 403, on every compose endpoint', async () => {
  const anonymous = fx.client();
  const token = (await anonymous.get('/api/session')).json().csrfToken;
  anonymous.csrfToken = token;
  for (const [method, url] of [['GET', '/api/mail/from'], ['POST', '/api/mail/send'], ['POST', '/api/mail/drafts'], ['GET', '/api/mail/drafts/1'], ['DELETE', '/api/mail/drafts/1'], ['GET', '/api/mail/compose/reply/1/1']] as const) {
    const r = await anonymous.request(method, url, method === 'GET' ? {} : { json: { to: BOB } });
    assert.equal(r.statusCode, 401, `${method} ${url}`);
  }
  for (const url of ['/api/mail/send', '/api/mail/drafts']) {
    const r = await alice.request('POST', url, { json: { to: BOB, subject: 'csrf', text: 'x' }, csrf: false });
    assert.equal(r.statusCode, 403, url);
    assert.equal(r.json().error, 'csrf');
  }
  const del = await alice.request('DELETE', '/api/mail/drafts/1', { csrf: false });
  assert.equal(del.statusCode, 403);
});

test('drafts: saved into Drafts (\\Draft) with Bcc and an attachment, opened back into the form, replaced, sent and gone', async () => {
  const file = binary(3000);
  const saved = await alice.request('POST', '/api/mail/drafts', formData([['to', BOB], ['bcc', 'alice+copy@example.org'], ['subject', 'Draft ü'], ['text', 'first version']], [{ filename: 'plan.pdf', type: 'application/pdf', content: file }]));
  assert.equal(saved.statusCode, 200, saved.body);
  const { uid, mailboxId } = saved.json();
  const drafts = await mailbox(fx.alice, 'Drafts');
  assert.equal(mailboxId, drafts.id);
  assert.equal(drafts.specialUse, '\\Drafts');
  const stored = await lastMessage(fx.alice, 'Drafts');
  assert.ok(stored.flags.includes('\\Draft'));
  assert.match(stored.text, /\r\nBcc: alice\+copy@example\.org\r\n/);
  assert.doesNotMatch(stored.text, /^Received:/);

  const opened = await alice.get(`/api/mail/drafts/${uid}`);
  assert.equal(opened.statusCode, 200, opened.body);
  const form = opened.json();
  assert.equal(form.to, BOB);
  assert.equal(form.bcc, 'alice+copy@example.org');
  assert.equal(form.subject, 'Draft ü');
  assert.equal(form.text, 'first version\n');
  assert.equal(form.draft, uid);
  assert.equal(form.attachments.length, 1);
  assert.equal(form.attachments[0].filename, 'plan.pdf');

  // Save again with the kept attachment: the old draft is replaced.
  const again = await alice.post('/api/mail/drafts', { draft: uid, to: BOB, subject: 'Draft ü', text: 'second version', keep: [form.attachments[0].ref] });
  assert.equal(again.statusCode, 200, again.body);
  const uid2 = again.json().uid;
  assert.notEqual(uid2, uid);
  const left = await messages(fx.alice, 'Drafts');
  assert.deepEqual(left.map((m) => m.uid), [uid2]);
  const reopened = (await alice.get(`/api/mail/drafts/${uid2}`)).json();
  assert.equal(reopened.text, 'second version\n');

  // Send it: bob gets the attachment, the draft is gone.
  const sent = await alice.post('/api/mail/send', { draft: uid2, to: BOB, subject: 'Draft ü', text: 'final', keep: reopened.attachments.map((a: { ref: string }) => a.ref) });
  assert.equal(sent.statusCode, 200, sent.body);
  assert.equal((await messages(fx.alice, 'Drafts')).length, 0);
  const py = await pythonReads((await lastMessage(fx.bob, 'INBOX')).raw);
  assert.deepEqual(py.attachments, [{ name: 'plan.pdf', type: 'application/pdf', sha: await sha(file) }]);
  assert.equal((await alice.get(`/api/mail/drafts/${uid2}`)).statusCode, 404);
  assert.equal((await alice.delete(`/api/mail/drafts/${uid2}`)).statusCode, 404);
});

test('a draft can be discarded', async () => {
  const saved = await alice.post('/api/mail/drafts', { to: BOB, subject: 'to discard', text: 'x' });
  const r = await alice.delete(`/api/mail/drafts/${saved.json().uid}`);
  assert.equal(r.statusCode, 204);
  assert.equal((await messages(fx.alice, 'Drafts')).length, 0);
});

test('reply, reply-all and forward: prefilled forms; the sent reply carries In-Reply-To and References', async () => {
  const original = await bob.request('POST', '/api/mail/send', formData(
    [['to', 'Alice <alice@example.org>'], ['cc', 'alice+team@example.org, Carol <carol@remote.example>'], ['subject', 'Plans'], ['text', 'Line one\nLine two']],
    [{ filename: 'map.png', type: 'image/png', content: binary(500) }],
  ));
  assert.equal(original.statusCode, 200, original.body);
  const messageId = original.json().messageId as string;
  const inbox = await lastMessage(fx.alice, 'INBOX');

  const reply = (await alice.get(`/api/mail/compose/reply/${inbox.mailboxId}/${inbox.uid}`)).json();
  assert.equal(reply.to, BOB);
  assert.equal(reply.cc, '');
  assert.equal(reply.from, ALICE);
  assert.equal(reply.subject, 'Re: Plans');
  assert.equal(reply.inReplyTo, messageId);
  assert.equal(reply.references, messageId);
  assert.match(reply.text, /wrote:\n> Line one\n> Line two\n$/);

  const all = (await alice.get(`/api/mail/compose/reply-all/${inbox.mailboxId}/${inbox.uid}`)).json();
  assert.equal(all.to, BOB);
  assert.equal(all.cc, 'Carol <carol@remote.example>', 'the account\'s own addresses are left out');

  const forward = (await alice.get(`/api/mail/compose/forward/${inbox.mailboxId}/${inbox.uid}`)).json();
  assert.equal(forward.subject, 'Fwd: Plans');
  assert.equal(forward.to, '');
  assert.match(forward.text, /Forwarded message[\s\S]*Subject: Plans[\s\S]*Line one/);
  assert.deepEqual(forward.attachments.map((a: { filename: string }) => a.filename), ['map.png']);

  assert.equal(reply.origin, `reply:${inbox.mailboxId}/${inbox.uid}`);
  const sent = await alice.post('/api/mail/send', { to: reply.to, subject: reply.subject, text: `Agreed.${reply.text}`, inReplyTo: reply.inReplyTo, references: reply.references, origin: reply.origin });
  assert.equal(sent.statusCode, 200, sent.body);
  const py = await pythonReads((await lastMessage(fx.bob, 'INBOX')).raw);
  assert.equal(py.in_reply_to, messageId);
  assert.equal(py.references, messageId);
  assert.equal(py.subject, 'Re: Plans');

  const fwd = await alice.post('/api/mail/send', { to: BOB, subject: forward.subject, text: forward.text, keep: forward.attachments.map((a: { ref: string }) => a.ref), origin: forward.origin });
  assert.equal(fwd.statusCode, 200, fwd.body);
  const [flagged] = await fx.store.mailboxes.getMessages(inbox.mailboxId, [inbox.uid]);
  assert.ok(flagged!.flags.includes('\\Answered'), 'the original is \\Answered');
  assert.ok(flagged!.flags.includes('$Forwarded'), 'and $Forwarded (RFC 5550)');
  const pyf = await pythonReads((await lastMessage(fx.bob, 'INBOX')).raw);
  assert.deepEqual(pyf.attachments, [{ name: 'map.png', type: 'image/png', sha: await sha(binary(500)) }]);
});

test('another user\'s mailbox, message or attachment is not found through compose', async () => {
  const bobInbox = await mailbox(fx.bob, 'INBOX');
  const [first] = await fx.store.mailboxes.listMessages(bobInbox.id);
  assert.ok(first);
  for (const mode of ['reply', 'reply-all', 'forward']) {
    const r = await alice.get(`/api/mail/compose/${mode}/${bobInbox.id}/${first.uid}`);
    assert.equal(r.statusCode, 404, mode);
  }
  const keep = await alice.post('/api/mail/send', { to: ALICE, subject: 'steal', text: 'x', keep: [`${bobInbox.id}/${first.uid}/2`] });
  assert.equal(keep.statusCode, 404);
  const bobDraft = await bob.post('/api/mail/drafts', { to: ALICE, subject: 'bob private', text: 'secret' });
  const bobUid = bobDraft.json().uid;
  const drafts = await mailbox(fx.alice, 'Drafts');
  // Alice's ids are her own Drafts: bob's draft UID there is hers or nothing; bob's draft stays.
  await alice.delete(`/api/mail/drafts/${bobUid}`);
  assert.equal((await messages(fx.bob, 'Drafts')).length, 1);
  assert.notEqual(drafts.id, (await mailbox(fx.bob, 'Drafts')).id);
  for (const bad of ['../1/1', '1/1/0', '1/1/1.x', `${bobInbox.id}/${first.uid}/1\u0000`]) {
    const r = await alice.post('/api/mail/send', { to: ALICE, text: 'x', keep: [bad] });
    assert.equal(r.statusCode, 400, bad);
  }
  const bobCount = (await messages(fx.bob, 'INBOX')).length;
  const flagOther = await alice.post('/api/mail/send', { to: ALICE, text: 'x', origin: `reply:${bobInbox.id}/${first.uid}` });
  assert.equal(flagOther.statusCode, 404, 'another user\'s message cannot be flagged through origin');
  assert.equal((await messages(fx.bob, 'INBOX')).length, bobCount);
  assert.deepEqual((await fx.store.mailboxes.getMessages(bobInbox.id, [first.uid]))[0]!.flags, first.flags);
  assert.equal((await alice.get('/api/mail/compose/reply/abc/1')).statusCode, 400);
  assert.equal((await alice.get('/api/mail/compose/steal/1/1')).statusCode, 400);
});

test('From choices: the account\'s address, aliases leading to it, and its domain\'s addresses with send-as-domain', async () => {
  await fx.store.accounts.addAlias('sales@example.org', ALICE);
  const a = (await alice.get('/api/mail/from')).json();
  assert.deepEqual(a.addresses, [ALICE, 'sales@example.org']);
  const b = (await bob.get('/api/mail/from')).json();
  assert.deepEqual(b.addresses, [BOB]);
  await fx.store.accounts.setSendAsDomain(BOB, true);
  const b2 = (await bob.get('/api/mail/from')).json();
  assert.deepEqual(b2.addresses, [BOB, ALICE, 'sales@example.org']);
  const asAlias = await alice.post('/api/mail/send', { from: 'sales@example.org', to: BOB, subject: 'from sales', text: 'x' });
  assert.equal(asAlias.statusCode, 200, asAlias.body);
  await fx.store.accounts.setSendAsDomain(BOB, false);
});

test('the OpenAPI document describes the compose endpoints under the compose tag', async () => {
  const doc = (await alice.get('/api/openapi.json')).json();
  for (const path of ['/api/mail/send', '/api/mail/drafts', '/api/mail/drafts/{uid}', '/api/mail/from', '/api/mail/compose/{mode}/{mailboxId}/{uid}']) {
    assert.ok(doc.paths[path], path);
    for (const operation of Object.values(doc.paths[path]) as { tags: string[] }[]) assert.deepEqual(operation.tags, ['compose']);
  }
});

test('form shape: fields after a file, a file under another name, an empty file input, too many recipients, a full mailbox', async () => {
  const late = formData([['to', BOB]], [{ filename: 'a.txt', type: 'text/plain', content: Buffer.from('a') }]);
  const boundary = /boundary=(.*)$/.exec(late.headers['content-type']!)![1]!;
  const withLateField = Buffer.concat([late.payload.subarray(0, late.payload.length - `--${boundary}--\r\n`.length), Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\nlate\r\n--${boundary}--\r\n`)]);
  const r1 = await alice.request('POST', '/api/mail/send', { payload: withLateField, headers: late.headers });
  assert.equal(r1.statusCode, 400, r1.body);
  assert.match(r1.json().message, /fields must come before the files/);
  const other = formData([['to', BOB]], []);
  const otherName = Buffer.from(other.payload.toString('latin1').replace(`--${/boundary=(.*)$/.exec(other.headers['content-type']!)![1]}--`, (end) => `${end.slice(0, -2)}\r\nContent-Disposition: form-data; name="evil"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n${end}`), 'latin1');
  const r2 = await alice.request('POST', '/api/mail/send', { payload: otherName, headers: other.headers });
  assert.equal(r2.statusCode, 400, r2.body);
  assert.match(r2.json().message, /unexpected file field: evil/);
  // A file input left empty: a part with filename="" and no content is skipped; the message is single-part.
  const empty = formData([['to', BOB], ['subject', 'no files'], ['text', 'just text']], [{ filename: '', type: 'application/octet-stream', content: Buffer.alloc(0) }]);
  const r3 = await alice.request('POST', '/api/mail/send', empty);
  assert.equal(r3.statusCode, 200, r3.body);
  const py = await pythonReads((await lastMessage(fx.bob, 'INBOX')).raw);
  assert.equal(py.type, 'text/plain');
  assert.equal(py.subject, 'no files');
  // smtp.max_recipients, as RCPT on port 587.
  const many = Array.from({ length: 101 }, (_, i) => `bob+${i}@example.org`).join(', ');
  const r4 = await alice.post('/api/mail/send', { to: many, subject: 'many', text: 'x' });
  assert.equal(r4.statusCode, 422);
  assert.match(r4.json().message, /too many recipients/);
  // The recipient's quota: the delivery error of the one delivery entry, as 507.
  await fx.store.accounts.setQuota(BOB, 1);
  try {
    const r5 = await alice.post('/api/mail/send', { to: BOB, subject: 'full', text: 'x' });
    assert.equal(r5.statusCode, 507, r5.body);
    assert.equal(r5.json().error, 'quota');
  } finally {
    await fx.store.accounts.setQuota(BOB, null);
  }
});
