// The webmail reading API through inject(): folders and counts, paging newest first,
// search, reading (decoded headers, charsets, text, sanitised HTML under its own CSP,
// cid images, attachments), flags, move, delete to Trash, live events; and as an
// attacker: anonymous (401), without CSRF (403), and with the other user's ids (404
// on every endpoint, never their data).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deliverText } from '../../core/store/conformance-helpers.ts';
import { BOB, ALICE, WebFixture, type WebClient } from '../testing/app.ts';

let fx: WebFixture;
let alice: WebClient;
let bob: WebClient;

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

function plain(subject: string, from = 'Carol <carol@example.net>', body = 'hello there') {
  return crlf(`From: ${from}\nTo: bob@example.org\nSubject: ${subject}\nDate: Thu, 03 Dec 2026 10:00:00 +0000\nMessage-ID: <${subject.replace(/\W/g, '')}@example.net>\n\n${body}\n`);
}

const RICH = crlf(`From: =?iso-8859-1?q?J=F6rg?= <joerg@example.net>
To: Bob <bob@example.org>, =?utf-8?b?w4lsaXNl?= <elise@example.net>
Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=
Date: Thu, 03 Dec 2026 11:30:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Sch=F6ne Gr=FC=DFe
--alt
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=utf-8

<p onclick="alert(1)">Hallo <b>Bob</b><script>alert(2)</script></p><img src="cid:logo@x"><img src="https://tracker.example/p.gif"><a href="javascript:alert(3)">bad</a><a href="https://example.net/">good</a>
--rel
Content-Type: image/png
Content-ID: <logo@x>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
--alt--
--outer
Content-Type: application/pdf; name="=?utf-8?q?Rechnung_M=C3=A4rz.pdf?="
Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: text/html; charset=utf-8
Content-Disposition: attachment; filename="evil.html"

<script>alert(1)</script>
--outer--
`);

let bobInbox: number;
let bobTrash: number;
let bobArchive: number;
let aliceInbox: number;
let rich: { uid: number; mailboxId: number };
let aliceSecret: { uid: number; mailboxId: number };

before(async () => {
  fx = await WebFixture.start();
  alice = await fx.signedIn(ALICE);
  bob = await fx.signedIn(BOB);
  for (let i = 1; i <= 12; i++) await deliverText(fx.store, fx.bob.id, plain(`Message ${i}`, i === 7 ? 'Dave <dave@example.com>' : undefined, i === 5 ? 'the zebra crossing' : 'hello'));
  rich = await deliverText(fx.store, fx.bob.id, RICH);
  aliceSecret = await deliverText(fx.store, fx.alice.id, plain('alice secret'));
  const boxes = await fx.store.mailboxes.listMailboxes(fx.bob.id);
  bobInbox = boxes.find((b) => b.name === 'INBOX')!.id;
  bobTrash = boxes.find((b) => b.specialUse === '\\Trash')!.id;
  bobArchive = boxes.find((b) => b.specialUse === '\\Archive')!.id;
  aliceInbox = aliceSecret.mailboxId;
});
after(() => fx.close());

test('folders: INBOX first with total and unread counts, only the signed-in account\'s', async () => {
  const r = await bob.get('/api/mail/folders');
  assert.equal(r.statusCode, 200);
  const folders = r.json().folders as { id: number; name: string; total: number; unread: number }[];
  assert.equal(folders[0]!.name, 'INBOX');
  assert.equal(folders[0]!.total, 13);
  assert.equal(folders[0]!.unread, 13);
  assert.ok(folders.some((f) => f.id === bobTrash));
  assert.ok(!folders.some((f) => f.id === aliceInbox), 'no folder of alice');
});

test('message list: newest first, paged by size, page 2 continues; size over 200 is refused', async () => {
  const first = await bob.get(`/api/mail/folders/${bobInbox}/messages?size=5`);
  assert.equal(first.statusCode, 200);
  const body = first.json();
  assert.equal(body.total, 13);
  assert.equal(body.pageSize, 5);
  assert.deepEqual(body.messages.map((m: { uid: number }) => m.uid), [13, 12, 11, 10, 9]);
  assert.equal(body.messages[0].subject, 'Grüße aus Köln');
  assert.deepEqual(body.messages[0].from, [{ name: 'Jörg', address: 'joerg@example.net' }]);
  assert.equal(body.messages[1].subject, 'Message 12');
  assert.equal(body.messages[1].date, '2026-12-03T10:00:00.000Z');
  const second = await bob.get(`/api/mail/folders/${bobInbox}/messages?size=5&page=2`);
  assert.deepEqual(second.json().messages.map((m: { uid: number }) => m.uid), [8, 7, 6, 5, 4]);
  const last = await bob.get(`/api/mail/folders/${bobInbox}/messages?size=5&page=3`);
  assert.deepEqual(last.json().messages.map((m: { uid: number }) => m.uid), [3, 2, 1]);
  const defaults = await bob.get(`/api/mail/folders/${bobInbox}/messages`);
  assert.equal(defaults.json().pageSize, 50);
  assert.equal((await bob.get(`/api/mail/folders/${bobInbox}/messages?size=201`)).statusCode, 400);
  assert.equal((await bob.get(`/api/mail/folders/${bobInbox}/messages?page=0`)).statusCode, 400);
});

