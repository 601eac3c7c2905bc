// Transcript tests of whole dialogues: RFC 3501 §8's example, RFC 9051's examples of
// the commands, and the rules around states, TLS and authentication.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFixture, OTHER_USER, PASSWORD, sampleMessage, testTlsProvider, USER } from './test-support.ts';

// RFC 3501 §8: message 12 of the example, as its ENVELOPE describes it.
const RFC3501_MESSAGE_12 = [
  'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
  'From: Terry Gray <gray@cac.washington.edu>',
  'Subject: IMAP4rev1 WG mtg summary and minutes',
  'To: imap@cac.washington.edu',
  'cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>',
  'Message-Id: <B27397-0100000@cac.washington.edu>',
  'MIME-Version: 1.0',
  'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII',
  '',
  'Minutes of the meeting.',
  'Second line.',
  '',
].join('\r\n');

let f: ImapFixture;
before(async () => {
  f = await ImapFixture.start();
});
after(async () => {
  await f.close();
});

test('RFC 3501 §8: the example dialogue (login, select, fetch full, body[header], store, logout)', async () => {
  const inbox = (await f.store.mailboxes.getMailbox(f.account.id, 'INBOX'))!;
  for (let i = 1; i <= 18; i++) {
    if (i === 12) await f.deliver(RFC3501_MESSAGE_12, { flags: ['\\Seen'], internalDate: new Date('1996-07-17T09:44:25Z') });
    else await f.deliver(sampleMessage(`m${i}`), { flags: i < 17 ? ['\\Seen'] : [] });
  }
  const c = await f.connect();
  assert.match(c.greeting, /^\* OK \[CAPABILITY IMAP4rev1 /);
  assert.equal((await c.command(`login ${USER} "${PASSWORD}"`)).status.replace(/\[CAPABILITY [^\]]*\] /, ''), 'OK Logged in');
  const select = await c.command('select inbox');
  assert.ok(select.untagged.includes('* 18 EXISTS'));
  assert.ok(select.untagged.includes('* 18 RECENT'));
  assert.ok(select.untagged.includes('* OK [UNSEEN 17] Message 17 is first unseen'));
  assert.ok(select.untagged.includes(`* OK [UIDVALIDITY ${inbox.uidValidity}] UIDs valid`));
  assert.ok(select.untagged.some((u) => u.startsWith('* FLAGS (') && u.includes('\\Deleted')));
  assert.equal(select.status, 'OK [READ-WRITE] SELECT completed');

  const full = await c.command('fetch 12 full');
  assert.equal(full.untagged.length, 1);
  assert.equal(
    full.untagged[0],
    '* 12 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE "17-Jul-1996 09:44:25 +0000" RFC822.SIZE ' +
      Buffer.byteLength(RFC3501_MESSAGE_12) +
      ' ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7bit" 39 2))',
  );

  const header = await c.command('fetch 12 body[header]');
  const headerText = RFC3501_MESSAGE_12.slice(0, RFC3501_MESSAGE_12.indexOf('\r\n\r\n') + 4);
  assert.equal(header.untagged[0], `* 12 FETCH (BODY[HEADER] {${headerText.length}}\r\n${headerText})`);

  const store = await c.command('store 12 +flags \\deleted');
  assert.deepEqual(store.untagged, ['* 12 FETCH (FLAGS (\\Seen \\Deleted \\Recent))']);
  assert.match(store.status, /^OK/);

  const logout = await c.command('logout');
  assert.deepEqual(logout.untagged, ['* BYE Septet IMAP server logging out']);
  assert.match(logout.status, /^OK/);
  await c.closedByServer();
  // Clean up for the other tests.
  const uids = await f.store.mailboxes.listUids(inbox.id);
  await f.store.mailboxes.expunge(inbox.id, [...uids]);
});

test('RFC 3501 §6.1-6.2: commands are checked against the state; unknown ones are BAD', async () => {
  const c = await f.connect();
  assert.match((await c.command('SELECT INBOX')).status, /^BAD .*not allowed in the not-authenticated state/);
  assert.match((await c.command('FROBNICATE')).status, /^BAD Unknown command/);
  assert.match((await c.command('NOOP')).status, /^OK/);
  await c.ok(`LOGIN ${USER} "${PASSWORD}"`);
  assert.match((await c.command('FETCH 1 FLAGS')).status, /^BAD .*authenticated state/);
  assert.match((await c.command(`LOGIN ${USER} x`)).status, /^BAD/);
  assert.match((await c.command('CAPABILITY')).untagged[0]!, /IDLE.*UIDPLUS.*MOVE/);
});

