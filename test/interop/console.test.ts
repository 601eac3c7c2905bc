// Septet's console through OpenSSH's ssh against a running server: exec mode (whoami,
// exit status 127 for an unknown command, permission denied for a user), an
// administrator adding a user over ssh who then logs in with Python's poplib, passwd
// over ssh then imaplib with the new password, and an interactive session on a pty
// (python3's pty module runs `ssh -tt`) with echo, line editing and history, and an
// RFC 821 SEND from smtplib shown above the line being typed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareSeptet, python, removeDir, type SeptetProcess } from './harness.ts';

const ADMIN = 'boss@console.test';
const USER = 'ann@console.test';
let server: SeptetProcess;
let tools: string;
let askpass: string;

before(async () => {
  server = await prepareSeptet({ offset: 5000, toml: '[relay]\nenabled = false\n[smtp]\nterminal_delivery = true' });
  assert.equal((await server.cli(['user', 'add', ADMIN, '--password', 'boss-pw', '--admin'])).code, 0);
  await server.addUsers({ [USER]: 'ann-pw' });
  await server.start();
  tools = await mkdtemp(join(tmpdir(), 'septet-console-ssh-'));
  // OpenSSH reads a password from a terminal or from SSH_ASKPASS; the test has no terminal.
  askpass = join(tools, 'askpass.sh');
  await writeFile(askpass, '#!/bin/sh\nprintf "%s\\n" "$SEPTET_TEST_PASSWORD"\n');
  await chmod(askpass, 0o755);
});
after(async () => {
  await server?.stop();
  if (tools) await removeDir(tools);
});

function sshArgs(user: string): string[] {
  return [
    '-p', String(server.port('ssh')),
    '-l', user,
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', 'PubkeyAuthentication=no',
    '-o', 'PreferredAuthentications=password,keyboard-interactive',
    '-o', 'NumberOfPasswordPrompts=1',
    '-o', 'ConnectTimeout=20',
  ];
}

function sshEnv(password: string): NodeJS.ProcessEnv {
  return { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0', SEPTET_TEST_PASSWORD: password };
}

/** `ssh user@host 'command'`: stdout, stderr and the exit status the server sent. */
function ssh(user: string, password: string, command: string, input = '', tty = '-T'): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn('ssh', [...sshArgs(user), tty, '127.0.0.1', command], { env: sshEnv(password), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? -1 });
    });
    child.stdin.end(input);
  });
}

describe('console over OpenSSH ssh (exec mode)', () => {
  test('ssh -tt user@host whoami: the command gets the pty (CRLF line ends)', async () => {
    const r = await ssh(USER, 'ann-pw', 'whoami', '', '-tt');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${USER}\r\n`);
  });

  test('ssh user@host whoami: exit 0, prints the address', async () => {
    const r = await ssh(USER, 'ann-pw', 'whoami');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${USER}\n`);
  });

  test('an unknown command: exit status 127 and the message on stderr; no OS command', async () => {
    const r = await ssh(USER, 'ann-pw', 'id; cat /etc/passwd');
    assert.equal(r.code, 127);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown command: id;; try help/);
  });

  test('a user is refused the administrator commands (exit 1)', async () => {
    const r = await ssh(USER, 'ann-pw', 'user list');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /permission denied/);
  });

  test('an administrator adds a user over ssh, who then logs in with poplib', async () => {
    const added = await ssh(ADMIN, 'boss-pw', "user add newbie@console.test --password 'n3w pw'");
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added newbie@console.test\n');
    const out = await python(
      `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user('newbie@console.test')
p.pass_('n3w pw')
print('COUNT', p.stat()[0])
p.quit()
`,
      [String(server.port('pop3'))],
    );
    assert.equal(out.trim(), 'COUNT 0');
    assert.match((await ssh(ADMIN, 'boss-pw', 'user list')).stdout, /^newbie@console\.test$/m);
  });

  test('passwd over ssh with the passwords on standard input; imaplib logs in with the new one', async () => {
    await server.addUsers({ 'pat@console.test': 'old-pw' });
    // A wrong old password goes through the login throttle and changes nothing.
    const wrong = await ssh('pat@console.test', 'old-pw', 'passwd', 'guess\nnew-pw\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /wrong password/);
    const r = await ssh('pat@console.test', 'old-pw', 'passwd', 'old-pw\nnew-pw\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'password changed\n');
    const out = await python(
      `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
try:
    m.login('pat@console.test', 'old-pw'); print('OLD ACCEPTED')
except imaplib.IMAP4.error:
    print('old refused')
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
print(m.login('pat@console.test', 'new-pw')[0])
m.logout()
`,
      [String(server.port('imap'))],
    );
    assert.equal(out.trim(), 'old refused\nOK');
  });

  test('mailboxes, quota and files work over ssh', async () => {
    const boxes = await ssh(USER, 'ann-pw', 'mailboxes');
    assert.equal(boxes.code, 0, boxes.stderr);
    assert.match(boxes.stdout, /^INBOX\s+0\s+0\s+0 B$/m);
    assert.equal((await ssh(USER, 'ann-pw', 'files')).code, 0);
    assert.match((await ssh(USER, 'ann-pw', 'quota')).stdout, /^mail:/m);
  });
});