test('message list with expunged gaps: pages still newest first and contiguous (UID windows widen, page beyond the end is empty)', async () => {
  const gaps = await fx.store.mailboxes.createMailbox(fx.bob.id, 'Gaps');
  for (let i = 1; i <= 300; i++) await deliverText(fx.store, fx.bob.id, plain(`Gap ${i}`), 'Gaps');
  const drop = Array.from({ length: 100 }, (_, i) => 201 + i).filter((uid) => uid !== 250 && uid !== 290);
  await fx.store.mailboxes.expunge(gaps.id, drop);
  const page = async (n: number, size = 5) => (await bob.get(`/api/mail/folders/${gaps.id}/messages?size=${size}&page=${n}`)).json();
  const first = await page(1);
  assert.equal(first.total, 202);
  assert.deepEqual(first.messages.map((m: { uid: number }) => m.uid), [290, 250, 200, 199, 198]);
  assert.deepEqual((await page(2)).messages.map((m: { uid: number }) => m.uid), [197, 196, 195, 194, 193]);
  assert.deepEqual((await page(3, 100)).messages.map((m: { uid: number }) => m.uid), [2, 1]);
  assert.deepEqual((await page(4, 100)).messages, []);
});

test('search: subject, from, to and body words, case-insensitive; paging over the matches', async () => {
  const search = async (q: string, field = 'all') => (await bob.get(`/api/mail/folders/${bobInbox}/messages?q=${encodeURIComponent(q)}&field=${field}`)).json();
  assert.deepEqual((await search('message 1')).messages.map((m: { subject: string }) => m.subject), ['Message 12', 'Message 11', 'Message 10', 'Message 1']);
  assert.deepEqual((await search('dave', 'from')).messages.map((m: { uid: number }) => m.uid), [7]);
  assert.deepEqual((await search('dave', 'subject')).messages, []);
  assert.deepEqual((await search('élise', 'to')).messages.map((m: { uid: number }) => m.uid), [13]);
  assert.deepEqual((await search('ZEBRA')).messages.map((m: { uid: number }) => m.uid), [5]);
  assert.deepEqual((await search('zebra', 'body')).messages.map((m: { uid: number }) => m.uid), [5]);
  assert.deepEqual((await search('schöne grüße', 'body')).messages.map((m: { uid: number }) => m.uid), [13]);
  const paged = (await bob.get(`/api/mail/folders/${bobInbox}/messages?q=message&size=2&page=2`)).json();
  assert.equal(paged.total, 12);
  assert.deepEqual(paged.messages.map((m: { uid: number }) => m.uid), [10, 9]);
});

test('reading: encoded words and charsets decoded, text/plain body, attachments listed, HTML elsewhere; marks seen (peek does not)', async () => {
  const peek = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}?peek=true`);
  assert.equal(peek.statusCode, 200);
  assert.equal(peek.json().flags.seen, false);
  const r = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}`);
  const m = r.json();
  assert.equal(r.headers['cache-control'], 'private, no-store');
  assert.equal(m.subject, 'Grüße aus Köln');
  assert.deepEqual(m.from, [{ name: 'Jörg', address: 'joerg@example.net' }]);
  assert.deepEqual(m.to.map((a: { name: string }) => a.name), ['Bob', 'Élise']);
  assert.equal(m.text.trim(), 'Schöne Grüße');
  assert.equal(m.flags.seen, true);
  assert.equal(m.html.url, `/api/mail/messages/${bobInbox}/${rich.uid}/html`);
  assert.equal(m.html.remoteImages, 1);
  const names = m.attachments.map((a: { filename: string }) => a.filename);
  assert.deepEqual(names, ['part-image-png', 'Rechnung März.pdf', 'evil.html']);
  assert.equal(m.attachments[0].inline, true);
  const folders = (await bob.get('/api/mail/folders')).json().folders;
  assert.equal(folders[0].unread, 12);
});

