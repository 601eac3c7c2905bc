// A tagged OK after APPEND means body and metadata are durable: Septet is killed with
// SIGKILL while python imaplib clients append (small bodies, which the store keeps in
// the database, and large ones, which are files) and a raw client sends MULTIAPPENDs of
// three; after the restart every acknowledged message is there, whole, and every
// MULTIAPPEND is there entirely or not at all (RFC 3502).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTHON, prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;
after(async () => {
  await server?.stop();
});

const appender = `
import imaplib, sys
port, worker = int(sys.argv[1]), sys.argv[2]
c = imaplib.IMAP4('127.0.0.1', port)
c.login('box@durable.test', 'pw')
for i in range(100000):
    subject = 'w%s-%d' % (worker, i)
    # every fifth one is larger than store.inline_body_bytes (a file), the rest are rows
    body = ('x' * 70 + '\\r\\n') * (1200 if i % 5 == 0 else 50)
    typ, data = c.append('INBOX', None, None, ('Subject: %s\\r\\n\\r\\n%sEND-OF-%s\\r\\n' % (subject, body, subject)).encode())
    if typ != 'OK':
        raise SystemExit('APPEND refused: %r' % data)
    print(subject, flush=True)
`;

// imaplib has no MULTIAPPEND: three messages in one command over a raw socket (LITERAL+).
const multiAppender = `
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(('127.0.0.1', port))
f = s.makefile('rb')
f.readline()
s.sendall(b'l LOGIN box@durable.test pw\\r\\n')
while not f.readline().startswith(b'l '):
    pass
for i in range(100000):
    parts = []
    for k in range(3):
        subject = 'm-%d-%d' % (i, k)
        body = ('Subject: %s\\r\\n\\r\\n%sEND-OF-%s\\r\\n' % (subject, 'y' * 300 + '\\r\\n', subject)).encode()
        parts.append(b' {%d+}\\r\\n' % len(body) + body)
    s.sendall(b'a%d APPEND INBOX' % i + b''.join(parts) + b'\\r\\n')
    while True:
        line = f.readline()
        if not line:
            raise SystemExit(0)
        if line.startswith(b'a%d ' % i):
            break
    if not line.startswith(b'a%d OK' % i):
        raise SystemExit('MULTIAPPEND refused: %r' % line)
    print('group m-%d' % i, flush=True)
`;

test('SIGKILL during an APPEND storm loses no acknowledged message; a MULTIAPPEND is all or nothing', async () => {
  server = await prepareSeptet({ offset: 22600 });
  assert.equal((await server.cli(['user', 'add', 'box@durable.test', '--password', 'pw'])).code, 0);
  await server.start();

  const accepted = new Set<string>();
  const groups = new Set<string>();
  const spawnClient = (program: string, args: string[], sink: (line: string) => void) => {
    const child = spawn(PYTHON, ['-c', program, String(server.port('imap')), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: child.stdout }).on('line', (line) => sink(line.trim()));
    return new Promise<void>((resolve) => child.on('exit', () => resolve()));
  };
  const clients = [
    ...[1, 2, 3].map((n) => spawnClient(appender, [String(n)], (line) => accepted.add(line))),
    spawnClient(multiAppender, [], (line) => groups.add(line.slice('group '.length))),
  ];
  const deadline = Date.now() + 60_000;
  while ((accepted.size < 300 || groups.size < 20) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await server.kill();
  await Promise.all(clients);
  assert.ok(accepted.size >= 300, `only ${accepted.size} APPENDs were acknowledged before the kill`);
  assert.ok(groups.size >= 20, `only ${groups.size} MULTIAPPENDs were acknowledged before the kill`);

  await server.start();
  const out = await python(
    `
import imaplib, re, sys
c = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
c.login('box@durable.test', 'pw')
c.select('INBOX', readonly=True)
typ, data = c.fetch('1:*', '(BODY.PEEK[])')
for item in data:
    if not isinstance(item, tuple):
        continue
    text = item[1]
    subject = re.search(rb'^Subject: (\\S+)', text, re.M).group(1).decode()
    whole = text.rstrip(b'\\r\\n').endswith(('END-OF-' + subject).encode())
    print(subject, 'WHOLE' if whole else 'TRUNCATED')
c.logout()
`,
    [String(server.port('imap'))],
    120_000,
  );
  const stored = new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
  for (const subject of accepted) assert.ok(stored.has(subject), `acknowledged message ${subject} is missing after the crash`);
  for (const group of groups) for (const k of [0, 1, 2]) assert.ok(stored.has(`${group}-${k}`), `acknowledged ${group}-${k} is missing`);
  for (const [subject, state] of stored) assert.equal(state, 'WHOLE', `${subject} is half-written`);
  // All or nothing, also for the MULTIAPPEND the kill interrupted.
  const parts = new Map<string, number>();
  for (const subject of stored.keys()) {
    const m = /^(m-\d+)-\d$/.exec(subject);
    if (m) parts.set(m[1]!, (parts.get(m[1]!) ?? 0) + 1);
  }
  for (const [group, count] of parts) assert.equal(count, 3, `${group} is stored with ${count} of its 3 messages`);
});