const execFileP = promisify(execFile);

/** `ssh -i KEY user@host command` with public-key authentication only. */
function sshWithKey(user: string, key: string, command: string) {
  return new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
    const args = sshArgs(user).map((a) => (a === 'PubkeyAuthentication=no' ? 'PubkeyAuthentication=yes' : a === 'PreferredAuthentications=password,keyboard-interactive' ? 'PreferredAuthentications=publickey' : a));
    const child = spawn('ssh', [...args, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-i', key, '-T', '127.0.0.1', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

describe('hostile input over ssh', () => {
  /** `ssh [-tt] user@host` (a shell) fed `input`; what came back and the status. */
  const shellWith = (input: Buffer, pty: boolean) =>
    new Promise<{ stdout: number; code: number }>((resolve) => {
      const child = spawn('ssh', [...sshArgs(USER), pty ? '-tt' : '-T', '127.0.0.1'], { env: sshEnv('ann-pw'), stdio: ['pipe', 'pipe', 'ignore'] });
      let stdout = 0;
      child.stdout.on('data', (d: Buffer) => (stdout += d.length));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ stdout, code: code ?? -1 });
      });
      child.stdin.end(input);
    });

  test('4 MiB of random octets into a shell, with and without a pty: the session ends cleanly and the server still answers', async () => {
    const noise = Buffer.alloc(4 * 1024 * 1024);
    let x = 12345;
    for (let i = 0; i < noise.length; i++) noise[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const plain = await shellWith(noise, false);
    assert.equal(plain.code, 0);
    const pty = await shellWith(Buffer.concat([noise.subarray(0, 1024 * 1024), Buffer.from('\r\x04')]), true);
    assert.equal(pty.code, 0);
    assert.ok(pty.stdout > 0);
    assert.equal((await ssh(USER, 'ann-pw', 'whoami')).stdout, `${USER}\n`);
  });
});

describe('keys over the console, then public-key login', () => {
  test('an ssh-keygen Ed25519 key added with `keys add < id.pub` logs in; deleted, it does not', async () => {
    const key = join(tools, 'id_ed25519');
    await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'console-test', '-f', key]);
    const pub = await readFile(`${key}.pub`, 'utf8');
    const added = await ssh(USER, 'ann-pw', 'keys add', pub);
    assert.equal(added.code, 0, added.stderr);
    const fingerprint = (await execFileP('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key}.pub`])).stdout.split(' ')[1]!;
    assert.match(added.stdout, new RegExp(`^added 256 ${fingerprint.replace(/[+/]/g, '\\$&')} console-test \\(ED25519\\)$`, 'm'));
    assert.match((await ssh(USER, 'ann-pw', 'keys list')).stdout, new RegExp(`^${fingerprint.replace(/[+/]/g, '\\$&')}\\s+ssh-ed25519`, 'm'));
    const login = await sshWithKey(USER, key, 'whoami');
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, `${USER}\n`);
    assert.equal((await ssh(USER, 'ann-pw', `keys del ${fingerprint}`)).code, 0);
    assert.notEqual((await sshWithKey(USER, key, 'whoami')).code, 0, 'the deleted key no longer logs in');
  });

  test('a puttygen key (.ppk v3) on standard input; the same key converted by puttygen logs in', async () => {
    const ppk = join(tools, 'putty.ppk');
    const empty = join(tools, 'empty-passphrase');
    await writeFile(empty, '');
    await execFileP('puttygen', ['-q', '-t', 'rsa', '-b', '2048', '-C', 'from-puttygen', '--new-passphrase', empty, '-o', ppk]);
    const added = await ssh(USER, 'ann-pw', 'keys add', await readFile(ppk, 'utf8'));
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^added 2048 SHA256:\S+ from-puttygen \(RSA\)$/m);
    const openssh = join(tools, 'putty-openssh');
    await execFileP('puttygen', [ppk, '-O', 'private-openssh', '--old-passphrase', empty, '-o', openssh]);
    await chmod(openssh, 0o600);
    const login = await sshWithKey(USER, openssh, 'whoami');
    assert.equal(login.code, 0, login.stderr);
    // A 1024-bit RSA key is refused (RSA keys have at least 2048 bits).
    const weak = join(tools, 'weak');
    await execFileP('ssh-keygen', ['-q', '-t', 'rsa', '-b', '1024', '-N', '', '-f', weak]);
    const refused = await ssh(USER, 'ann-pw', 'keys add', await readFile(`${weak}.pub`, 'utf8'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /2048/);
  });
});