test('the HTML: sanitised on the server, served with a strict sandboxing CSP; remote images only when asked, cid images inline', async () => {
  const r = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}/html`);
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^text\/html/);
  const csp = String(r.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /img-src data:;/);
  assert.match(csp, /sandbox allow-popups/);
  assert.doesNotMatch(csp, /allow-scripts|allow-same-origin|script-src/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  const html = r.body;
  assert.doesNotMatch(html, /<script|onclick|javascript:|tracker\.example/i);
  assert.match(html, /<b>Bob<\/b>/);
  assert.match(html, /src="data:image\/png;base64,iVBORw0KGgo="/);
  assert.match(html, /data-blocked="remote image"/);
  assert.match(html, /href="https:\/\/example\.net\/" target="_blank" rel="noopener noreferrer"/);
  const shown = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}/html?images=true`);
  assert.match(shown.body, /src="https:\/\/tracker\.example\/p\.gif"/);
  assert.match(String(shown.headers['content-security-policy']), /img-src data: https:;/);
  const none = await bob.get(`/api/mail/messages/${bobInbox}/1/html`);
  assert.equal(none.statusCode, 404, 'a text-only message has no HTML');
});

test('attachments: decoded, the right type, Content-Disposition attachment with the UTF-8 name, nosniff; HTML parts never inline', async () => {
  const pdf = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}/parts/2`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  assert.equal(pdf.headers['content-disposition'], `attachment; filename="Rechnung M_rz.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf`);
  assert.equal(pdf.headers['x-content-type-options'], 'nosniff');
  assert.equal(pdf.body, '%PDF-1.4\n');
  const evil = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}/parts/3?inline=true`);
  assert.match(String(evil.headers['content-disposition']), /^attachment;/);
  assert.match(String(evil.headers['content-security-policy']), /sandbox/);
  const image = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}/parts/1.2.2?inline=true`);
  assert.equal(image.headers['content-type'], 'image/png');
  assert.match(String(image.headers['content-disposition']), /^inline;/);
  assert.deepEqual(image.rawPayload, Buffer.from('iVBORw0KGgo=', 'base64'));
  for (const bad of ['9', '0', '1.9.9', '..', '1..2', '%00', 'a']) {
    const r = await bob.get(`/api/mail/messages/${bobInbox}/${rich.uid}/parts/${encodeURIComponent(bad)}`);
    assert.equal(r.statusCode, 404, `part ${bad}`);
  }
});

test('flags: flagged and unread toggles; the unread count follows', async () => {
  const url = `/api/mail/messages/${bobInbox}/2/flags`;
  const flagged = await bob.patch(url, { flagged: true });
  assert.equal(flagged.statusCode, 200);
  assert.equal(flagged.json().flagged, true);
  const read = await bob.patch(url, { seen: true });
  assert.deepEqual([read.json().seen, read.json().flagged], [true, true]);
  const unread = await bob.patch(url, { seen: false, flagged: false });
  assert.deepEqual([unread.json().seen, unread.json().flagged], [false, false]);
  assert.equal((await bob.patch(url, {})).statusCode, 400);
  assert.equal((await bob.patch(url, { deleted: true })).statusCode, 400);
});

test('move to another folder, delete to Trash, delete in Trash expunges', async () => {
  const moved = await bob.post(`/api/mail/messages/${bobInbox}/3/move`, { to: bobArchive });
  assert.equal(moved.statusCode, 200);
  assert.equal(moved.json().mailboxId, bobArchive);
  assert.equal((await bob.get(`/api/mail/messages/${bobInbox}/3`)).statusCode, 404);
  assert.equal((await bob.get(`/api/mail/messages/${bobArchive}/${moved.json().uid}?peek=true`)).json().subject, 'Message 3');
  assert.equal((await bob.post(`/api/mail/messages/${bobArchive}/${moved.json().uid}/move`, { to: bobArchive })).statusCode, 400);
  const trashed = await bob.delete(`/api/mail/messages/${bobInbox}/4`);
  const t = trashed.json() as { mailboxId: number; uid: number; expunged: boolean };
  assert.deepEqual([t.mailboxId, typeof t.uid, t.expunged], [bobTrash, 'number', false]);
  const gone = await bob.delete(`/api/mail/messages/${bobTrash}/${trashed.json().uid}`);
  assert.deepEqual(gone.json(), { mailboxId: bobTrash, uid: null, expunged: true });
  assert.equal((await fx.store.mailboxes.status(bobTrash)).messages, 0);
});

