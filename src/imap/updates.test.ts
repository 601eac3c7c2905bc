// A second session asserting the untagged updates it sees (mox style): EXISTS after
// another session's APPEND or an SMTP-style delivery, EXPUNGE, FETCH FLAGS, IDLE
// receiving them as they are committed, and no EXPUNGE during FETCH/STORE/SEARCH.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFixture, sampleMessage, type ImapClient } from './test-support.ts';

let f: ImapFixture;
before(async () => {
  f = await ImapFixture.start();
});
after(async () => {
  await f.close();
});

async function freshMailbox(name: string): Promise<void> {
  await f.store.mailboxes.createMailbox(f.account.id, name);
}

async function appendVia(c: ImapClient, mailbox: string, subject: string): Promise<void> {
  const m = sampleMessage(subject);
  await c.ok(`APPEND ${mailbox} {${Buffer.byteLength(m)}+}\r\n${m}`);
}

test('EXISTS and RECENT after another session\'s APPEND and after an SMTP delivery, at the next command', async () => {
  await freshMailbox('u1');
  const a = await f.login();
  const b = await f.login();
  await a.ok('SELECT u1');
  await appendVia(b, 'u1', 'first');
  const noop = await a.ok('NOOP');
  assert.deepEqual(noop.untagged, ['* 1 EXISTS', '* 1 RECENT']);
  await f.deliver(sampleMessage('smtp'), { mailbox: 'u1' });
  const noop2 = await a.ok('NOOP');
  assert.deepEqual(noop2.untagged, ['* 2 EXISTS', '* 2 RECENT']);
  assert.deepEqual((await a.ok('NOOP')).untagged, []);
});

test('FETCH FLAGS for another session\'s STORE; EXPUNGE renumbers; UIDs only grow', async () => {
  await freshMailbox('u2');
  for (const s of ['a', 'b', 'c', 'd']) await f.deliver(sampleMessage(s), { mailbox: 'u2' });
  const a = await f.login();
  const b = await f.login();
  await a.ok('SELECT u2');
  await b.ok('SELECT u2');
  await b.ok('STORE 2 +FLAGS (\\Flagged)');
  assert.deepEqual((await a.ok('NOOP')).untagged, ['* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))']);
  await b.ok('STORE 2,3 +FLAGS.SILENT (\\Deleted)');
  const expunge = await b.ok('EXPUNGE');
  assert.deepEqual(expunge.untagged, ['* 3 EXPUNGE', '* 2 EXPUNGE']);
  const seen = await a.ok('NOOP');
  // The flag change of 2 and 3 is superseded by their expunge.
  assert.deepEqual(seen.untagged.filter((u) => u.includes('EXPUNGE')), ['* 3 EXPUNGE', '* 2 EXPUNGE']);
  assert.deepEqual((await a.ok('FETCH 1:* UID')).untagged, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 4)']);
  await f.deliver(sampleMessage('e'), { mailbox: 'u2' });
  await a.ok('NOOP');
  assert.deepEqual((await a.ok('UID SEARCH ALL')).untagged, ['* SEARCH 1 4 5']);
});

test('RFC 3501 §7.4.1: no EXPUNGE during FETCH, STORE or SEARCH; it comes at the next NOOP', async () => {
  await freshMailbox('u3');
  for (const s of ['a', 'b', 'c']) await f.deliver(sampleMessage(s), { mailbox: 'u3' });
  const a = await f.login();
  await a.ok('SELECT u3');
  const box = (await f.store.mailboxes.getMailbox(f.account.id, 'u3'))!;
  await f.store.mailboxes.expunge(box.id, [2]);
  const fetch = await a.ok('FETCH 1:3 UID');
  assert.ok(!fetch.untagged.some((u) => u.includes('EXPUNGE')));
  // Message 2 is gone but still numbered: it is simply left out.
  assert.deepEqual(fetch.untagged, ['* 1 FETCH (UID 1)', '* 3 FETCH (UID 3)']);
  const search = await a.ok('SEARCH ALL');
  assert.ok(!search.untagged.some((u) => u.includes('EXPUNGE')));
  assert.deepEqual((await a.ok('NOOP')).untagged, ['* 2 EXPUNGE']);
  assert.deepEqual((await a.ok('SEARCH ALL')).untagged, ['* SEARCH 1 2']);
});