// Runs ssh -tt on a pseudo-terminal, types keys, and prints what the terminal showed.
const PTY_DRIVER = `
import os, pty, sys, time, select, json
port, user, password, script = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
env = dict(os.environ, SSH_ASKPASS=sys.argv[5], SSH_ASKPASS_REQUIRE='force', DISPLAY=':0', SEPTET_TEST_PASSWORD=password)
pid, fd = pty.fork()
if pid == 0:
    os.execvpe('ssh', ['ssh', '-tt', '-p', port, '-l', user, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
               '-o', 'LogLevel=ERROR', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive',
               '-o', 'NumberOfPasswordPrompts=1', '127.0.0.1'], env)
seen = b''
def read_until(marker, timeout=30):
    global seen
    deadline = time.time() + timeout
    while marker.encode() not in seen:
        if time.time() > deadline:
            sys.stderr.write('TIMEOUT waiting for %r in %r\\n' % (marker, seen)); sys.exit(3)
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data: break
            seen += data
def smtp_send():
    # RFC 821 SEND from another user (smtp.terminal_delivery), while a line is half typed.
    import smtplib
    s = smtplib.SMTP('127.0.0.1', int(sys.argv[6]))
    s.ehlo('client.console.test')
    s.login(sys.argv[7], sys.argv[8])
    assert s.docmd('SEND FROM:<%s>' % sys.argv[7])[0] == 250
    assert s.docmd('RCPT TO:<%s>' % user)[0] == 250
    assert s.docmd('DATA')[0] == 354
    s.send(b'Subject: ping\\r\\n\\r\\nlunch at noon?\\r\\n.\\r\\n')
    assert s.getreply()[0] == 250
    s.quit()
for keys, marker in script:
    if keys == '<SEND>':
        smtp_send()
    elif keys:
        # One octet at a time, as a person types.
        for b in keys.encode():
            os.write(fd, bytes([b])); time.sleep(0.005)
    if marker: read_until(marker)
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data: break
        seen += data
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'status': os.waitstatus_to_exitcode(status), 'screen': seen.decode('utf-8', 'replace')}))
`;

describe('console over OpenSSH ssh -tt on a pty (python3 pty)', () => {
  test('prompt, echo, Backspace, arrows, Home/End, history, a notice, Tab, exit', async () => {
    const prompt = `${USER}> `;
    const script: [string, string][] = [
      ['', prompt],
      // "whoamx", Backspace, "i": whoami.
      ['whoamx\x7fi\r', `${USER}\r\n`],
      // "hxlp", Left three times, Delete (the "x"), "e": help.
      ['hxlp\x1b[D\x1b[D\x1b[D\x1b[3~e\r', 'Commands'],
      // Home, typing at the start: "x" + "bogus" → unknown command xbogus.
      ['bogus\x1b[Hx\r', 'unknown command: xbogus'],
      // Up three times: the history, most recent first ("xbogus", "help", "whoami").
      ['\x1b[A\x1b[A\x1b[A\r', `${USER}\r\n\r\x1b[J${prompt}`],
      // Half a line typed, then an SMTP SEND arrives: shown above it, the line stays and runs.
      ['who', `${prompt}who`],
      ['<SEND>', '*** end of message ***'],
      ['', `${prompt}who`],
      ['ami\r', `${USER}\r\n\r\x1b[J${prompt}`],
      // Tab completes the command name.
      ['wh\t\r', `${prompt}whoami \r\n${USER}\r\n\r\x1b[J${prompt}`],
      ['exit\r', ''],
    ];
    const raw = await python(PTY_DRIVER, [String(server.port('ssh')), USER, 'ann-pw', JSON.stringify(script), askpass, String(server.port('smtp')), ADMIN, 'boss-pw'], 90_000);
    const { status, screen } = JSON.parse(raw) as { status: number; screen: string };
    assert.equal(status, 0, screen);
    assert.match(screen, /Septet console for ann@console\.test/);
    // The editor redrew the line after Backspace: "whoamx" became "whoami" on the screen.
    assert.ok(screen.includes(`\r\x1b[J${prompt}whoamx\r\x1b[J${prompt}whoam`), JSON.stringify(screen));
    assert.equal(screen.split(`${USER}\r\n`).length - 1, 4, `whoami ran four times (typed, from the history, after the notice, completed): ${JSON.stringify(screen)}`);
    assert.match(screen, /\r\x1b\[J\*\*\* message from boss@console\.test at [\d-]+ [\d:]+ UTC \*\*\*\r\nSubject: ping\r\n\r\nlunch at noon\?\r\n\*\*\* end of message \*\*\*\r\n\r\x1b\[Jann@console\.test> who/);
    assert.match(screen, /^\s*help \[COMMAND\]/m);
    assert.match(screen, /unknown command: xbogus; try help/);
  });
});