test('isolation: every endpoint answers 404 for another account\'s folder or message and changes nothing', async () => {
  const own = `/api/mail/messages/${aliceInbox}/${aliceSecret.uid}`;
  const probes = [
    bob.get(`/api/mail/folders/${aliceInbox}/messages`),
    bob.get(`/api/mail/folders/${aliceInbox}/messages?q=secret`),
    bob.get(own),
    bob.get(`${own}?peek=true`),
    bob.get(`${own}/html`),
    bob.get(`${own}/parts/1`),
    bob.patch(`${own}/flags`, { seen: true }),
    bob.post(`${own}/move`, { to: bobInbox }),
    bob.delete(own),
    // Alice's message with Bob's folder id, and Bob's message into Alice's folder.
    bob.get(`/api/mail/messages/${bobInbox}/9999`),
    bob.post(`/api/mail/messages/${bobInbox}/1/move`, { to: aliceInbox }),
  ];
  for (const r of await Promise.all(probes)) {
    assert.equal(r.statusCode, 404, r.body);
    assert.doesNotMatch(r.body, /alice secret/);
  }
  const status = await fx.store.mailboxes.status(aliceInbox);
  assert.deepEqual([status.messages, status.unseen], [1, 1], 'alice\'s message untouched');
  assert.equal((await fx.store.mailboxes.getMessages(bobInbox, [1])).length, 1, 'bob\'s message not moved to alice');
  const mine = await alice.get(`${own}?peek=true`);
  assert.equal(mine.json().subject, 'alice secret');
});

test('anonymous requests get 401 on every endpoint; changes without the CSRF token get 403', async () => {
  const anon = fx.client();
  const url = `/api/mail/messages/${bobInbox}/1`;
  for (const [method, path] of [['GET', '/api/mail/folders'], ['GET', `/api/mail/folders/${bobInbox}/messages`], ['GET', url], ['GET', `${url}/html`], ['GET', `${url}/parts/1`], ['GET', '/api/mail/events'], ['PATCH', `${url}/flags`], ['POST', `${url}/move`], ['DELETE', url]] as const) {
    const r = await anon.request(method, path, method === 'GET' ? {} : { json: { seen: true, to: bobInbox } });
    assert.ok(r.statusCode === 401 || r.statusCode === 403, `${method} ${path}: ${r.statusCode}`);
    if (method === 'GET') assert.equal(r.statusCode, 401, `${method} ${path}`);
  }
  for (const [method, path, json] of [['PATCH', `${url}/flags`, { flagged: true }], ['POST', `${url}/move`, { to: bobArchive }], ['DELETE', url, undefined]] as const) {
    const r = await bob.request(method, path, json === undefined ? { csrf: false } : { json, csrf: false });
    assert.equal(r.statusCode, 403, `${method} ${path}`);
    assert.equal(r.json().error, 'csrf');
  }
  assert.equal((await fx.store.mailboxes.getMessages(bobInbox, [1]))[0]!.flags.includes('\\Flagged'), false);
});

test('live events: a delivery to bob reaches his event stream (not compressed), alice\'s does not', async () => {
  const cookie = [...bob.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const response = await fx.app.inject({ method: 'GET', url: '/api/mail/events', headers: { cookie, 'accept-encoding': 'gzip, br' }, payloadAsStream: true });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/event-stream/);
  assert.equal(response.headers['content-encoding'], undefined);
  const stream = response.stream();
  let text = '';
  const seen = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('"kind":"append"')) resolve();
    });
  });
  await deliverText(fx.store, fx.alice.id, plain('for alice only'));
  const delivered = await deliverText(fx.store, fx.bob.id, plain('live one'));
  await seen;
  assert.match(text, /^retry: 3000/);
  const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  assert.deepEqual(events, [{ kind: 'append', mailboxId: bobInbox, uids: [delivered.uid] }]);
  stream.destroy();
});

test('the OpenAPI document describes every webmail route under the mail tag', async () => {
  const doc = (await fx.client().get('/api/openapi.json')).json();
  for (const path of ['/api/mail/folders', '/api/mail/folders/{mailboxId}/messages', '/api/mail/messages/{mailboxId}/{uid}', '/api/mail/messages/{mailboxId}/{uid}/html', '/api/mail/messages/{mailboxId}/{uid}/parts/{part}', '/api/mail/messages/{mailboxId}/{uid}/flags', '/api/mail/messages/{mailboxId}/{uid}/move', '/api/mail/events']) {
    const item = doc.paths[path];
    assert.ok(item, path);
    for (const operation of Object.values(item) as { tags: string[] }[]) assert.deepEqual(operation.tags, ['mail'], path);
  }
});
