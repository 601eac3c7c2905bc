// Logins slow the attacker, never the user (issue 9): many failures from one
// loopback source (127.0.0.2, bound as the client's source address) are delayed and
// then banned on every protocol, while the account's owner on 127.0.0.1 logs in
// without delay; `septet ban list` shows the ban and `septet ban del` lifts it.
// Clients: python's imaplib, poplib, smtplib, ftplib and ssl; a raw UDP request for TFTP.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

const ATTACKER = '127.0.0.2';
const MAX_DELAY_MS = 1000;
let server: SeptetProcess;

before(async () => {
  server = await prepareSeptet({
    offset: 13000,
    toml: [
      'throttle_free_failures = 2',
      `throttle_max_delay_ms = ${MAX_DELAY_MS}`,
      'ban_after_failures = 6',
      'ban_window = 600',
      'ban_duration = 600',
    ].join('\n'),
  });
  const added = await server.cli(['user', 'add', 'alice@example.test', '--password', 'right-password']);
  assert.equal(added.code, 0, added.stderr);
  await server.start();
});
after(async () => {
  await server?.stop();
});

/** Python clients whose sockets are bound to a chosen source address. */
const clients = `
import imaplib, poplib, smtplib, ftplib, socket, ssl, sys, json
def bound(source):
    class Imap(imaplib.IMAP4):
        def _create_socket(self, timeout):
            return socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))
    class Pop(poplib.POP3):
        def _create_socket(self, timeout):
            return socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))
    return Imap, Pop
def greeting(port, source, tls=False):
    s = socket.create_connection(('127.0.0.1', port), 10, source_address=(source, 0))
    if tls:
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    data = b''
    while not data.endswith(b'\\n'):
        chunk = s.recv(512)
        if not chunk: break
        data += chunk
    s.close()
    return data.decode()
`;