test('bad syntax gets BAD with a clear text, and the session goes on', async () => {
  const c = await f.login();
  assert.match((await c.command('SELECT')).status, /^BAD Expected a space/);
  assert.match((await c.command('SELECT "unterminated')).status, /^BAD Unterminated quoted string/);
  assert.match((await c.command('STATUS INBOX (BOGUS)')).status, /^BAD Unknown STATUS item/);
  await c.ok('SELECT INBOX');
  assert.match((await c.command('FETCH 1:x FLAGS')).status, /^BAD/);
  assert.match((await c.command('FETCH 99 FLAGS')).status, /^BAD/);
  assert.match((await c.command('SEARCH FROBS')).status, /^BAD Unknown search key/);
  assert.match((await c.command('SEARCH CHARSET KOI8-R TEXT x')).status, /^NO \[BADCHARSET/);
  c.write('* BAD\r\n');
  assert.match(await c.response(), /^\* BAD/);
  await c.ok('NOOP');
});

test('RFC 2595 / RFC 9051 §6.2.3: plaintext from a non-loopback address: LOGINDISABLED, LOGIN refused unchecked', async () => {
  f.nextAddress = { remoteAddress: '192.0.2.7', remotePort: 4000, localAddress: '192.0.2.1', localPort: 143 };
  try {
    const c = await f.connect();
    assert.match(c.greeting, /LOGINDISABLED/);
    assert.doesNotMatch(c.greeting, /AUTH=PLAIN/);
    assert.match(c.greeting, /STARTTLS/);
    assert.equal((await c.command(`LOGIN ${USER} "${PASSWORD}"`)).status, 'NO [PRIVACYREQUIRED] Plaintext login is disabled on this unencrypted connection; use STARTTLS first');
    assert.match((await c.command('AUTHENTICATE PLAIN ' + Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64'))).status, /^NO \[PRIVACYREQUIRED\]/);
  } finally {
    f.nextAddress = undefined;
  }
});

test('RFC 4959: AUTHENTICATE PLAIN with and without an initial response', async () => {
  const c = await f.connect();
  const token = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
  assert.match((await c.command('AUTHENTICATE PLAIN ' + Buffer.from(`\0${USER}\0wrong`).toString('base64'))).status, /^NO \[AUTHENTICATIONFAILED\]/);
  c.write('a1 AUTHENTICATE PLAIN\r\n');
  assert.equal(await c.line(), '+ ');
  c.write(token + '\r\n');
  assert.match((await c.until('a1')).status, /^OK \[CAPABILITY .*\] Logged in/);
  const d = await f.connect();
  d.write('a2 AUTHENTICATE PLAIN\r\n');
  assert.equal(await d.line(), '+ ');
  d.write('*\r\n');
  assert.match((await d.until('a2')).status, /^BAD Authentication cancelled/);
  await d.ok('AUTHENTICATE PLAIN ' + token);
});

test('STARTTLS: upgrade, pipelined plaintext is discarded, then login works', async () => {
  const tls = await testTlsProvider();
  const g = await ImapFixture.start({ tls });
  try {
    g.nextAddress = { remoteAddress: '192.0.2.9', remotePort: 4000, localAddress: '192.0.2.1', localPort: 143 };
    const c = await g.connect();
    // The injected NOOP after STARTTLS must never be executed (RFC 2595 §3.1).
    c.write('s1 STARTTLS\r\ns2 NOOP\r\n');
    assert.equal(await c.line(), 's1 OK Begin TLS negotiation now');
    await c.startTls();
    const caps = await c.command('CAPABILITY');
    assert.match(caps.untagged[0]!, /AUTH=PLAIN/);
    assert.doesNotMatch(caps.untagged[0]!, /STARTTLS|LOGINDISABLED/);
    await c.ok(`LOGIN ${USER} "${PASSWORD}"`);
    assert.doesNotMatch(c.unread, /s2/);
  } finally {
    await g.close();
  }
});

test('unknown commands before login close the connection (cross-protocol attacks)', async () => {
  const c = await f.connect();
  c.write('EHLO example.org\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n');
  const lines = [await c.line(), await c.line(), await c.line(), await c.line()];
  assert.match(lines[3]!, /^\* BYE Too many unknown commands/);
  await c.closedByServer();
});

test('an HTTP request on the IMAP port ends the connection', async () => {
  const c = await f.connect();
  c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(await c.line(), /^\* BYE This is an IMAP server/);
  await c.closedByServer();
});

test('RFC 3501 §6.3: CREATE, hierarchy, RENAME, DELETE, SUBSCRIBE, LSUB, LIST-EXTENDED', async () => {
  const c = await f.login();
  await c.ok('CREATE "work/"');
  assert.match((await c.command('CREATE work')).status, /^NO \[ALREADYEXISTS\]/);
  await c.ok('CREATE work/projects/septet');
  let list = await c.command('LIST "" work*');
  assert.deepEqual(list.untagged, ['* LIST (\\HasChildren) "/" "work"', '* LIST (\\HasChildren) "/" "work/projects"', '* LIST (\\HasNoChildren) "/" "work/projects/septet"']);
  list = await c.command('LIST "" %');
  assert.ok(list.untagged.includes('* LIST (\\HasChildren) "/" "work"'));
  assert.ok(!list.untagged.some((u) => u.includes('work/projects')));
  list = await c.command('LIST "" ""');
  assert.deepEqual(list.untagged, ['* LIST (\\Noselect) "/" ""']);
  await c.ok('RENAME work/projects office/projects');
  list = await c.command('LIST "" office*');
  assert.deepEqual(list.untagged, ['* LIST (\\HasChildren) "/" "office"', '* LIST (\\HasChildren) "/" "office/projects"', '* LIST (\\HasNoChildren) "/" "office/projects/septet"']);
  await c.ok('DELETE office');
  list = await c.command('LIST "" office*');
  assert.equal(list.untagged[0], '* LIST (\\Noselect \\HasChildren) "/" "office"');
  assert.match((await c.command('DELETE INBOX')).status, /^NO/);
  assert.match((await c.command('DELETE nosuch')).status, /^NO \[NONEXISTENT\]/);
  await c.ok('SUBSCRIBE office/projects');
  const lsub = await c.command('LSUB "" "office/*"');
  assert.deepEqual(lsub.untagged, ['* LSUB () "/" "office/projects"']);
  const ext = await c.command('LIST (SUBSCRIBED) "" "office*" RETURN (STATUS (MESSAGES UIDNEXT))');
  assert.deepEqual(ext.untagged, ['* LIST (\\HasChildren \\Subscribed) "/" "office/projects"', '* STATUS "office/projects" (MESSAGES 0 UIDNEXT 1)']);
  const special = await c.command('LIST (SPECIAL-USE) "" "*"');
  assert.deepEqual(special.untagged.map((u) => u.replace(/ "\/" .*/, '')).sort(), ['* LIST (\\HasNoChildren \\Archive)', '* LIST (\\HasNoChildren \\Drafts)', '* LIST (\\HasNoChildren \\Junk)', '* LIST (\\HasNoChildren \\Sent)', '* LIST (\\HasNoChildren \\Trash)']);
});

test('RFC 3501 §5.1.3: mailbox names in modified UTF-7, and in UTF-8 after ENABLE UTF8=ACCEPT', async () => {
  const c = await f.login();
  assert.match((await c.command('CREATE "bad&name"')).status, /^NO .*modified UTF-7/);
  await c.ok('CREATE "~peter/mail/&U,BTFw-/&ZeVnLIqe-"');
  const list = await c.command('LIST "" "~peter/*"');
  assert.ok(list.untagged.includes('* LIST (\\HasNoChildren) "/" "~peter/mail/&U,BTFw-/&ZeVnLIqe-"'));
  assert.ok(await f.store.mailboxes.getMailbox(f.account.id, '~peter/mail/台北/日本語'));
  assert.deepEqual((await c.command('ENABLE UTF8=ACCEPT')).untagged, ['* ENABLED UTF8=ACCEPT']);
  const utf8 = await c.command('LIST "" "~peter/mail/*/*"');
  assert.deepEqual(utf8.untagged, [`* LIST (\\HasNoChildren) "/" "${Buffer.from('~peter/mail/台北/日本語').toString('latin1')}"`]);
});

test('one user never sees another user\'s mailboxes', async () => {
  await f.store.mailboxes.createMailbox(f.other.id, 'bob-private');
  await f.deliver(sampleMessage('for bob'), { accountId: f.other.id });
  const c = await f.login();
  const list = await c.command('LIST "" "*"');
  assert.ok(!list.untagged.some((u) => u.includes('bob-private')));
  assert.match((await c.command('SELECT bob-private')).status, /^NO \[NONEXISTENT\]/);
  assert.match((await c.command('STATUS bob-private (MESSAGES)')).status, /^NO/);
  const b = await f.login(OTHER_USER);
  assert.ok((await b.command('LIST "" "*"')).untagged.some((u) => u.includes('bob-private')));
});

test('APPEND with flags and date, APPENDUID; UID FETCH, UID STORE, COPY/MOVE with COPYUID; EXPUNGE', async () => {
  const c = await f.login();
  await c.ok('CREATE appendbox');
  const message = sampleMessage('Appended', 'Body line\r\n');
  const size = Buffer.byteLength(message);
  c.write(`p1 APPEND appendbox (\\Seen $Work) "05-Mar-2021 10:11:12 +0100" {${size}}\r\n`);
  assert.equal(await c.line(), '+ Ready for literal data');
  c.write(message + '\r\n');
  const appended = await c.until('p1');
  const box = (await f.store.mailboxes.getMailbox(f.account.id, 'appendbox'))!;
  assert.equal(appended.status, `OK [APPENDUID ${box.uidValidity} 1] APPEND completed`);
  // LITERAL+ (RFC 7888): no continuation.
  const reply = await new Promise<string>((resolve, reject) => {
    c.write(`p2 APPEND appendbox {${size}+}\r\n${message}\r\n`);
    c.until('p2').then((r) => resolve(r.status), reject);
  });
  assert.match(reply, /^OK \[APPENDUID \d+ 2\]/);
  assert.match((await c.command(`APPEND nosuchbox {${size}+}\r\n${message}`)).status, /^NO \[TRYCREATE\]/);
  c.write(`p3 APPEND nosuchbox {${size}}\r\n`);
  assert.match(await c.line(), /^p3 NO \[TRYCREATE\]/);

  const sel = await c.command('SELECT appendbox');
  assert.ok(sel.untagged.includes('* 2 EXISTS'));
  assert.ok(sel.untagged.some((u) => u.startsWith('* FLAGS (') && u.includes('$Work')));
  const fetched = await c.command('UID FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])');
  assert.equal(fetched.untagged[0], `* 1 FETCH (UID 1 FLAGS (\\Seen $Work \\Recent) INTERNALDATE " 5-Mar-2021 09:11:12 +0000" RFC822.SIZE ${size} BODY[] {${size}}\r\n${message})`);
  const stored = await c.command('UID STORE 2 +FLAGS.SILENT (\\Flagged)');
  assert.deepEqual(stored.untagged, []);
  assert.deepEqual((await c.command('FETCH 2 FLAGS')).untagged, ['* 2 FETCH (FLAGS (\\Flagged \\Recent))']);
  const copied = await c.command('COPY 1:2 Archive');
  const archive = (await f.store.mailboxes.getMailbox(f.account.id, 'Archive'))!;
  assert.match(copied.status, new RegExp(`^OK \\[COPYUID ${archive.uidValidity} 1:2 \\d+:\\d+\\]`));
  assert.match((await c.command('COPY 1 nosuch')).status, /^NO \[TRYCREATE\]/);
  const moved = await c.command('UID MOVE 1 Trash');
  assert.match(moved.untagged[0]!, /^\* OK \[COPYUID \d+ 1 \d+\]/);
  assert.equal(moved.untagged[1], '* 1 EXPUNGE');
  assert.deepEqual((await c.command('UID SEARCH ALL')).untagged, ['* SEARCH 2']);
  await c.ok('STORE 1 +FLAGS (\\Deleted)');
  const expunged = await c.command('EXPUNGE');
  assert.deepEqual(expunged.untagged, ['* 1 EXPUNGE']);
  assert.deepEqual((await c.command('SEARCH ALL')).untagged, ['* SEARCH']);
  await c.ok('CLOSE');
});

test('STATUS items, NAMESPACE, ID, ENABLE, QUOTA, EXAMINE read-only, UNSELECT', async () => {
  await f.store.accounts.setQuota(USER, 10 * 1024 * 1024);
  const c = await f.login();
  assert.deepEqual((await c.command('NAMESPACE')).untagged, ['* NAMESPACE (("" "/")) NIL NIL']);
  assert.match((await c.command('ID ("name" "test")')).untagged[0]!, /^\* ID \("name" "Septet"/);
  assert.deepEqual((await c.command('ENABLE CONDSTORE X-UNKNOWN')).untagged, ['* ENABLED CONDSTORE']);
  const quota = await c.command('GETQUOTAROOT INBOX');
  assert.equal(quota.untagged[0], '* QUOTAROOT "INBOX" ""');
  assert.match(quota.untagged[1]!, /^\* QUOTA "" \(STORAGE \d+ 10240\)$/);
  assert.match((await c.command('SETQUOTA "" (STORAGE 1)')).status, /^NO \[NOPERM\]/);
  await f.deliver(sampleMessage('status'));
  const st = await c.command('STATUS INBOX (MESSAGES UNSEEN SIZE HIGHESTMODSEQ DELETED)');
  assert.match(st.untagged[0]!, /^\* STATUS "INBOX" \(MESSAGES \d+ UNSEEN \d+ SIZE \d+ HIGHESTMODSEQ \d+ DELETED 0\)$/);
  const ex = await c.command('EXAMINE INBOX');
  assert.equal(ex.status, 'OK [READ-ONLY] EXAMINE completed');
  assert.ok(ex.untagged.some((u) => u.startsWith('* OK [HIGHESTMODSEQ ')));
  assert.match((await c.command('STORE 1 +FLAGS (\\Seen)')).status, /^NO \[READ-ONLY\]/);
  // EXAMINE never sets \Seen (RFC 3501 §6.3.2).
  await c.ok('FETCH 1 BODY[]');
  assert.doesNotMatch((await c.command('FETCH 1 FLAGS')).untagged[0]!, /\\Seen/);
  await c.ok('UNSELECT');
  assert.match((await c.command('FETCH 1 FLAGS')).status, /^BAD/);
  await f.store.accounts.setQuota(USER, null);
});

test('literals over the limit are refused before the continuation', async () => {
  const g = await ImapFixture.start({ configure: (config) => { config.imap.max_literal_size = 2048; config.imap.max_command_literal_size = 1024; } });
  try {
    const c = await g.login();
    c.write('t1 APPEND INBOX {4096}\r\n');
    assert.match(await c.line(), /^t1 NO \[TOOBIG\]/);
    c.write('t2 SELECT {5000}\r\n');
    assert.match(await c.line(), /^t2 BAD \[TOOBIG\]/);
    // A non-synchronizing one is read and dropped; the session goes on.
    c.write(`t3 APPEND INBOX {3000+}\r\n${'x'.repeat(3000)}\r\nt4 NOOP\r\n`);
    assert.match(await c.line(), /^t3 NO \[TOOBIG\]/);
    assert.match(await c.line(), /^t4 OK/);
    // Small literals in other commands work.
    c.write('t5 SELECT {5}\r\n');
    assert.equal(await c.line(), '+ Ready for literal data');
    c.write('INBOX\r\n');
    assert.match((await c.until('t5')).status, /^OK \[READ-WRITE\]/);
    // Before login nobody may make the server read a large literal, not even to discard it.
    const d = await g.connect();
    d.write('u1 APPEND INBOX {100000+}\r\n');
    assert.match(await d.line(), /^u1 BAD .*not-authenticated/);
    assert.match(await d.line(), /^\* BYE/);
    await d.closedByServer();
  } finally {
    await g.close();
  }
});

test('SEARCH that meets a message whose body another session just expunged leaves it out instead of failing (RFC 2180 §4.1.3)', async () => {
  const c = await f.login();
  await c.ok('CREATE racebox');
  await f.deliver(sampleMessage('race one'), { mailbox: 'racebox' });
  const second = await f.deliver(sampleMessage('race two'), { mailbox: 'racebox' });
  await c.ok('SELECT racebox');
  // What a concurrent EXPUNGE leaves behind: the metadata this SEARCH read still names a body file that is gone.
  const box = (await f.store.mailboxes.getMailbox(f.account.id, 'racebox'))!;
  const [meta] = await f.store.mailboxes.getMessages(box.id, [second]);
  await f.store.blobs.delete(meta!.blobId);
  const found = await c.command('SEARCH SUBJECT "race"');
  assert.match(found.status, /^OK/);
  assert.deepEqual(found.untagged, ['* SEARCH 1']);
  await c.ok('LOGOUT');
});
