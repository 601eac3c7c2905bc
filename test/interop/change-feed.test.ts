// Changes made by another process reach the running server at once (the store's
// change feed, src/core/store/sqlite/change-log.ts): python's imaplib sits in IDLE on
// INBOX while `septet sendmail`, a separate process on the same data directory,
// delivers a message, and hears `* N EXISTS`; `septet queue retry` and `queue release`
// make the relay try a deferred message at once although relay.poll_interval is an
// hour. The remote is a small SMTP server in this file, reached as the smart host,
// that counts the transactions it is offered and defers every recipient.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { createInterface } from 'node:readline';
import { prepareSeptet, python, SEPTET, type SeptetProcess } from './harness.ts';

const OFFSET = 18000;
const FAKE_MX_PORT = 18125;
/** Only stops a hung test; the events are expected within a poll interval (100 ms). */
const SAFETY_TIMEOUT_MS = 30_000;

/** An SMTP server that answers every RCPT with 451: each attempt leaves the entry deferred. */
class DeferringSmtpServer {
  readonly server: Server;
  attempts = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor() {
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** Resolves once `count` transactions (MAIL FROM) have arrived. */
  async untilAttempts(count: number): Promise<void> {
    if (this.attempts >= count) return;
    let timer!: NodeJS.Timeout;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push({ count, resolve })),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${this.attempts} attempts, waited for ${count}`)), SAFETY_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
  }

  private serve(socket: Socket): void {
    socket.write('220 fake-mx.remote.test ESMTP\r\n');
    socket.on('error', () => {});
    createInterface({ input: socket }).on('line', (line) => {
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake-mx.remote.test\r\n');
      else if (verb === 'MAIL') {
        this.attempts++;
        socket.write('250 2.1.0 ok\r\n');
        for (const waiter of this.waiters.filter((w) => w.count <= this.attempts)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      } else if (verb === 'RCPT') socket.write('451 4.3.0 try again later\r\n');
      else if (verb === 'QUIT') socket.end('221 2.0.0 bye\r\n');
      else socket.write('250 2.0.0 ok\r\n'); // RSET, NOOP
    });
  }
}

let server: SeptetProcess;
const mx = new DeferringSmtpServer();

before(async () => {
  await mx.listen(FAKE_MX_PORT);
  server = await prepareSeptet({
    offset: OFFSET,
    toml: [
      '[relay]',
      `smart_host = "127.0.0.1:${FAKE_MX_PORT}"`,
      // Neither the poll nor the retry schedule could explain an attempt within the test.
      'poll_interval = 3600',
      'retry_schedule = ["1h"]',
      'connect_timeout = 5',
    ].join('\n'),
  });
  assert.equal((await server.cli(['user', 'add', 'alice@feed.test', '--password', 'alicepw'])).code, 0);
  await server.start();
});

after(async () => {
  await server?.stop();
  mx.server.close();
});

test('imaplib in IDLE hears * N EXISTS for a message that `septet sendmail` (another process) delivered', async () => {
  const out = await python(
    `
import imaplib, subprocess, sys
imap_port = int(sys.argv[1]); node, septet, data, config = sys.argv[2:6]
m = imaplib.IMAP4('127.0.0.1', imap_port)
m.login('alice@feed.test', 'alicepw')
typ, data_ = m.select('INBOX')
before = int(data_[0])
tag = m._new_tag().decode()
m.send(('%s IDLE\\r\\n' % tag).encode())
print('IDLE', m.readline().decode().strip())
cli = subprocess.run([node, septet, 'sendmail', '-f', 'root@feed.test', 'alice@feed.test', '--data', data, '--config', config],
  input=b'Subject: from cron\\r\\n\\r\\nthe nightly report\\r\\n', capture_output=True)
print('SENDMAIL', cli.returncode, cli.stderr.decode().strip())
m.sock.settimeout(${SAFETY_TIMEOUT_MS / 1000})
while True:
    line = m.readline().decode().strip()
    if line.endswith('EXISTS'):
        print('PUSHED', line, 'EXPECTED', before + 1); break
m.send(b'DONE\\r\\n')
while True:
    line = m.readline().decode()
    if line.startswith(tag):
        print('DONE', line.strip()); break
typ, data_ = m.fetch(str(before + 1), '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
print('SUBJECT', data_[0][1].decode().strip())
m.logout()
`,
    [String(server.port('imap')), process.execPath, SEPTET, server.dataDir, server.configFile],
  );
  assert.match(out, /IDLE \+ /);
  assert.match(out, /SENDMAIL 0 septet sendmail: accepted/);
  const pushed = /PUSHED \* (\d+) EXISTS EXPECTED (\d+)/.exec(out);
  assert.ok(pushed, out);
  assert.equal(pushed[1], pushed[2]);
  assert.match(out, /DONE \S+ OK/);
  assert.match(out, /SUBJECT Subject: from cron/);
});

test('`septet queue retry` and `queue release` make the relay try at once, with relay.poll_interval an hour', async () => {
  const sent = await server.cli(['sendmail', '-f', 'alice@feed.test', 'bob@remote.test'], 'Subject: out\r\n\r\nto the world\r\n');
  assert.equal(sent.code, 0, sent.stderr);
  const queueId = /queued ([0-9a-f]+)/.exec(sent.stderr)?.[1];
  assert.ok(queueId, sent.stderr);
  // The CLI's enqueue woke the relay: the first attempt, deferred by the remote.
  await mx.untilAttempts(1);
  await untilDeferred(queueId);

  const retried = await server.cli(['queue', 'retry', queueId]);
  assert.equal(retried.code, 0, retried.stderr);
  await mx.untilAttempts(2);
  await untilDeferred(queueId);

  assert.equal((await server.cli(['queue', 'hold', queueId])).code, 0);
  assert.equal((await server.cli(['queue', 'release', queueId])).code, 0);
  await mx.untilAttempts(3);
  await untilDeferred(queueId);
  const shown = await server.cli(['queue', 'show', queueId]);
  assert.match(shown.stdout, /history \(3 attempts\)/);
  assert.match(shown.stdout, /451 4\.3\.0 try again later/);
});

/** The relay writes the deferral after the remote's last reply; `queue retry` of an entry in flight is refused. */
async function untilDeferred(queueId: string): Promise<void> {
  const deadline = Date.now() + SAFETY_TIMEOUT_MS;
  for (;;) {
    const shown = await server.cli(['queue', 'show', queueId]);
    if (/state:\s+deferred/.test(shown.stdout)) return;
    if (Date.now() > deadline) throw new Error(`${queueId} not deferred:\n${shown.stdout}${shown.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
