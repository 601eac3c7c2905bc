// RFC 821 SEND, SOML and SAML against a running Septet, with Python's smtplib as the
// client (docmd, since smtplib has no SEND of its own) and poplib to read back:
// off by default (502); when on, listed in EHLO, refused before AUTH, SOML falls back
// to the mailbox when nobody is attached, SEND to a user without a terminal is 450,
// a remote recipient 551, and with a terminal attached in another process (a second
// process next to the server's two workers, over <data>/run/terminals) SEND shows
// the message there and stores nothing; and on a real console session (OpenSSH
// `ssh -tt` into Septet's SSH server, its console attached) the message appears.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { prepareSeptet, python, ROOT, waitFor, type SeptetProcess } from './harness.ts';

const OFF_OFFSET = 4100;
const ON_OFFSET = 4200;

const accountId = (dataDir: string, address: string) =>
  python(
    `
import os, sqlite3, sys
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        try:
            with open(p, 'rb') as h:
                if h.read(16) != b'SQLite format 3\\x00': continue
            row = sqlite3.connect('file:' + p + '?mode=ro', uri=True).execute('SELECT id FROM accounts WHERE address = ?', (sys.argv[2],)).fetchone()
        except Exception:
            continue
        if row: print(row[0]); sys.exit(0)
sys.exit(1)
`,
    [dataDir, address],
  ).then((out) => Number(out.trim()));