test('IDLE receives EXISTS, FETCH and EXPUNGE as soon as they are committed', async () => {
  await freshMailbox('u4');
  await f.deliver(sampleMessage('old'), { mailbox: 'u4' });
  const a = await f.login();
  const b = await f.login();
  await a.ok('SELECT u4');
  a.write('i1 IDLE\r\n');
  assert.equal(await a.line(), '+ idling');
  await f.deliver(sampleMessage('new'), { mailbox: 'u4' });
  assert.equal(await a.line(10_000), '* 2 EXISTS');
  // The old message is \Recent for this session too (it selected first).
  assert.equal(await a.line(10_000), '* 2 RECENT');
  await b.ok('SELECT u4');
  await b.ok('STORE 1 +FLAGS (\\Deleted)');
  assert.equal(await a.line(10_000), '* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))');
  await b.ok('EXPUNGE');
  assert.equal(await a.line(10_000), '* 1 EXPUNGE');
  a.write('DONE\r\n');
  assert.equal(await a.line(), 'i1 OK IDLE terminated');
  assert.deepEqual((await a.ok('FETCH 1 UID')).untagged, ['* 1 FETCH (UID 2)']);
});

test('IDLE ends with BAD on anything but DONE; deleting the selected mailbox elsewhere ends the session with BYE', async () => {
  await freshMailbox('u5');
  const a = await f.login();
  await a.ok('SELECT u5');
  a.write('i2 IDLE\r\n');
  assert.equal(await a.line(), '+ idling');
  a.write('NOTDONE\r\n');
  assert.match(await a.line(), /^i2 BAD Expected DONE/);
  const b = await f.login();
  await b.ok('DELETE u5');
  a.write('n1 NOOP\r\n');
  assert.match(await a.response(), /^\* BYE The selected mailbox was deleted/);
  await a.closedByServer();
});

test('QRESYNC: VANISHED instead of EXPUNGE; SELECT (QRESYNC ...) reports what changed', async () => {
  await freshMailbox('u6');
  for (const s of ['a', 'b', 'c']) await f.deliver(sampleMessage(s), { mailbox: 'u6' });
  const box = (await f.store.mailboxes.getMailbox(f.account.id, 'u6'))!;
  const a = await f.login();
  assert.deepEqual((await a.ok('ENABLE QRESYNC')).untagged, ['* ENABLED CONDSTORE QRESYNC']);
  const sel = await a.ok('SELECT u6');
  const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1]);
  await f.store.mailboxes.storeFlags(box.id, [1], 'add', ['\\Seen']);
  await f.store.mailboxes.expunge(box.id, [2]);
  const noop = await a.ok('NOOP');
  assert.ok(noop.untagged.includes('* VANISHED 2'));
  await a.ok('UNSELECT');
  const resync = await a.ok(`SELECT u6 (QRESYNC (${box.uidValidity} ${highest}))`);
  assert.ok(resync.untagged.includes('* VANISHED (EARLIER) 2'), resync.untagged.join('\n'));
  assert.ok(resync.untagged.some((u) => /^\* 1 FETCH \(UID 1 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/.test(u)), resync.untagged.join('\n'));
  const changed = await a.ok(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest} VANISHED)`);
  assert.ok(changed.untagged.includes('* VANISHED (EARLIER) 2'));
  assert.equal(changed.untagged.filter((u) => u.includes('FETCH')).length, 1);
  // Conditional STORE (RFC 7162 §3.1.3): a message changed after the given modseq is not touched.
  const cond = await a.command(`STORE 1,2 (UNCHANGEDSINCE ${highest}) +FLAGS (\\Flagged)`);
  assert.match(cond.status, /^OK \[MODIFIED 1\]/);
});
