// A 250 after DATA means the message is on disk: Septet is killed with SIGKILL
// while smtplib clients are sending, restarted, and every message that got its 250
// must be in the mailbox, whole.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTHON, prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;
after(async () => {
  await server?.stop();
});

const sender = `
import smtplib, sys
port, worker = int(sys.argv[1]), sys.argv[2]
body = ('x' * 70 + '\\r\\n') * 140  # about 10 KiB
s = smtplib.SMTP('127.0.0.1', port)
for i in range(100000):
    subject = 'w%s-%d' % (worker, i)
    s.sendmail('load@example.net', ['box@durable.test'], 'Subject: %s\\r\\n\\r\\n%sEND-OF-%s\\r\\n' % (subject, body, subject))
    print(subject, flush=True)
`;

test('SIGKILL during delivery loses no accepted message and leaves nothing half-written', async () => {
  server = await prepareSeptet({ offset: 22000 });
  assert.equal((await server.cli(['user', 'add', 'box@durable.test', '--password', 'pw'])).code, 0);
  await server.start();

  const accepted = new Set<string>();
  const workers = [1, 2, 3, 4].map((n) => {
    const child = spawn(PYTHON, ['-c', sender, String(server.port('smtp')), String(n)], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: child.stdout }).on('line', (line) => accepted.add(line.trim()));
    return new Promise<void>((resolve) => child.on('exit', () => resolve()));
  });
  // Let a few hundred messages through, then pull the plug mid-stream.
  const deadline = Date.now() + 60_000;
  while (accepted.size < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await server.kill();
  await Promise.all(workers);
  assert.ok(accepted.size >= 300, `only ${accepted.size} messages were accepted before the kill`);

  await server.start();
  const out = await python(
    `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user('box@durable.test'); p.pass_('pw')
count = p.stat()[0]
for n in range(1, count + 1):
    lines = p.retr(n)[1]
    subject = [l for l in lines if l.startswith(b'Subject: ')][0][9:].decode()
    whole = lines[-1] == ('END-OF-' + subject).encode()
    print(subject, 'WHOLE' if whole else 'TRUNCATED')
p.quit()
`,
    [String(server.port('pop3'))],
    120_000,
  );
  const stored = new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
  for (const subject of accepted) assert.ok(stored.has(subject), `accepted message ${subject} is missing after the crash`);
  for (const [subject, state] of stored) assert.equal(state, 'WHOLE', `${subject} is half-written`);
});