function serverLog(): Array<Record<string, unknown>> {
  return server.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
const loginLines = (remote: string) => serverLog().filter((e) => e.component === 'auth' && e.remote === remote && typeof e.delayMs === 'number');

test('failures from 127.0.0.2 are delayed and then banned on every protocol; alice on 127.0.0.1 is never delayed; ban list and ban del', async () => {
  const ports = { imap: server.port('imap'), pop3: server.port('pop3'), submission: server.port('submission'), ftp: server.port('ftp'), imaps: server.port('imaps'), submissions: server.port('submissions') };

  // Five wrong passwords for alice from the attacker, over IMAP and POP3: the third on is delayed.
  await python(
    `${clients}
Imap, Pop = bound(sys.argv[1])
for i in range(3):
    m = Imap('127.0.0.1', ${ports.imap})
    try:
        m.login('alice@example.test', 'guess%d' % i); sys.exit('a guess succeeded')
    except imaplib.IMAP4.error as e:
        assert 'AUTHENTICATIONFAILED' in str(e), e
    m.logout()
for i in range(2):
    p = Pop('127.0.0.1', ${ports.pop3})
    p.user('alice@example.test')
    try:
        p.pass_('pop-guess%d' % i); sys.exit('a guess succeeded')
    except poplib.error_proto as e:
        assert e.args[0].startswith(b'-ERR'), e
    p.quit()
`,
    [ATTACKER],
  );
  const attacked = loginLines(ATTACKER);
  assert.equal(attacked.length, 5);
  assert.deepEqual(attacked.map((e) => e.ok), [false, false, false, false, false]);
  assert.deepEqual(attacked.slice(0, 2).map((e) => e.delayMs), [0, 0], 'throttle_free_failures = 2');
  assert.ok(attacked.slice(2).every((e) => (e.delayMs as number) > 0), `later attempts are delayed: ${attacked.map((e) => e.delayMs)}`);
  assert.equal(attacked.at(-1)!.delayMs, MAX_DELAY_MS, 'up to throttle_max_delay_ms');

  // The owner from 127.0.0.1, who has never logged in before: answered at once on both protocols.
  await python(
    `${clients}
Imap, Pop = bound('127.0.0.1')
m = Imap('127.0.0.1', ${ports.imap})
m.login('alice@example.test', 'right-password')
m.logout()
p = Pop('127.0.0.1', ${ports.pop3})
p.user('alice@example.test'); p.pass_('right-password'); p.quit()
`,
  );
  assert.deepEqual(loginLines('127.0.0.1').map((e) => [e.service, e.ok, e.delayMs]), [['imap', true, 0], ['pop3', true, 0]]);

  // The sixth failure (SMTP AUTH on submission) bans the attacker.
  await python(
    `${clients}
s = smtplib.SMTP('127.0.0.1', ${ports.submission}, source_address=(sys.argv[1], 0))
s.ehlo('attacker.test')
try:
    s.login('alice@example.test', 'smtp-guess'); sys.exit('a guess succeeded')
except smtplib.SMTPAuthenticationError as e:
    assert e.smtp_code == 535, e
s.quit()
`,
    [ATTACKER],
  );
  const banned = serverLog().find((e) => e.msg === 'source banned after repeated failed logins');
  assert.equal(banned?.source, ATTACKER);

  // Refused at connect, with each protocol's reply (over TLS on implicit-TLS ports).
  const refusals = JSON.parse(
    await python(
      `${clients}
Imap, Pop = bound(sys.argv[1])
out = {}
try:
    Imap('127.0.0.1', ${ports.imap}); out['imaplib'] = 'connected'
except imaplib.IMAP4.error as e:
    out['imaplib'] = str(e)
try:
    Pop('127.0.0.1', ${ports.pop3}); out['poplib'] = 'connected'
except poplib.error_proto as e:
    out['poplib'] = e.args[0].decode()
try:
    smtplib.SMTP('127.0.0.1', ${ports.submission}, source_address=(sys.argv[1], 0)); out['smtplib'] = 'connected'
except smtplib.SMTPConnectError as e:
    out['smtplib'] = '%d %s' % (e.smtp_code, e.smtp_error.decode())
try:
    ftplib.FTP(source_address=(sys.argv[1], 0)).connect('127.0.0.1', ${ports.ftp}); out['ftplib'] = 'connected'
except ftplib.error_temp as e:
    out['ftplib'] = str(e)
out['imaps'] = greeting(${ports.imaps}, sys.argv[1], tls=True)
out['submissions'] = greeting(${ports.submissions}, sys.argv[1], tls=True)
print(json.dumps(out))
`,
      [ATTACKER],
    ),
  ) as Record<string, string>;
  assert.match(refusals.imaplib!, /BYE.*\[UNAVAILABLE\] Too many failed logins/);
  assert.match(refusals.poplib!, /^-ERR \[SYS\/TEMP\] Too many failed logins/);
  assert.match(refusals.smtplib!, /^421 4\.7\.0 .*Too many failed logins/);
  assert.match(refusals.ftplib!, /^421 Too many failed logins/);
  assert.match(refusals.imaps!, /^\* BYE \[UNAVAILABLE\] Too many failed logins/);
  assert.match(refusals.submissions!, /^421 4\.7\.0 /);
  assert.ok(serverLog().some((e) => e.msg === 'connection refused' && e.reason === 'banned' && e.remote === ATTACKER));

  // TFTP has no login, but a banned source gets an ERROR there too (RFC 1350 §5: opcode 5, code 2).
  // A raw RRQ from a socket bound to the attacker's address (curl --interface cannot bind for TFTP).
  const tftp = JSON.parse(
    await python(
      `import socket, sys, json
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10); s.bind((sys.argv[1], 0))
s.sendto(b'\\x00\\x01anything\\x00octet\\x00', ('127.0.0.1', ${server.port('tftp')}))
packet = s.recv(600)
print(json.dumps([packet[1], packet[3], packet[4:-1].decode()]))
`,
      [ATTACKER],
    ),
  ) as [number, number, string];
  assert.deepEqual(tftp, [5, 2, 'Too many failed logins from your address, try again later']);

  // Others are still served.
  assert.match(JSON.parse(await python(`${clients}\nprint(json.dumps(greeting(${ports.imap}, '127.0.0.1')))`)) as string, /^\* OK/);

  // The CLI sees the ban while the server runs, and lifts it.
  const list = await server.cli(['ban', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^127\.0\.0\.2\tuntil \S+\t6 failed logins within 600 s\n$/);
  const del = await server.cli(['ban', 'del', ATTACKER]);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout, 'lifted the ban of 127.0.0.2\n');
  assert.equal((await server.cli(['ban', 'list'])).stdout, '');
  assert.equal((await server.cli(['ban', 'del', ATTACKER])).code, 1, 'no ban left to lift');

  // The server re-reads the bans at most a second later: the attacker's next connections are greeted.
  const greeted = await python(
    `${clients}
import time
for attempt in range(100):
    g = greeting(${ports.imap}, sys.argv[1])
    if g.startswith('* OK'): break
    time.sleep(0.1)
print(json.dumps([g, attempt]))
`,
    [ATTACKER],
  );
  const [line] = JSON.parse(greeted) as [string, number];
  assert.match(line, /^\* OK/);
});

test('septet ban add bans a source by hand (an IPv6 address means its /64); the running server refuses it within a second', async () => {
  const added = await server.cli(['ban', 'add', '127.0.0.3', '--duration', '120', '--reason', 'seen in the firewall log']);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout, 'banned 127.0.0.3 for 120 s\n');
  assert.equal((await server.cli(['ban', 'add', '2001:DB8:0:7::1'])).stdout, 'banned 2001:db8:0:7::/64 for 600 s\n', 'auth.ban_duration by default');
  const list = await server.cli(['ban', 'list']);
  assert.match(list.stdout, /^127\.0\.0\.3\tuntil \S+\tseen in the firewall log\n2001:db8:0:7::\/64\tuntil \S+\tbanned by the administrator\n$/);
  const bad = await server.cli(['ban', 'del', 'example.org']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not an IP address: example\.org/);

  const refused = await python(
    `${clients}
import time
for attempt in range(100):
    g = greeting(${server.port('pop3')}, '127.0.0.3')
    if g.startswith('-ERR'): break
    time.sleep(0.1)
print(json.dumps(g))
`,
  );
  assert.match(JSON.parse(refused) as string, /^-ERR \[SYS\/TEMP\] Too many failed logins/);
  assert.equal((await server.cli(['ban', 'del', '2001:db8:0:7::/64'])).code, 0);
  assert.equal((await server.cli(['ban', 'del', '127.0.0.3'])).code, 0);
});
