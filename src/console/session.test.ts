// Transcripts of whole console sessions over a pair of streams: exec mode (status 0, 1,
// 127, stderr), a shell without a pty (plain lines, no echo) and with one (echo, line
// editing, history, CRLF, notices shown above the line being typed), and the
// administrator commands refused to a user.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyPassword } from '../core/auth/password.ts';
import { ADMIN, consoleFixture, execCommand, PASSWORD, peerOf, testChannel, testTerminal, USER, type ConsoleFixture } from './test-support.ts';

let f: ConsoleFixture;
before(async () => {
  f = await consoleFixture();
});
after(() => f.cleanup());

describe('exec mode', () => {
  test('whoami prints the address, status 0', async () => {
    const r = await execCommand(f, f.user, 'whoami');
    assert.deepEqual(r, { out: `${USER}\n`, err: '', status: 0 });
  });

  test('an unknown command: status 127 and a message on stderr; no OS command runs', async () => {
    const r = await execCommand(f, f.user, 'ls -la; cat /etc/passwd');
    assert.equal(r.status, 1, 'ls is the console\'s own files command: ";" is no operator, the words are its arguments');
    assert.match(r.err, /^files: usage: files \[PATH\]\n$/);
    const unknown = await execCommand(f, f.user, 'cat /etc/passwd');
    assert.equal(unknown.status, 127);
    assert.equal(unknown.out, '');
    assert.equal(unknown.err, 'unknown command: cat; try help\n');
    const bash = await execCommand(f, f.user, '/bin/sh -c id');
    assert.equal(bash.status, 127);
  });

  test('a usage error or a failure: status 1, the message on stderr', async () => {
    const usage = await execCommand(f, f.user, 'whoami extra');
    assert.equal(usage.status, 1);
    assert.match(usage.err, /^whoami: no arguments expected; usage: whoami\n$/);
    const quote = await execCommand(f, f.user, "messages 'INBOX");
    assert.equal(quote.status, 1);
    assert.match(quote.err, /unterminated quote/);
    const mailbox = await execCommand(f, f.user, 'messages Nowhere');
    assert.equal(mailbox.status, 1);
    assert.match(mailbox.err, /no such mailbox: Nowhere/);
  });

  test('with a pty (ssh -t host command): CRLF line ends, diagnostics on the terminal', async () => {
    const t = testChannel();
    t.end();
    const done = f.service.command('help whoami', t.channel, peerOf(f.user), testTerminal().terminal);
    assert.equal(await t.status, 0);
    await done;
    assert.equal(t.output(), 'whoami\r\n  your account address\r\n');
    const u = testChannel();
    u.end();
    const unknown = f.service.command('nope', u.channel, peerOf(f.user), testTerminal().terminal);
    assert.equal(await u.status, 127);
    await unknown;
    assert.equal(u.output(), 'unknown command: nope; try help\r\n');
  });

  test('an empty line does nothing, status 0; a line over console.max_line is refused', async () => {
    assert.equal((await execCommand(f, f.user, '   ')).status, 0);
    const long = await execCommand(f, f.user, 'help ' + 'x'.repeat(5000));
    assert.equal(long.status, 1);
    assert.match(long.err, /line too long/);
  });

  test('help lists what the account may use: no administrator commands for a user', async () => {
    const user = await execCommand(f, f.user, 'help');
    assert.match(user.out, /whoami/);
    assert.match(user.out, /passwd/);
    assert.doesNotMatch(user.out, /^\s+user /m);
    const admin = await execCommand(f, f.admin, 'help');
    assert.match(admin.out, /^\s+user list/m);
    assert.match(admin.out, /^\s+queue list/m);
    assert.match((await execCommand(f, f.user, 'help files')).out, /files \[PATH\]/);
    const hidden = await execCommand(f, f.user, 'help user');
    assert.equal(hidden.status, 1, 'an administrator command is not described to a user');
    assert.match(hidden.err, /no command user; try help/);
  });
});

describe('permissions', () => {
  for (const line of ['user list', 'user add x@example.test --password p', 'alias list', 'queue list', 'queue flush', 'user del root@example.test']) {
    test(`a user gets "permission denied" for ${line}`, async () => {
      const r = await execCommand(f, f.user, line);
      assert.equal(r.status, 1);
      assert.match(r.err, /permission denied/);
      assert.equal(r.out, '');
    });
  }

  test('the right is read at each command: an administrator demoted meanwhile is refused', async () => {
    const temp = await f.store.accounts.addUser('temp-admin@example.test', 'x', { admin: true });
    assert.equal((await execCommand(f, temp, 'user list')).status, 0);
    await f.store.accounts.setAdmin('temp-admin@example.test', false);
    assert.match((await execCommand(f, temp, 'user list')).err, /permission denied/);
    await f.store.accounts.deleteUser('temp-admin@example.test');
    assert.match((await execCommand(f, temp, 'whoami')).err, /no longer exists/);
  });
});

