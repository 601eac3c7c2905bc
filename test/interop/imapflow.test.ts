// A real IMAP client library from the npm registry (imapflow, the engine behind
// many Node mail apps) doing what a mail client does: a full sync of every mailbox,
// then IDLE, hearing a new delivery at once and syncing it, then flag changes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;
before(async () => {
  server = await prepareSeptet({ offset: 26100 });
  assert.equal((await server.cli(['user', 'add', 'flow@imapflow.test', '--password', 'flowpw'])).code, 0);
  await server.start();
});
after(async () => {
  await server?.stop();
});

const deliver = (subject: string) =>
  python(
    `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.sendmail('someone@example.net', ['flow@imapflow.test'], 'From: <someone@example.net>\\r\\nSubject: %s\\r\\n\\r\\nbody of %s\\r\\n' % (sys.argv[2], sys.argv[2]))
s.quit()
`,
    [String(server.port('smtp')), subject],
  );

test('imapflow: full sync over STARTTLS, IDLE hears a delivery, flags round-trip', async () => {
  for (const n of [1, 2, 3]) await deliver(`synced ${n}`);
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: server.port('imap'),
    secure: false,
    doSTARTTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'flow@imapflow.test', pass: 'flowpw' },
    logger: false,
  });
  await client.connect();
  try {
    assert.ok(client.capabilities.has('IDLE'));
    assert.ok(client.capabilities.has('IMAP4rev2') || client.capabilities.has('IMAP4REV2'), 'IMAP4rev2 advertised beside IMAP4rev1');

    // Full sync: every mailbox with its status, every message's envelope and flags.
    const mailboxes = await client.list({ statusQuery: { messages: true, uidNext: true, unseen: true } });
    const names = mailboxes.map((m) => m.path);
    for (const expected of ['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk', 'Archive']) assert.ok(names.includes(expected), `${expected} in ${names}`);
    assert.equal(mailboxes.find((m) => m.specialUse === '\\Sent')?.path, 'Sent');
    assert.equal(mailboxes.find((m) => m.path === 'INBOX')?.status?.messages, 3);

    const lock = await client.getMailboxLock('INBOX');
    try {
      const subjects: string[] = [];
      for await (const message of client.fetch('1:*', { envelope: true, flags: true, uid: true })) subjects.push(message.envelope!.subject!);
      assert.deepEqual(subjects, ['synced 1', 'synced 2', 'synced 3']);

      // IDLE (imapflow idles by itself only when no lock is held, so start it here):
      // a delivery must reach it as an EXISTS without any command from the client.
      const exists = new Promise<number>((resolve) => client.on('exists', (event: { count: number }) => resolve(event.count)));
      const idling = client.idle();
      await new Promise((r) => setTimeout(r, 300));
      await deliver('while idle');
      const count = await Promise.race([exists, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no EXISTS within 20 s')), 20_000))]);
      assert.equal(count, 4);
      // The next command ends IDLE (DONE) and the idle() promise settles.
      const latest = await client.fetchOne('*', { envelope: true, source: true });
      assert.ok(latest);
      assert.equal(latest.envelope!.subject, 'while idle');
      assert.match(latest.source!.toString(), /body of while idle/);

      await client.messageFlagsAdd({ uid: latest.uid }, ['\\Seen', '\\Flagged', 'custom-keyword'], { uid: true });
      const reread = await client.fetchOne(String(latest.uid), { flags: true }, { uid: true });
      assert.ok(reread);
      for (const flag of ['\\Seen', '\\Flagged', 'custom-keyword']) assert.ok(reread.flags!.has(flag), `${flag} set`);
      await client.messageMove({ uid: latest.uid }, 'Archive', { uid: true });
      await idling;
    } finally {
      lock.release();
    }
    const archive = await client.status('Archive', { messages: true });
    assert.ok(archive && archive.messages === 1, 'the moved message is in Archive');
  } finally {
    await client.logout();
  }
});
