// `workers = 2`: a real `septet start` as a primary and two worker processes
// (src/startup/workers/). Connections are served by both (each log line names its
// worker); IMAP IDLE on one worker hears a message that SMTP on the other accepted;
// the POP3 maildrop lock holds across them; a worker killed with SIGKILL is started
// again, and what it accepted is there; SIGHUP reaches every worker; SIGTERM stops all.
// While a session is open on one worker, the primary gives the client's next
// connection to the other (src/startup/workers/dispatch.ts): that is how each test
// puts two sessions on two workers, and the log lines prove it.

import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, test } from 'node:test';
import { popAll, prepareSeptet, python, submitMail, waitFor, type SeptetProcess } from './harness.ts';

const OFFSET = 20000;

interface LogLine {
  msg: string;
  pid: number;
  worker?: number;
  user?: string;
  [key: string]: unknown;
}

let server: SeptetProcess;

/** Septet's JSON log lines so far (the primary's and the workers', one stream). */
function logLines(): LogLine[] {
  return server.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

const linesWith = (msg: string) => logLines().filter((l) => l.msg === msg);

before(async () => {
  server = await prepareSeptet({ offset: OFFSET, workers: 2 });
  await server.addUsers({ 'alice@workers.test': 'alicepw', 'bob@workers.test': 'bobpw', 'carol@workers.test': 'carolpw' });
  await server.start();
});

after(async () => {
  await server?.stop();
});

test('the primary starts two workers; each log line of a worker names it', async () => {
  // The workers' lines reach the shared standard output on their own schedule.
  const ready = await waitFor('two workers ready', async () => {
    const lines = linesWith('worker ready');
    return lines.length === 2 && lines;
  });
  assert.deepEqual(ready.map((l) => l.worker).sort(), [1, 2]);
  assert.notEqual(ready[0]!.pid, ready[1]!.pid);
  assert.notEqual(ready[0]!.pid, server.pid, 'workers are processes of their own');
  assert.equal(linesWith('septet ready')[0]?.workers, 2);
});

test('connections are served by both workers', async () => {
  const before = linesWith('pop3 login').length;
  await python(
    `
import poplib, sys
for _ in range(6):
    p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
    p.user('carol@workers.test'); p.pass_('carolpw'); p.quit()
`,
    [String(server.port('pop3'))],
  );
  const logins = await waitFor('six logged logins', async () => {
    const lines = linesWith('pop3 login').slice(before);
    return lines.length === 6 && lines;
  });
  assert.deepEqual([...new Set(logins.map((l) => l.worker))].sort(), [1, 2]);
});

test('IMAP IDLE on one worker hears a message SMTP accepted on the other', async () => {
  const out = await python(
    `
import imaplib, smtplib, sys
from email.message import EmailMessage
imap_port, smtp_port = int(sys.argv[1]), int(sys.argv[2])
m = imaplib.IMAP4('127.0.0.1', imap_port)
m.login('alice@workers.test', 'alicepw')
typ, data_ = m.select('INBOX')
before = int(data_[0])
tag = m._new_tag().decode()
m.send(('%s IDLE\\r\\n' % tag).encode())
print('IDLE', m.readline().decode().strip())
msg = EmailMessage()
msg['From'] = 'bob@workers.test'; msg['To'] = 'alice@workers.test'; msg['Subject'] = 'across workers'
msg.set_content('from the other process')
s = smtplib.SMTP('127.0.0.1', smtp_port, timeout=30)
s.send_message(msg)
s.quit()
m.sock.settimeout(30)
while True:
    line = m.readline().decode().strip()
    if line.endswith('EXISTS'):
        print('PUSHED', line, 'EXPECTED', before + 1); break
m.send(b'DONE\\r\\n')
while not m.readline().decode().startswith(tag): pass
m.logout()
`,
    [String(server.port('imap')), String(server.port('smtp'))],
  );
  assert.match(out, /IDLE \+ /);
  const pushed = /PUSHED \* (\d+) EXISTS EXPECTED (\d+)/.exec(out);
  assert.ok(pushed, out);
  assert.equal(pushed[1], pushed[2]);
  const imap = linesWith('imap login').filter((l) => l.user === 'alice@workers.test').at(-1);
  const smtp = linesWith('message accepted').at(-1);
  assert.ok(imap?.worker && smtp?.worker, server.output);
  assert.notEqual(imap.worker, smtp.worker, 'the IDLE session and the SMTP session were on different workers');
});

test('the POP3 maildrop lock holds across workers: [IN-USE] for the second session', async () => {
  const before = linesWith('pop3 login').length;
  const out = await python(
    `
import poplib, sys
port = int(sys.argv[1])
first = poplib.POP3('127.0.0.1', port, timeout=30)
first.user('bob@workers.test'); first.pass_('bobpw')
second = poplib.POP3('127.0.0.1', port, timeout=30)
second.user('bob@workers.test')
try:
    second.pass_('bobpw'); print('SECOND ok')
except poplib.error_proto as e:
    print('SECOND', e.args[0].decode())
first.quit()
second.user('bob@workers.test'); second.pass_('bobpw'); print('AFTER ok'); second.quit()
`,
    [String(server.port('pop3'))],
  );
  assert.match(out, /SECOND -ERR \[IN-USE\]/);
  assert.match(out, /AFTER ok/);
  const holder = linesWith('pop3 login').slice(before)[0];
  const refused = linesWith('pop3 maildrop in use').filter((l) => l.user === 'bob@workers.test').at(-1);
  assert.ok(holder?.worker && refused?.worker, server.output);
  assert.notEqual(holder.worker, refused.worker, 'the two sessions were on different workers');
});

test('SIGHUP reloads the certificates in every worker', async () => {
  const before = linesWith('reloading certificates').length;
  server.notify('SIGHUP');
  const reloads = await waitFor('both workers reloading', async () => {
    const lines = linesWith('reloading certificates').slice(before);
    return lines.length === 2 && lines;
  });
  assert.deepEqual(reloads.map((l) => l.worker).sort(), [1, 2]);
});

test('a worker killed with SIGKILL is started again; the message it accepted is kept; new connections are served', async () => {
  await submitMail({ host: '127.0.0.1', port: server.port('smtp'), from: 'bob@workers.test', to: 'carol@workers.test', subject: 'before the kill', body: 'acknowledged' });
  const accepted = linesWith('message accepted').at(-1)!;
  const victim = accepted.worker!;
  const restartsBefore = linesWith(`worker ${victim} restarted`).length;
  process.kill(accepted.pid, 'SIGKILL');
  await waitFor(`worker ${victim} restarted`, async () => linesWith(`worker ${victim} restarted`).length > restartsBefore);
  const fresh = linesWith('worker ready').filter((l) => l.worker === victim).at(-1)!;
  assert.notEqual(fresh.pid, accepted.pid);

  const texts = await popAll(server, 'carol@workers.test', 'carolpw');
  assert.ok(texts.some((t) => t.includes('Subject: before the kill')), 'the acknowledged message survived its worker');
  // Both workers serve again, the new one included.
  const loginsBefore = linesWith('pop3 login').length;
  await python(
    `
import poplib, sys
for _ in range(4):
    p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
    p.user('carol@workers.test'); p.pass_('carolpw'); p.quit()
`,
    [String(server.port('pop3'))],
  );
  const logins = await waitFor('four logged logins', async () => {
    const lines = linesWith('pop3 login').slice(loginsBefore);
    return lines.length === 4 && lines;
  });
  assert.ok(logins.some((l) => l.pid === fresh.pid), 'the restarted worker serves connections');
});

test('SIGTERM to the primary stops every worker gracefully', async () => {
  const workerPids = [...new Set(linesWith('worker ready').map((l) => l.pid))];
  assert.equal(await server.stop(), 0);
  const stopped = linesWith('worker stopped');
  assert.equal(stopped.length, 2);
  for (const pid of workerPids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker pid ${pid} is gone`);
});

test('the default (workers = 0): one worker per core', async () => {
  const byDefault = await prepareSeptet({ offset: OFFSET + 100, workers: 0 });
  await byDefault.addUsers({ 'dave@workers.test': 'davepw' });
  await byDefault.start();
  try {
    const ready = byDefault.output.split('\n').filter((l) => l.includes('"septet ready"')).map((l) => JSON.parse(l) as LogLine);
    assert.equal(ready[0]?.workers, availableParallelism());
    assert.deepEqual(await popAll(byDefault, 'dave@workers.test', 'davepw'), []);
  } finally {
    assert.equal(await byDefault.stop(), 0);
  }
});
