// Connection slots cannot be taken hostage (issue 9). On the real server:
// (a) SMTP's per-service limit filled with idle connections from several loopback
//     addresses (127.0.0.2-5) leaves python's imaplib, poplib and ftplib logging in;
// (b) a client trickling one byte at a time is cut at the total pre-authentication
//     deadline with its protocol's timeout reply, on every protocol;
// (c) an authenticated IMAP session (imaplib) survives while its service is full and
//     under stress, when the unauthenticated ones around it are cut.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { PYTHON, prepareSeptet, python, type SeptetProcess } from './harness.ts';

const USER = 'slots@limits.test';
const PASSWORD = 'hostage-free';

/** Server A: small per-service caps, no stress (the fillers must stay for the test). */
let roomy: SeptetProcess;
/** Server B: 2 s deadlines, and stress (above 75 % of 10 slots) cuts to 1 s. */
let strict: SeptetProcess;

before(async () => {
  roomy = await prepareSeptet({
    offset: 14000,
    toml: ['[limits]', 'max_connections_per_service = 40', 'max_connections_per_ip_per_service = 10', 'stress_threshold = 0'].join('\n'),
  });
  strict = await prepareSeptet({
    offset: 14100,
    toml: ['[limits]', 'max_connections_per_service = 10', 'preauth_deadline = 2', 'mta_deadline = 2', 'stress_threshold = 75', 'stress_deadline = 1', 'stress_idle_timeout = 1'].join('\n'),
  });
  for (const s of [roomy, strict]) assert.equal((await s.cli(['user', 'add', USER, '--password', PASSWORD])).code, 0);
  await Promise.all([roomy.start(), strict.start()]);
});
after(async () => {
  await Promise.all([roomy?.stop(), strict?.stop()]);
});

/** A raw client from `source` that has read the greeting; `seen` collects everything the server says. */
interface Idle {
  socket: Socket;
  seen: string;
  closed: Promise<void>;
}
async function idleClient(port: number, source: string): Promise<Idle> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: source });
  const idle: Idle = { socket, seen: '', closed: new Promise((r) => socket.once('close', () => r())) };
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (d: Buffer) => {
      idle.seen += d.toString('latin1');
      resolve();
    });
  });
  return idle;
}

async function waitForOutput(server: SeptetProcess, pattern: RegExp): Promise<void> {
  while (!pattern.test(server.output)) await new Promise((r) => setTimeout(r, 50));
}

test('(a) SMTP filled from several addresses: imaplib, poplib and ftplib still log in', async () => {
  const fillers: Idle[] = [];
  for (const source of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']) {
    for (let i = 0; i < 10; i++) fillers.push(await idleClient(roomy.port('smtp'), source));
  }
  assert.ok(fillers.every((f) => f.seen.startsWith('220 ')));
  // The 41st SMTP connection is refused: the service is full.
  const refused = await idleClient(roomy.port('smtp'), '127.0.0.6');
  await refused.closed;
  assert.match(refused.seen, /^421 4\.7\.0 .*Too many connections/);

  const out = await python(
    `
import ftplib, imaplib, poplib, sys
user, password, imap_port, pop_port, ftp_port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
m = imaplib.IMAP4('127.0.0.1', imap_port)
print('IMAP', m.login(user, password)[0])
print('IMAP SELECT', m.select('INBOX')[0])
m.logout()
p = poplib.POP3('127.0.0.1', pop_port)
p.user(user)
print('POP3', p.pass_(password).decode().split()[0])
p.quit()
f = ftplib.FTP()
f.connect('127.0.0.1', ftp_port)
print('FTP', f.login(user, password).split()[0])
f.quit()
`,
    [USER, PASSWORD, String(roomy.port('imap')), String(roomy.port('pop3')), String(roomy.port('ftp'))],
  );
  assert.match(out, /^IMAP OK$/m);
  assert.match(out, /^IMAP SELECT OK$/m);
  assert.match(out, /^POP3 \+OK$/m);
  assert.match(out, /^FTP 230$/m);
  // The fillers are still there: nobody was evicted to make room.
  assert.ok(fillers.every((f) => !f.socket.closed));
  for (const f of fillers) f.socket.destroy();
  await Promise.all(fillers.map((f) => f.closed));
});

test('(b) a client trickling one byte at a time is cut at the total deadline with its protocol\'s timeout reply', async () => {
  const expected = {
    smtp: /^421 4\.4\.2 /m,
    submission: /^421 4\.4\.2 /m,
    pop3: /^-ERR /m,
    imap: /^\* BYE /m,
    ftp: /^421 /m,
  } as const;
  await Promise.all(
    (Object.keys(expected) as (keyof typeof expected)[]).map(async (service) => {
      const client = await idleClient(strict.port(service), '127.0.0.7');
      const greeting = client.seen;
      const startedAt = Date.now();
      // One byte every 300 ms: far inside every idle timeout, never a complete line.
      const trickle = setInterval(() => client.socket.write('N'), 300);
      await client.closed;
      clearInterval(trickle);
      const elapsed = Date.now() - startedAt;
      assert.ok(elapsed >= 1000, `${service} was cut after ${elapsed} ms, before its 2 s deadline`);
      assert.match(client.seen.slice(greeting.length), expected[service], `${service}: ${JSON.stringify(client.seen)}`);
    }),
  );
  await waitForOutput(strict, /pre-authentication deadline reached; closing/);
});

test('(c) an authenticated imaplib session survives while IMAP is full and under stress', async () => {
  const child = spawn(
    PYTHON,
    [
      '-c',
      `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
print('LOGIN', m.login(sys.argv[2], sys.argv[3])[0], flush=True)
sys.stdin.readline()
print('NOOP', m.noop()[0])
print('SELECT', m.select('INBOX')[0])
print('LOGOUT', m.logout()[0], flush=True)
`,
      String(strict.port('imap')),
      USER,
      PASSWORD,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      out += line + '\n';
      if (line.startsWith('LOGIN')) resolve();
    });
  });
  assert.match(out, /^LOGIN OK$/m);

  // Nine more: the service is full (10) and above 75 %, so the unauthenticated ones are cut at 1 s.
  const fillers: Idle[] = [];
  for (let i = 0; i < 9; i++) fillers.push(await idleClient(strict.port('imap'), `127.0.0.${10 + (i % 3)}`));
  const refused = await idleClient(strict.port('imap'), '127.0.0.20');
  await refused.closed;
  assert.match(refused.seen, /^\* BYE /);
  await Promise.all(fillers.map((f) => f.closed));
  for (const f of fillers) assert.match(f.seen, /\* BYE /);

  // The logged-in session outlived all of them and still works.
  child.stdin!.end('\n');
  assert.equal(await exited, 0);
  assert.match(out, /^NOOP OK$/m);
  assert.match(out, /^SELECT OK$/m);
  assert.match(out, /^LOGOUT BYE$/m);
});
