// Transcripts of what an outside compliance suite (and mbsync) found (issue 11), each
// checked against the RFC text and against Dovecot 2.3's answers to the same commands
// (fixtures/dovecot-transcripts.py plays these dialogues against /usr/lib/dovecot/imap
// in PREAUTH mode on a throwaway maildir; its output is fixtures/dovecot-transcripts.txt,
// where the Dovecot lines quoted below come from).

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

/** Index of the first untagged response matching re; fails when none does. */
function indexOf(untagged: string[], re: RegExp): number {
  const i = untagged.findIndex((u) => re.test(u));
  assert.ok(i >= 0, `no response matches ${re}:\n${untagged.join('\n')}`);
  return i;
}

/** APPEND of a small message through a synchronizing literal's LITERAL+ form. */
async function append(c: ImapClient, mailbox: string, flags = '', text = sampleMessage()): Promise<string> {
  const tag = c.nextTag();
  c.write(`${tag} APPEND ${mailbox} ${flags ? `(${flags}) ` : ''}{${Buffer.byteLength(text)}+}\r\n${text}\r\n`);
  const reply = await c.until(tag);
  assert.match(reply.status, /^OK/);
  return reply.status;
}

test('RFC 3501 §7.2.6: a new keyword is in FLAGS and PERMANENTFLAGS before any FETCH carries it, in every session', async () => {
  await f.store.mailboxes.createMailbox(f.account.id, 'kw');
  await f.deliver(sampleMessage('k1'), { mailbox: 'kw' });
  const a = await f.login();
  const b = await f.login();
  await b.ok('SELECT kw');
  const selected = await a.ok('SELECT kw');
  assert.ok(selected.untagged.includes('* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)'));

  // Dovecot: * FLAGS (... $hello) / * OK [PERMANENTFLAGS (... $hello \*)] / * 1 FETCH (FLAGS ($hello))
  const stored = await a.ok('STORE 1 +FLAGS ($hello)');
  assert.deepEqual(stored.untagged, [
    '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $hello)',
    '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $hello \\*)] Flags permitted',
    '* 1 FETCH (FLAGS ($hello))',
  ]);
  // Known now: no second announcement.
  assert.deepEqual((await a.ok('STORE 1 +FLAGS ($hello \\Seen)')).untagged, ['* 1 FETCH (FLAGS ($hello \\Seen))']);

  // APPEND with a new keyword to the selected mailbox: announced before the FETCH that shows it.
  await append(a, 'kw', '$new1');
  const fetched = await a.ok('FETCH 1:* FLAGS');
  const announced = indexOf(fetched.untagged, /^\* FLAGS \(.*\$hello \$new1\)$/);
  assert.ok(announced < indexOf(fetched.untagged, /^\* 2 FETCH \(FLAGS \(\$new1 \\Recent\)\)$/));
  assert.match(fetched.untagged[announced + 1]!, /^\* OK \[PERMANENTFLAGS \(.*\$hello \$new1 \\\*\)\]/);

  // The other session learns both keywords from the change feed, before the FETCHes that carry them.
  const heard = (await b.ok('NOOP')).untagged.concat((await b.ok('FETCH 2 FLAGS')).untagged);
  assert.ok(indexOf(heard, /^\* FLAGS \(.*\$hello/) < indexOf(heard, /^\* 1 FETCH .*\$hello/));
  assert.ok(indexOf(heard, /^\* FLAGS \(.*\$new1/) < indexOf(heard, /^\* 2 FETCH .*\$new1/));
  assert.ok(indexOf(heard, /^\* OK \[PERMANENTFLAGS \(.*\$new1/) < indexOf(heard, /^\* 2 FETCH .*\$new1/));
  // A reselect lists both at once.
  assert.ok((await b.ok('EXAMINE kw')).untagged.includes('* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $hello $new1)'));
});

test('no flag list carries NIL as a keyword: STORE and APPEND refuse it', async () => {
  const c = await f.login();
  await c.ok('SELECT kw');
  assert.match((await c.command('STORE 1 +FLAGS (NIL)')).status, /^BAD NIL is not a keyword/);
  assert.match((await c.command('STORE 1 +FLAGS nil')).status, /^BAD NIL is not a keyword/);
  const text = sampleMessage();
  c.write(`n1 APPEND kw (\\Seen NIL) {${text.length}+}\r\n${text}\r\n`);
  assert.match((await c.until('n1')).status, /^BAD NIL is not a keyword/);
  for (const u of (await c.ok('FETCH 1:* FLAGS')).untagged) assert.doesNotMatch(u, /\bNIL\b/);
});

test('RFC 6851 / RFC 4315: MOVE and COPY into the selected mailbox itself give new UIDs (COPYUID)', async () => {
  const box = await f.store.mailboxes.createMailbox(f.account.id, 'self');
  await f.deliver(sampleMessage('s1'), { mailbox: 'self' });
  await f.deliver(sampleMessage('s2'), { mailbox: 'self' });
  const c = await f.login();
  await c.ok('SELECT self');
  // Dovecot: * 3 EXISTS / * 3 RECENT / OK [COPYUID v 1 3] Copy completed
  const copied = await c.ok('COPY 1 self');
  assert.equal(copied.status, `OK [COPYUID ${box.uidValidity} 1 3] COPY completed`);
  assert.ok(copied.untagged.includes('* 3 EXISTS'));
  // Dovecot: * OK [COPYUID v 1 4] Moved UIDs. / * 1 EXPUNGE / * 3 EXISTS / OK Move completed
  const moved = await c.ok('MOVE 1 self');
  assert.deepEqual(moved.untagged.slice(0, 2), [`* OK [COPYUID ${box.uidValidity} 1 4] Moved`, '* 1 EXPUNGE']);
  assert.ok(moved.untagged.includes('* 3 EXISTS'));
  assert.deepEqual((await c.ok('FETCH 1:* UID')).untagged, ['* 1 FETCH (UID 2)', '* 2 FETCH (UID 3)', '* 3 FETCH (UID 4)']);
  const uidMoved = await c.ok('UID MOVE 2 self');
  assert.deepEqual(uidMoved.untagged.slice(0, 2), [`* OK [COPYUID ${box.uidValidity} 2 5] Moved`, '* 1 EXPUNGE']);
  assert.deepEqual((await c.ok('UID FETCH 1:* UID')).untagged, ['* 1 FETCH (UID 3)', '* 2 FETCH (UID 4)', '* 3 FETCH (UID 5)']);
  assert.deepEqual([...(await f.store.mailboxes.listUids(box.id))], [3, 4, 5]);
});

test('RFC 3501 §5.1.3: a name that is not valid modified UTF-7 is refused with NO; as a LIST pattern it matches nothing', async () => {
  const c = await f.login();
  // Dovecot: NO Mailbox name is not valid mUTF-7 (for each of these).
  for (const command of ['SELECT &Jjo!', 'EXAMINE "&Jjo!"', 'SELECT inbox&', 'SELECT &AGE-', 'STATUS &Jjo! (MESSAGES)', 'CREATE &Jjo!', 'DELETE &Jjo!', 'RENAME &Jjo! x', 'RENAME INBOX &-&', 'SUBSCRIBE &Jjo!', 'COPY 1 &Jjo!']) {
    if (command.startsWith('COPY')) await c.ok('SELECT INBOX');
    const { status } = await c.command(command);
    assert.match(status, /^NO Mailbox name is not valid modified UTF-7/, command);
    assert.match(status, /^[\x20-\x7e]*$/, 'resp-text is ASCII (RFC 3501 section 9 TEXT-CHAR)');
  }
  const text = sampleMessage();
  c.write(`m1 APPEND &Jjo! {${text.length}+}\r\n${text}\r\n`);
  assert.match((await c.until('m1')).status, /^NO Mailbox name is not valid modified UTF-7/);
  await c.ok('NOOP');
  // Dovecot: OK List completed, no LIST responses.
  assert.deepEqual(await c.ok('LIST "" &Jjo!%*'), { untagged: [], status: 'OK LIST completed' });
  assert.deepEqual((await c.ok('LIST "" ("&Jjo!*" "&AGE-%")')).untagged, []);
  assert.deepEqual((await c.ok('LIST &Jjo! *')).untagged, []);
  assert.deepEqual((await c.ok('LSUB "" &Jjo!*')).untagged, []);
  // A valid pattern alongside an invalid one still matches.
  assert.deepEqual((await c.ok('LIST "" (&Jjo! INBOX)')).untagged, ['* LIST (\\HasNoChildren) "/" "INBOX"']);
});

test('RFC 6855 §3 / RFC 3501 §5.1.3: a raw 8-bit name (mbsync) is refused before ENABLE UTF8=ACCEPT, and listed as created after', async () => {
  // Commands go out in UTF-8; responses read back one character per octet.
  const name = 'Tëst8bit';
  const raw = Buffer.from(name).toString('latin1');
  const c = await f.login();
  // Dovecot: NO Mailbox name is not valid mUTF-7
  for (const command of [`CREATE "${name}"`, `SELECT "${name}"`, `STATUS "${name}" (MESSAGES)`, `SUBSCRIBE "${name}"`]) {
    assert.match((await c.command(command)).status, /^NO Mailbox name has 8-bit characters/, command);
  }
  assert.equal(await f.store.mailboxes.getMailbox(f.account.id, 'Tëst8bit'), null);
  assert.deepEqual((await c.ok(`LIST "" "${name}*"`)).untagged, []);
  // The modified UTF-7 spelling is the IMAP4rev1 way to name it.
  await c.ok('CREATE "T&AOs-st7bit"');
  assert.deepEqual((await c.ok('LIST "" T&AOs-*')).untagged, ['* LIST (\\HasNoChildren) "/" "T&AOs-st7bit"']);

  const u = await f.login();
  assert.deepEqual((await u.ok('ENABLE UTF8=ACCEPT')).untagged, ['* ENABLED UTF8=ACCEPT']);
  await u.ok(`CREATE "${name}"`);
  const tee = Buffer.from('Të').toString('latin1');
  assert.deepEqual((await u.ok('LIST "" "Të*"')).untagged, [`* LIST (\\HasNoChildren) "/" "${tee}st7bit"`, `* LIST (\\HasNoChildren) "/" "${raw}"`]);
  assert.match((await u.ok(`SELECT "${name}"`)).status, /^OK/);
  const rev2 = await f.login();
  await rev2.ok('ENABLE IMAP4rev2');
  assert.ok((await rev2.ok(`LIST "" "${name}"`)).untagged.includes(`* LIST (\\HasNoChildren) "/" "${raw}"`));
  // The IMAP4rev1 session sees it in modified UTF-7.
  assert.ok((await c.ok('LIST "" T&AOs-*')).untagged.includes('* LIST (\\HasNoChildren) "/" "T&AOs-st8bit"'));
});

test('RFC 7162 §3.1: a first CONDSTORE enabling command reports HIGHESTMODSEQ; RFC 4731 §3.2: ESEARCH MIN/MAX give their own MODSEQ', async () => {
  const box = await f.store.mailboxes.createMailbox(f.account.id, 'modseq');
  for (let i = 1; i <= 4; i++) await f.deliver(sampleMessage(`q${i}`), { mailbox: 'modseq' });
  // Each STORE gives its message a new, higher mod-sequence: 1 < 4 < 3 < 2 afterwards.
  await f.store.mailboxes.storeFlags(box.id, [4], 'add', ['$a']);
  await f.store.mailboxes.storeFlags(box.id, [3], 'add', ['$a']);
  await f.store.mailboxes.storeFlags(box.id, [2], 'add', ['$a']);
  const modseqs = new Map((await f.store.mailboxes.listMessages(box.id)).map((m) => [m.uid, m.modseq]));
  const highest = (await f.store.mailboxes.status(box.id)).highestModseq;
  assert.ok(modseqs.get(1)! < modseqs.get(4)! && modseqs.get(4)! < modseqs.get(3)! && modseqs.get(3)! < modseqs.get(2)!);

  const c = await f.login();
  const selected = await c.ok('SELECT modseq');
  assert.ok(!selected.untagged.some((u) => u.includes('HIGHESTMODSEQ')), 'no CONDSTORE yet');
  // Dovecot: * OK [HIGHESTMODSEQ n] Highest / * 1 FETCH (MODSEQ (m))
  assert.deepEqual((await c.ok('FETCH 1 MODSEQ')).untagged, [`* OK [HIGHESTMODSEQ ${highest}] Highest`, `* 1 FETCH (MODSEQ (${modseqs.get(1)}))`]);
  assert.deepEqual((await c.ok('FETCH 1 MODSEQ')).untagged, [`* 1 FETCH (MODSEQ (${modseqs.get(1)}))`], 'only the first enabling command');

  const esearch = async (returns: string, criteria: string) => (await c.ok(`SEARCH RETURN (${returns}) ${criteria}`)).untagged.filter((u) => u.startsWith('* ESEARCH'));
  // RFC 4731 §3.2: a single MIN or MAX: the mod-sequence of the message found.
  assert.match((await esearch('MIN', 'MODSEQ 1'))[0]!, new RegExp(` MIN 1 MODSEQ ${modseqs.get(1)}$`));
  assert.match((await esearch('MAX', 'MODSEQ 1'))[0]!, new RegExp(` MAX 4 MODSEQ ${modseqs.get(4)}$`));
  assert.match((await esearch('MIN', 'MODSEQ 1 KEYWORD $a'))[0]!, new RegExp(` MIN 2 MODSEQ ${modseqs.get(2)}$`));
  // MIN and MAX alone: the higher of the two; with COUNT or ALL: the highest of all found.
  assert.match((await esearch('MIN MAX', 'MODSEQ 1 3:4'))[0]!, new RegExp(` MIN 3 MAX 4 MODSEQ ${modseqs.get(3)}$`));
  assert.match((await esearch('MIN COUNT', 'MODSEQ 1 3:4'))[0]!, new RegExp(` MIN 3 COUNT 2 MODSEQ ${modseqs.get(3)}$`));
  assert.match((await esearch('ALL', 'MODSEQ 1'))[0]!, new RegExp(` ALL 1:4 MODSEQ ${modseqs.get(2)}$`));
  const byUid = (await c.ok('UID SEARCH RETURN (MAX) MODSEQ 1 1:3')).untagged[0]!;
  assert.match(byUid, new RegExp(` UID MAX 3 MODSEQ ${modseqs.get(3)}$`));

  // Other enabling commands report it too: STORE (UNCHANGEDSINCE), SEARCH MODSEQ, STATUS
  // HIGHESTMODSEQ, and ENABLE (RFC 7162 §3.1 lists it; Dovecot 2.3 does not report it there).
  for (const command of ['STORE 1 (UNCHANGEDSINCE 999999) +FLAGS.SILENT ($b)', 'SEARCH MODSEQ 1', 'STATUS INBOX (HIGHESTMODSEQ)', 'ENABLE CONDSTORE', 'ENABLE QRESYNC']) {
    const d = await f.login();
    await d.ok('SELECT modseq');
    const reply = await d.ok(command);
    assert.ok(reply.untagged.some((u) => /^\* OK \[HIGHESTMODSEQ \d+\] Highest$/.test(u)), command);
    assert.equal(reply.untagged.filter((u) => u.includes('[HIGHESTMODSEQ')).length, 1, command);
  }
});

test('RFC 3501 §2.3.2, §6.3.2: EXAMINE reports the \\Recent messages nobody has claimed, without claiming them', async () => {
  const c = await f.login();
  await c.ok('CREATE fresh');
  await append(c, 'fresh');
  await append(c, 'fresh');
  // Dovecot: * 2 EXISTS / * 2 RECENT, and FETCH shows \Recent
  const examined = await c.ok('EXAMINE fresh');
  assert.ok(examined.untagged.includes('* 2 EXISTS'));
  assert.ok(examined.untagged.includes('* 2 RECENT'), examined.untagged.join('\n'));
  assert.deepEqual((await c.ok('FETCH 1:* FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Recent))']);
  assert.match((await c.ok('STATUS INBOX (RECENT)')).status, /^OK/);
  // A message arriving while it is examined is \Recent there too, as long as nobody claims it.
  await f.deliver(sampleMessage('r3'), { mailbox: 'fresh' });
  const noop = await c.ok('NOOP');
  assert.deepEqual(noop.untagged, ['* 3 EXISTS', '* 3 RECENT']);
  // Nothing was claimed: the first SELECT gets them all, and from then on EXAMINE shows none.
  const d = await f.login();
  assert.ok((await d.ok('SELECT fresh')).untagged.includes('* 3 RECENT'));
  const e = await f.login();
  assert.ok((await e.ok('EXAMINE fresh')).untagged.includes('* 0 RECENT'));
  assert.deepEqual((await e.ok('FETCH 1:* FLAGS')).untagged, ['* 1 FETCH (FLAGS ())', '* 2 FETCH (FLAGS ())', '* 3 FETCH (FLAGS ())']);
  await f.deliver(sampleMessage('r4'), { mailbox: 'fresh' });
  // d claims it at its next sync; e, asked after, shows it as not recent.
  assert.deepEqual((await d.ok('NOOP')).untagged, ['* 4 EXISTS', '* 4 RECENT']);
  assert.deepEqual((await e.ok('NOOP')).untagged, ['* 4 EXISTS', '* 0 RECENT']);
});

test('RFC 3501 §6.4.4: SEARCH FROM matches the addresses without comments and folding, with groups, routes and decoded names (as Dovecot)', async () => {
  const box = await f.store.mailboxes.createMailbox(f.account.id, 'addresses');
  const froms = [
    '<user-from (comment)@ (comment) domain.org>',
    '=?utf-8?q?J=C3=B6rg?= <joerg@example.org>',
    'Group: a@b.example, "Quoted Name" <c@d.example>;',
    '<@route.example:routed@final.example>',
    'user  (Some Comment)\r\n  @ folded.example',
  ];
  for (const from of froms) await f.deliver(`From: ${from}\r\nSubject: s\r\n\r\nx\r\n`, { mailbox: box.name });
  const c = await f.login();
  await c.ok('SELECT addresses');
  const search = async (criteria: string) => (await c.ok(`SEARCH ${criteria}`)).untagged[0];
  // Each expectation is Dovecot 2.3's answer to the same SEARCH over the same messages.
  const expected: [string, string][] = [
    ['FROM user-from@domain.org', '* SEARCH 1'],
    ['FROM "<user-from@domain.org>"', '* SEARCH 1'],
    ['FROM user-from', '* SEARCH 1'],
    ['FROM comment', '* SEARCH 5'],
    ['FROM joerg@example.org', '* SEARCH 2'],
    ['FROM "=?utf-8?q?J"', '* SEARCH'],
    ['FROM Group', '* SEARCH 3'],
    ['FROM a@b.example', '* SEARCH 3'],
    ['FROM "Quoted Name"', '* SEARCH 3'],
    ['FROM routed@final.example', '* SEARCH 4'],
    ['FROM route.example', '* SEARCH 4'],
    ['FROM user@folded.example', '* SEARCH 5'],
    ['FROM "Some Comment"', '* SEARCH 5'],
    ['OR FROM joerg TO nobody', '* SEARCH 2'],
  ];
  for (const [criteria, answer] of expected) assert.equal(await search(criteria), answer, criteria);
  const utf8 = 'Jörg <joerg';
  const tag = c.nextTag();
  c.write(`${tag} SEARCH CHARSET UTF-8 FROM {${Buffer.byteLength(utf8)}+}\r\n${utf8}\r\n`);
  assert.deepEqual(await c.until(tag), { untagged: ['* SEARCH 2'], status: 'OK SEARCH completed' });
});

test('RFC 5258 §3.5: RECURSIVEMATCH gives a parent CHILDINFO only for subscribed children the patterns do not list themselves', async () => {
  const c = await f.login();
  await c.ok('CREATE a/test2/test1');
  await c.ok('SUBSCRIBE a/test2/test1');
  const list = async (patterns: string) => (await c.ok(`LIST (SUBSCRIBED RECURSIVEMATCH) "" ${patterns}`)).untagged;
  // Dovecot: * LIST (\Subscribed) "/" a/test2/test1, nothing for a/test2.
  assert.deepEqual(await list('(a/test2 a/test2/test1)'), ['* LIST (\\HasNoChildren \\Subscribed) "/" "a/test2/test1"']);
  assert.deepEqual(await list('a/*'), ['* LIST (\\HasNoChildren \\Subscribed) "/" "a/test2/test1"']);
  // The child is not listed: the parent is, with CHILDINFO (Dovecot alike, and RFC 5258 §5 example 9).
  assert.deepEqual(await list('a/test2'), ['* LIST (\\HasChildren) "/" "a/test2" ("CHILDINFO" ("SUBSCRIBED"))']);
  assert.deepEqual(await list('a/%'), ['* LIST (\\HasChildren) "/" "a/test2" ("CHILDINFO" ("SUBSCRIBED"))']);
  assert.deepEqual(await list('(a/% a/test2/%)'), ['* LIST (\\HasNoChildren \\Subscribed) "/" "a/test2/test1"']);
  assert.ok((await list('%')).includes('* LIST (\\HasChildren) "/" "a" ("CHILDINFO" ("SUBSCRIBED"))'));
});

test('RFC 3516: a literal8 APPEND with NUL, 8-bit octets and bare LFs reads back: BINARY[] exactly, BODY[] octet for octet with no NUL in a literal', async () => {
  await f.store.mailboxes.createMailbox(f.account.id, 'binary');
  const body = Buffer.from('\x00starts with NUL\nx\x00\xe9y\n\nlast line\n', 'latin1');
  const single = Buffer.concat([Buffer.from('From: user@domain.org\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\n'), body]);
  const text8 = Buffer.from('8-bit \xe9\xff text\nwith bare LFs\n', 'latin1');
  const multi = Buffer.concat([
    Buffer.from('From: user@domain.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=foo\n\n--foo\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n'),
    text8,
    Buffer.from('\n--foo\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n'),
    body,
    Buffer.from('\n--foo--\n'),
  ]);
  const c = await f.login();
  for (const message of [single, multi]) {
    c.write(Buffer.concat([Buffer.from(`b1 APPEND binary ~{${message.length}+}\r\n`), message, Buffer.from('\r\n')]));
    assert.match((await c.until('b1')).status, /^OK \[APPENDUID/);
  }
  await c.ok('SELECT binary');
  const latin1 = (b: Buffer) => b.toString('latin1');
  // Outside BINARY[] a NUL goes out as 0x80, as Dovecot 2.3 sends it for a part it stored
  // as is (it re-encodes a part labelled "binary" to base64 at APPEND, RFC 3516 §4.4; Septet
  // keeps the octets as appended, so BINARY[] and BODY[] sizes stay those of the APPEND).
  const dovecotBody = latin1(body).replaceAll('\x00', '\x80');
  const fetch = async (n: number, item: string) => (await c.ok(`FETCH ${n} ${item}`)).untagged[0];
  assert.equal(await fetch(1, 'BODY.PEEK[1]'), `* 1 FETCH (BODY[1] {${body.length}}\r\n${dovecotBody})`);
  assert.equal(await fetch(1, 'BINARY.PEEK[1]'), `* 1 FETCH (BINARY[1] ~{${body.length}}\r\n${latin1(body)})`);
  assert.equal(await fetch(1, 'BODY.PEEK[]'), `* 1 FETCH (BODY[] {${single.length}}\r\n${latin1(single).replaceAll('\x00', '\x80')})`);
  assert.equal(await fetch(1, 'BINARY.PEEK[]'), `* 1 FETCH (BINARY[] ~{${single.length}}\r\n${latin1(single)})`);
  // Part 1 of the multipart: 8-bit octets and bare LFs exactly as appended.
  assert.equal(await fetch(2, 'BODY.PEEK[1]'), `* 2 FETCH (BODY[1] {${text8.length}}\r\n${latin1(text8)})`);
  assert.equal(await fetch(2, 'BINARY.PEEK[2]'), `* 2 FETCH (BINARY[2] ~{${body.length}}\r\n${latin1(body)})`);
  assert.equal(await fetch(2, 'BODY.PEEK[2]<1.14>'), `* 2 FETCH (BODY[2]<1> {14}\r\nstarts with NU)`);
  assert.equal(await fetch(2, 'RFC822.SIZE'), `* 2 FETCH (RFC822.SIZE ${multi.length})`);
});