describe('SEND/SOML/SAML off by default', () => {
  let server: SeptetProcess;
  before(async () => {
    server = await prepareSeptet({ offset: OFF_OFFSET });
    await server.addUsers({ 'ann@off.test': 'annpw' });
    await server.start();
  });
  after(async () => {
    await server?.stop();
  });

  test('502 and not in EHLO, even after AUTH', async () => {
    const out = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.ehlo('client.off.test')
print('HAS-SEND', s.has_extn('send'))
s.login('ann@off.test', 'annpw')
for verb in ('SEND', 'SOML', 'SAML'):
    code, text = s.docmd(verb + ' FROM:<ann@off.test>')
    print(verb, code, text.decode())
s.quit()
`,
      [String(server.port('smtp'))],
    );
    assert.match(out, /^HAS-SEND False$/m);
    for (const verb of ['SEND', 'SOML', 'SAML']) assert.match(out, new RegExp(`^${verb} 502 .*smtp\\.terminal_delivery`, 'm'));
  });
});

describe('SEND/SOML/SAML with smtp.terminal_delivery = true (two workers)', () => {
  let server: SeptetProcess;
  let bobId = 0;
  before(async () => {
    server = await prepareSeptet({ offset: ON_OFFSET, workers: 2, toml: '[smtp]\nterminal_delivery = true' });
    await server.addUsers({ 'ann@term.test': 'annpw', 'bob@term.test': 'bobpw' });
    await server.start();
    bobId = await accountId(server.dataDir, 'bob@term.test');
  });
  after(async () => {
    await server?.stop();
  });

  const smtp = (body: string) => python(`import smtplib, sys\ns = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))\n${body}\ns.quit()\n`, [String(server.port('smtp'))]);

  test('EHLO lists SEND, SOML, SAML (RFC 5321 F.6); SEND before AUTH is 530; a remote recipient 551', async () => {
    const out = await smtp(`
s.ehlo('client.term.test')
print('FEATURES', all(s.has_extn(v) for v in ('send', 'soml', 'saml')))
print('NOAUTH', s.docmd('SEND FROM:<ann@term.test>')[0])
s.login('ann@term.test', 'annpw')
print('SEND', s.docmd('SEND FROM:<ann@term.test>')[0])
print('REMOTE', s.docmd('RCPT TO:<x@elsewhere.example>'))
print('INACTIVE', s.docmd('RCPT TO:<bob@term.test>'))
`);
    assert.match(out, /^FEATURES True$/m);
    assert.match(out, /^NOAUTH 530$/m);
    assert.match(out, /^SEND 250$/m);
    assert.match(out, /^REMOTE \(551, b'5\.7\.1 <x@elsewhere\.example>: User not local/m);
    assert.match(out, /^INACTIVE \(450, b'4\.2\.1 <bob@term\.test>: User not active now'\)$/m);
  });

  test('SOML with nobody attached falls back to the mailbox: poplib reads it back', async () => {
    const out = await smtp(`
s.ehlo('client.term.test')
s.login('ann@term.test', 'annpw')
print('SOML', s.docmd('SOML FROM:<ann@term.test>')[0])
print('RCPT', s.docmd('RCPT TO:<bob@term.test>'))
print('DATA', s.docmd('DATA')[0])
s.send(b'From: ann@term.test\\r\\nTo: bob@term.test\\r\\nSubject: soml fallback\\r\\n\\r\\nCall me.\\r\\n.\\r\\n')
print('END', s.getreply())
`);
    assert.match(out, /^SOML 250$/m);
    assert.match(out, /^RCPT \(250, b'2\.1\.5 <bob@term\.test>: User not active now, so will do mail\.'\)$/m);
    assert.match(out, /^END \(250, b'2\.0\.0 Ok: queued as /m);
    const pop = await python(
      `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user('bob@term.test'); p.pass_('bobpw')
count, _ = p.stat()
print('COUNT', count)
print(b'\\n'.join(p.retr(count)[1]).decode())
p.quit()
`,
      [String(server.port('pop3'))],
    );
    assert.match(pop, /^COUNT 1$/m);
    assert.match(pop, /^Subject: soml fallback$/m);
    assert.match(pop, /^Call me\.$/m);
  });

  test('SEND with a terminal attached in another process: shown there, not stored', async () => {
    const owner = await stat(server.dataDir);
    // The peer runs as the server's user (Septet drops root), so it may use the private folder.
    const peer: ChildProcess = spawn(process.execPath, [join(ROOT, 'src/core/testing/terminal-peer.ts'), join(server.dataDir, 'run', 'terminals'), String(bobId)], {
      stdio: ['pipe', 'pipe', 'inherit'],
      ...(process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    const shown: string[] = [];
    const ready = new Promise<void>((resolve) =>
      createInterface({ input: peer.stdout! }).on('line', (line) => (line === 'ready' ? resolve() : shown.push(line))),
    );
    try {
      await ready;
      const out = await smtp(`
s.ehlo('client.term.test')
s.login('ann@term.test', 'annpw')
print('SEND', s.docmd('SEND FROM:<ann@term.test>')[0])
print('RCPT', s.docmd('RCPT TO:<bob@term.test>')[0])
print('DATA', s.docmd('DATA')[0])
s.send(b'Subject: on your screen\\r\\n\\r\\nLunch?\\x1b[2J\\r\\n.\\r\\n')
print('END', s.getreply())
`);
      assert.match(out, /^SEND 250$/m);
      assert.match(out, /^RCPT 250$/m);
      assert.match(out, /^END \(250, b'2\.0\.0 Shown on 1 terminal'\)$/m);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(shown.length, 1);
      const notice = JSON.parse(shown[0]!) as { from: string; text: string };
      assert.equal(notice.from, 'ann@term.test');
      assert.equal(notice.text, 'Subject: on your screen\r\n\r\nLunch??[2J\r\n');
      const pop = await python(
        `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user('bob@term.test'); p.pass_('bobpw')
print('COUNT', p.stat()[0])
p.quit()
`,
        [String(server.port('pop3'))],
      );
      assert.match(pop, /^COUNT 1$/m, 'only the SOML message of the test before');
    } finally {
      peer.stdin!.end();
      await once(peer, 'exit');
    }
  });

  test('SEND to a user logged in with ssh -tt: the message appears on the console', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'septet-send-ssh-'));
    const askpass = join(dir, 'askpass.sh');
    await writeFile(askpass, "#!/bin/sh\necho 'bobpw'\n");
    await chmod(askpass, 0o700);
    const ssh = spawn(
      '/usr/bin/ssh',
      ['-tt', '-p', String(server.port('ssh')), '-o', 'User=bob@term.test', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PubkeyAuthentication=no', '-o', 'LogLevel=ERROR', '127.0.0.1'],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0', TERM: 'xterm' } },
    );
    let screen = '';
    ssh.stdout!.on('data', (d: Buffer) => (screen += d.toString('utf8')));
    ssh.stderr!.on('data', (d: Buffer) => (screen += d.toString('utf8')));
    try {
      await waitFor('the console prompt', async () => /> $/m.test(screen), 30_000, async () => screen);
      const out = await smtp(`
s.ehlo('client.term.test')
s.login('ann@term.test', 'annpw')
print('SEND', s.docmd('SEND FROM:<ann@term.test>')[0])
print('RCPT', s.docmd('RCPT TO:<bob@term.test>')[0])
print('DATA', s.docmd('DATA')[0])
s.send(b'Subject: console\\r\\n\\r\\nMeet at the fountain\\r\\n.\\r\\n')
print('END', s.getreply())
`);
      assert.match(out, /^RCPT 250$/m);
      assert.match(out, /^END \(250, b'2\.0\.0 Shown on 1 terminal'\)$/m);
      await waitFor('the notice on the console', async () => screen.includes('Meet at the fountain'), 10_000, async () => screen);
      assert.match(screen, /ann@term\.test/);
    } finally {
      ssh.stdin!.write('exit\r');
      const exited = once(ssh, 'exit');
      setTimeout(() => ssh.kill(), 5000).unref();
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