describe('administrator commands (the same operations as the command line)', () => {
  test('user add / list / quota / sendas / admin / passwd / del', async () => {
    assert.deepEqual(await execCommand(f, f.admin, 'user add Bob@Example.TEST --password "b p"'), { out: 'added Bob@example.test\n', err: '', status: 0 });
    const bob = await f.store.accounts.getUser('bob@example.test');
    assert.ok(bob && (await verifyPassword('b p', bob.passwordHash)));
    assert.match((await execCommand(f, f.admin, 'user add bob@example.test --password x')).err, /already exists/);
    assert.match((await execCommand(f, f.admin, 'user list')).out, /^Bob@example\.test$/m);
    assert.match((await execCommand(f, f.admin, 'user list')).out, /^root@example\.test\tadmin$/m);
    assert.equal((await execCommand(f, f.admin, 'user quota bob@example.test 1000')).out, 'quota of bob@example.test: 1000 bytes\n');
    assert.equal((await execCommand(f, f.admin, 'user quota bob@example.test lots')).status, 1);
    assert.match((await execCommand(f, f.admin, 'user sendas bob@example.test on')).out, /may send as any address of example\.test/);
    assert.match((await execCommand(f, f.admin, 'user admin bob@example.test on')).out, /is now an administrator/);
    assert.equal((await f.store.accounts.getUser('bob@example.test'))?.admin, true);
    // Without --password the password is one line of input.
    assert.equal((await execCommand(f, f.admin, 'user passwd bob@example.test', 'new one\n')).status, 0);
    assert.ok(await verifyPassword('new one', (await f.store.accounts.getUser('bob@example.test'))!.passwordHash));
    assert.match((await execCommand(f, f.admin, 'user passwd bob@example.test')).err, /no input/);
    assert.match((await execCommand(f, f.admin, 'user add carol@example.test --password ""')).err, /empty password/);
    assert.equal((await execCommand(f, f.admin, 'user del bob@example.test')).out, 'deleted bob@example.test\n');
    assert.match((await execCommand(f, f.admin, 'user del bob@example.test')).err, /no such user/);
    assert.match((await execCommand(f, f.admin, 'user del root@example.test')).err, /cannot delete your own account/);
    assert.match((await execCommand(f, f.admin, 'user admin root@example.test off')).err, /own administrator rights/);
    assert.match((await execCommand(f, f.admin, 'user frobnicate')).err, /usage: user list/);
    assert.match((await execCommand(f, f.admin, 'user add x@example.test --bogus')).err, /unknown option --bogus/);
  });

  test('alias add / list / del', async () => {
    assert.equal((await execCommand(f, f.admin, 'alias add sales@example.test alice@example.test')).out, 'added sales@example.test -> alice@example.test\n');
    assert.equal((await execCommand(f, f.admin, 'alias list')).out, 'sales@example.test\talice@example.test\n');
    assert.match((await execCommand(f, f.admin, 'alias add not-an-address alice@example.test')).err, /not a mail address/);
    assert.equal((await execCommand(f, f.admin, 'alias del sales@example.test')).out, 'deleted sales@example.test\n');
    assert.match((await execCommand(f, f.admin, 'alias del sales@example.test')).err, /no such alias/);
  });

  test('queue list / flush / show / hold / release / delete', async () => {
    const blob = await f.store.blobs.create();
    await blob.write(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
    const { blobId, size } = await blob.commit();
    const { queueId } = await f.store.messages.deliver({ blobId, size, internalDate: new Date(), local: [], remote: { sender: USER, recipients: [{ address: 'far@remote.example' }] } });
    assert.ok(queueId);
    assert.match((await execCommand(f, f.admin, 'queue list')).out, new RegExp(`^${queueId}\\tqueued.*far@remote\\.example\\n1 message in the queue\\n$`, 'm'));
    assert.equal((await execCommand(f, f.admin, 'queue flush')).out, '1 message will be tried at once\n');
    assert.match((await execCommand(f, f.admin, `queue show ${queueId}`)).out, /recipients:\n  <far@remote\.example> pending/);
    assert.equal((await execCommand(f, f.admin, `queue hold ${queueId}`)).out, `${queueId}: held\n`);
    assert.equal((await execCommand(f, f.admin, 'queue flush')).out, '0 messages will be tried at once\n', 'a held entry stays held');
    assert.equal((await execCommand(f, f.admin, `queue release ${queueId}`)).status, 0);
    assert.equal((await execCommand(f, f.admin, `queue delete ${queueId}`)).out, `${queueId}: deleted (no report is sent)\n`);
    assert.match((await execCommand(f, f.admin, `queue delete ${queueId}`)).err, /no queue entry/);
    assert.match((await execCommand(f, f.admin, 'queue delete')).err, /missing queue id/);
  });

  test('text from outside in admin output (a queued address, a remote reply) reaches the terminal without control characters', async () => {
    const blob = await f.store.blobs.create();
    await blob.write(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
    const { blobId, size } = await blob.commit();
    const hostile = 'far\x1b]0;owned\x07\x1b[2J@remote.example';
    const { queueId } = await f.store.messages.deliver({ blobId, size, internalDate: new Date(), local: [], remote: { sender: USER, recipients: [{ address: hostile }] } });
    for (const line of ['queue list', `queue show ${queueId}`]) {
      const r = await execCommand(f, f.admin, line);
      assert.equal(r.status, 0, r.err);
      assert.doesNotMatch(r.out, /[\x00-\x08\x0b-\x1f\x7f]/, line);
      assert.match(r.out, /far\?\]0;owned\?\?\[2J@remote\.example/, line);
    }
    await execCommand(f, f.admin, `queue delete ${queueId}`);
  });
});

describe('the user\'s own data', () => {
  test('mailboxes and messages', async () => {
    const inbox = (await f.store.mailboxes.getMailbox(f.user.id, 'INBOX'))!;
    for (const subject of ['First', '=?UTF-8?B?w4RwZmVs?=', 'evil \x1b[2J subject']) {
      const blob = await f.store.blobs.create();
      await blob.write(Buffer.from(`From: Carol <carol@example.net>\r\nSubject: ${subject}\r\n\r\nhi\r\n`));
      const { blobId, size } = await blob.commit();
      await f.store.messages.deliver({ blobId, size, internalDate: new Date('2026-01-02T03:04:00Z'), local: [{ accountId: f.user.id }] });
    }
    await f.store.mailboxes.storeFlags(inbox.id, [1], 'add', ['\\Seen']);
    const boxes = await execCommand(f, f.user, 'mailboxes');
    assert.equal(boxes.status, 0);
    assert.match(boxes.out, /^MAILBOX\s+MESSAGES\s+UNSEEN\s+SIZE$/m);
    assert.match(boxes.out, /^INBOX\s+3\s+2\s+\d+ B$/m);
    assert.match(boxes.out, /^Sent\s+0\s+0\s+0 B$/m);
    const list = await execCommand(f, f.user, 'messages INBOX 2');
    assert.equal(list.status, 0, list.err);
    assert.match(list.out, /^\*2\s+2026-01-02 03:04\s+Carol <carol@example\.net>\s+Äpfel$/m);
    assert.match(list.out, /evil \?\[2J subject/, 'an ESC from a message never reaches the terminal');
    assert.doesNotMatch(list.out, /First/);
    assert.match(list.out, /3 messages in INBOX, the last 2 shown/);
    assert.match((await execCommand(f, f.user, 'messages 1')).out, /evil/);
    assert.equal((await execCommand(f, f.user, 'messages INBOX 0')).status, 1);
  });

  test('files lists the home through the jail; nothing outside it', async () => {
    const home = join(f.dataDir, 'home', USER);
    await mkdir(join(home, 'docs'), { recursive: true });
    await writeFile(join(home, 'docs', 'a.txt'), 'hello');
    await writeFile(join(home, 'bad\x1bname'), '');
    await symlink('/etc', join(home, 'etc-link'));
    const root = await execCommand(f, f.user, 'files');
    assert.equal(root.status, 0, root.err);
    assert.match(root.out, /^d\s+-\s+\S+ \S+\s+docs\/$/m);
    assert.match(root.out, /bad\?name/);
    assert.match(root.out, /^l\s.*etc-link -> \/etc$/m);
    assert.match((await execCommand(f, f.user, 'ls docs')).out, /^-\s+5\s+.*a\.txt$/m);
    assert.match((await execCommand(f, f.user, 'ls /docs/a.txt')).out, /\/docs\/a\.txt/);
    assert.match((await execCommand(f, f.user, 'ls ../../..')).out, /docs\//, '".." stops at the home');
    const out = await execCommand(f, f.user, 'ls etc-link');
    assert.equal(out.status, 1);
    assert.match(out.err, /outside your home/);
    assert.match((await execCommand(f, f.user, 'ls nothing-here')).err, /no such file or folder: \/nothing-here/);
    assert.match((await execCommand(f, f.user, 'ls a\0b')).err, /^files: bad path: path contains a NUL octet\n$/);
  });

  test('quota shows the mail and file usage', async () => {
    const r = await execCommand(f, f.user, 'quota');
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^mail: +\d+ B in 3 messages, no limit$/m);
    assert.match(r.out, /^files: \d+ B, no limit$/m);
  });

  test('passwd from standard input: old and new; a wrong old password changes nothing', async () => {
    const temp = await f.store.accounts.addUser('pw@example.test', (await f.store.accounts.getUser(USER))!.passwordHash);
    const wrong = await execCommand(f, temp, 'passwd', 'not-it\nnew-pw\n');
    assert.equal(wrong.status, 1);
    assert.match(wrong.err, /wrong password/);
    const ok = await execCommand(f, temp, 'passwd', `${PASSWORD}\nnew-pw\n`);
    assert.equal(ok.status, 0, ok.err);
    assert.equal(ok.out, 'password changed\n');
    assert.ok(await verifyPassword('new-pw', (await f.store.accounts.getUser('pw@example.test'))!.passwordHash));
    assert.match((await execCommand(f, temp, 'passwd', 'new-pw\n')).err, /no input/);
    assert.match((await execCommand(f, temp, 'passwd', 'new-pw\n\n')).err, /empty password/);
  });

  test('keys add / list / del', async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test@host';
    const added = await execCommand(f, f.user, `keys add ${key}`);
    assert.equal(added.status, 0, added.err);
    assert.match(added.out, /^added 256 SHA256:\S+ test@host \(ED25519\)\n$/);
    const again = await execCommand(f, f.user, `keys add ${key}`);
    assert.equal(again.status, 1, 'a duplicate is refused');
    assert.match(again.out, /^already there: 256 SHA256:/);
    assert.match(again.err, /^keys: you have this key already\n$/);
    const listed = await execCommand(f, f.user, 'keys list');
    assert.match(listed.out, /^SHA256:\S+\s+ssh-ed25519\s+\d{4}-\d\d-\d\d\s+test@host$/m);
    const fingerprint = listed.out.split(/\s+/)[0]!;
    assert.equal((await execCommand(f, f.user, 'keys add not a key')).status, 1);
    assert.match((await execCommand(f, f.user, 'keys add', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n')).err, /private key/);
    // Quoted whole, the line keeps its own quotes; options Septet cannot enforce are refused.
    assert.match((await execCommand(f, f.user, `keys add 'command="/bin/sh" ${key}'`)).err, /cannot be enforced/);
    assert.equal((await execCommand(f, f.user, `keys del ${fingerprint}`)).out, `deleted ${fingerprint}\n`);
    assert.match((await execCommand(f, f.user, `keys del ${fingerprint}`)).err, /no key/);
    assert.match((await execCommand(f, f.user, 'keys del nonsense')).err, /not a SHA256 fingerprint/);
    // From standard input, as `ssh host keys add < id.pub`.
    assert.equal((await execCommand(f, f.user, 'keys add', key + '\n')).status, 0);
    assert.equal((await execCommand(f, f.user, 'keys')).out.split('\n').filter(Boolean).length, 1);
  });
});

describe('a shell without a pty', () => {
  test('plain lines in, plain output, no echo, no prompt; ends at the end of input', async () => {
    const t = testChannel();
    const done = f.service.shell(t.channel, peerOf(f.user), null);
    t.send('whoami\r\nbogus\n');
    t.send('exi');
    t.send('t\nwhoami\n');
    assert.equal(await t.status, 0);
    await done;
    assert.equal(t.output(), `${USER}\n`, 'the session ended at exit; the line after it did not run');
    assert.equal(t.errors(), 'unknown command: bogus; try help\n');
  });

  test('the end of input ends the session; a long line is refused and the session goes on', async () => {
    const t = testChannel();
    const done = f.service.shell(t.channel, peerOf(f.user), null);
    t.send('x'.repeat(10_000) + '\nwhoami\n');
    t.end();
    assert.equal(await t.status, 0);
    await done;
    assert.match(t.errors(), /line too long/);
    assert.equal(t.output(), `${USER}\n`);
  });
});

describe('a shell with a pty', () => {
  test('prompt, echo, CRLF output, ^D exits', async () => {
    const t = testChannel();
    const done = f.service.shell(t.channel, peerOf(f.user), testTerminal().terminal);
    await t.waitFor(`${USER}> `);
    t.send('whoami\r');
    await t.waitFor(`whoami\r\n${USER}\r\n\r\x1b[J${USER}> `);
    t.send('\x04');
    assert.equal(await t.status, 0);
    await done;
    assert.match(t.output(), /Type "help"/);
    assert.ok(!/[^\r]\n/.test(t.output()), 'every line end is CRLF');
  });

  test('keys trickled one octet at a time: editing, arrows, history', async () => {
    const t = testChannel();
    const done = f.service.shell(t.channel, peerOf(f.user), testTerminal().terminal);
    await t.waitFor(`${USER}> `);
    const keys = 'whoamx\x7fi\r' + 'hel\x1b[D\x1b[Dx\x1b[3~\r' + '\x1b[A\x1b[A\x1b[B\x1b[A\r' + 'exit\r';
    for (const octet of Buffer.from(keys)) t.send(Buffer.from([octet]));
    assert.equal(await t.status, 0);
    await done;
    const out = t.output();
    // "whoamx" corrected, then "hxl" (x inserted before "el", "e" deleted): unknown.
    assert.equal(out.split(`${USER}\r\n`).length - 1, 2, 'whoami ran twice: typed, and recalled from the history');
    assert.match(out, /unknown command: hxl; try help/);
  });

  test('passwd asks without echo; the new password is asked twice', async () => {
    await f.store.accounts.addUser('tty@example.test', (await f.store.accounts.getUser(USER))!.passwordHash);
    const account = (await f.store.accounts.getUser('tty@example.test'))!;
    const t = testChannel();
    const done = f.service.shell(t.channel, peerOf(account), testTerminal().terminal);
    await t.waitFor('tty@example.test> ');
    t.send('passwd\r');
    await t.waitFor('Old password: ');
    t.send(`${PASSWORD}\r`);
    await t.waitFor('New password: ');
    t.send('sekrit-2\r');
    await t.waitFor('Retype new password: ');
    t.send('sekrit-2\r');
    await t.waitFor('password changed');
    t.send('exit\r');
    await t.status;
    await done;
    assert.ok(!t.output().includes('sekrit') && !t.output().includes(PASSWORD), 'no password is echoed');
    assert.ok(await verifyPassword('sekrit-2', (await f.store.accounts.getUser('tty@example.test'))!.passwordHash));
  });

  test('a terminal notice appears above the line being typed, which stays', async () => {
    const t = testChannel();
    const done = f.service.shell(t.channel, peerOf(f.user), testTerminal().terminal);
    await t.waitFor(`${USER}> `);
    t.send('who');
    await t.waitFor(`${USER}> who`);
    const mark = t.output().length;
    assert.equal(await f.terminals.send(f.user.id, { from: 'carol@example.net', text: 'Subject: hi\r\n\r\nlunch? \x1b]0;owned\x07\r\n', at: new Date('2026-01-02T03:04:05Z') }), 1);
    await t.waitFor(`${USER}> who`, mark);
    const shown = t.output().slice(mark);
    assert.match(shown, /\*\*\* message from carol@example\.net at 2026-01-02 03:04:05 UTC \*\*\*\r\nSubject: hi\r\n\r\nlunch\? \?\]0;owned\?\r\n\*\*\* end of message \*\*\*\r\n/);
    t.send('ami\r');
    await t.waitFor(`${USER}\r\n`, mark);
    t.send('exit\r');
    await t.status;
    await done;
    assert.equal(await f.terminals.hasTerminal(f.user.id), false, 'detached at the end');
  });

  test('window-change redraws; ^C drops the line; the channel closing ends the session', async () => {
    const t = testChannel();
    const tty = testTerminal(80);
    const done = f.service.shell(t.channel, peerOf(f.admin), tty.terminal);
    await t.waitFor(`${ADMIN}> `);
    t.send('user list');
    await t.waitFor(`${ADMIN}> user list`);
    const mark = t.output().length;
    tty.resize(20);
    // Redrawn on a fresh row for the new width (the terminal wraps it after 20 columns).
    await t.waitFor(`\r\n\r\x1b[J${ADMIN}> user list`, mark);
    t.send('\x03');
    await t.waitFor('^C\r\n');
    t.abort();
    t.end();
    assert.equal(await t.status, 0);
    await done;
    assert.doesNotMatch(t.output(), /admin\r\n/, 'the dropped line did not run');
  });
});
