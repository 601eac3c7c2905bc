// The lecture's mail path with real clients: Alexey submits with python3's smtplib
// (STARTTLS + login, the lecture's example verbatim but for the host), Septet stores
// the message in Boris's mailbox, Boris takes it with poplib and curl.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl, prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;

before(async () => {
  // The relay worker is off here, so mail for other domains stays in the queue for
  // `septet queue list` to show (test/interop/relay.test.ts delivers it).
  server = await prepareSeptet({ offset: 21000, topLevelToml: 'default_domain = "gmail.com"', toml: '[relay]\nenabled = false' });
  // Users exist before the server runs and are added while it runs (both must work).
  const alexey = await server.cli(['user', 'add', 'sender@gmail.com', '--password', 'mypassword']);
  assert.equal(alexey.code, 0, alexey.stderr);
  await server.start();
  const boris = await server.cli(['user', 'add', 'receiver@gmail.com'], 'borispass\n');
  assert.equal(boris.code, 0, boris.stderr);
});

after(async () => {
  await server?.stop();
});

/** The lecture's smtplib example; only the server's address differs. */
const lectureExample = (hostPort: string) => `
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
import smtplib
msg = MIMEMultipart()
message = "Sample message"
password = "mypassword"
msg['From'] = "sender@gmail.com"
msg['To'] = "receiver@gmail.com"
msg['Subject'] = "Subscription"
msg.attach(MIMEText(message, 'plain'))
server = smtplib.SMTP('${hostPort}')
server.starttls()
server.login(msg['From'], password)
server.sendmail(msg['From'], msg['To'], msg.as_string())
server.quit()
print("successfully sent email to %s:" % (msg['To']))
`;

describe('lecture mail path', () => {
  test('smtplib submits with STARTTLS and login on the submission port (lecture example)', async () => {
    const out = await python(lectureExample(`127.0.0.1: ${server.port('submission')}`));
    assert.match(out, /successfully sent email to receiver@gmail.com/);
  });

  test('poplib (POP3 + STLS) retrieves it; DELE takes effect only after QUIT', async () => {
    const out = await python(
      `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
print(p.capa())
p.stls(context=ctx)
p.user('receiver@gmail.com'); p.pass_('borispass')
count, size = p.stat()
print('COUNT', count, 'SIZE', size)
resp, lines, octets = p.retr(1)
body = b'\\r\\n'.join(lines)
print('OCTETS', octets)
print(body.decode())
p.dele(1)
p.rset()
p.quit()
`,
      [String(server.port('pop3'))],
    );
    assert.match(out, /COUNT 1 /);
    assert.match(out, /Subject: Subscription/);
    assert.match(out, /Sample message/);
    assert.match(out, /^Received: from /m);
  });

  test('POP3_SSL with the local part alone (default domain) then DELE + QUIT removes it', async () => {
    const program = `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL('127.0.0.1', int(sys.argv[1]), context=ctx)
p.user('receiver'); p.pass_('borispass')
print('COUNT', p.stat()[0])
if len(sys.argv) > 2:
    p.dele(1)
print(p.quit())
`;
    const first = await python(program, [String(server.port('pop3s')), 'delete']);
    assert.match(first, /COUNT 1/);
    const second = await python(program, [String(server.port('pop3s'))]);
    assert.match(second, /COUNT 0/);
  });
});

describe('curl', () => {
  test('smtp:// to a local user without authentication, then pop3:// lists and retrieves it', async () => {
    const message = 'From: <outsider@example.net>\r\nTo: <receiver@gmail.com>\r\nSubject: via curl\r\n\r\n.leading dot line\r\nbody\r\n';
    const sent = await curl(['smtp://127.0.0.1:' + server.port('smtp'), '--mail-from', 'outsider@example.net', '--mail-rcpt', 'receiver@gmail.com', '-T', '-'], { input: message });
    assert.equal(sent.code, 0, sent.stderr);
    const list = await curl(['pop3://127.0.0.1:' + server.port('pop3') + '/', '-u', 'receiver@gmail.com:borispass']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^1 \d+/m);
    const retr = await curl(['pop3://127.0.0.1:' + server.port('pop3') + '/1', '-u', 'receiver@gmail.com:borispass']);
    assert.equal(retr.code, 0, retr.stderr);
    assert.match(retr.stdout, /Subject: via curl/);
    assert.match(retr.stdout, /\r\n\.leading dot line\r\n/, 'dot-stuffing is undone on both sides');
  });

  test('smtps:// (implicit TLS) with AUTH, then pop3s://', async () => {
    const message = 'From: <sender@gmail.com>\r\nTo: <receiver@gmail.com>\r\nSubject: via smtps\r\n\r\nhello\r\n';
    const sent = await curl(
      ['smtps://127.0.0.1:' + server.port('submissions'), '-k', '-u', 'sender@gmail.com:mypassword', '--mail-from', 'sender@gmail.com', '--mail-rcpt', 'receiver@gmail.com', '-T', '-'],
      { input: message },
    );
    assert.equal(sent.code, 0, sent.stderr);
    const retr = await curl(['pop3s://127.0.0.1:' + server.port('pop3s') + '/2', '-k', '-u', 'receiver@gmail.com:borispass']);
    assert.equal(retr.code, 0, retr.stderr);
    assert.match(retr.stdout, /Subject: via smtps/);
    assert.match(retr.stdout, /with ESMTPSA/);
  });

  test('smtp:// with --ssl-reqd uses STARTTLS on the submission port', async () => {
    const message = 'Subject: starttls via curl\r\n\r\nhi\r\n';
    const sent = await curl(
      ['smtp://127.0.0.1:' + server.port('submission'), '--ssl-reqd', '-k', '-u', 'sender:mypassword', '--mail-from', 'sender@gmail.com', '--mail-rcpt', 'receiver@gmail.com', '-T', '-'],
      { input: message },
    );
    assert.equal(sent.code, 0, sent.stderr);
  });
});

describe('policy with real clients', () => {
  test('no open relay: smtplib to another domain without auth is refused with 550 5.7.1', async () => {
    const out = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
try:
    s.sendmail('a@example.net', ['victim@elsewhere.example'], 'Subject: x\\r\\n\\r\\nx\\r\\n')
    print('ACCEPTED')
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients['victim@elsewhere.example']
    print('REFUSED', code, text.decode())
s.quit()
`,
      [String(server.port('smtp'))],
    );
    assert.match(out, /REFUSED 550 5\.7\.1/);
  });

  test('unknown local user is refused at RCPT with 550 5.1.1', async () => {
    const out = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.ehlo('client.example')
code, text = s.mail('a@example.net')
code, text = s.rcpt('nobody@gmail.com')
print('RCPT', code, text.decode())
s.quit()
`,
      [String(server.port('smtp'))],
    );
    assert.match(out, /RCPT 550 5\.1\.1/);
  });

  test('an authenticated user relays to another domain: the message is queued and `septet queue list` shows it', async () => {
    await python(
      `
import smtplib, ssl, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.starttls()
s.login('sender@gmail.com', 'mypassword')
s.sendmail('sender@gmail.com', ['friend@remote.example'], 'Subject: to the queue\\r\\n\\r\\nhello\\r\\n')
s.quit()
`,
      [String(server.port('submission'))],
    );
    const listed = await server.cli(['queue', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /<sender@gmail\.com>\tfriend@remote\.example/);
  });

  test('submission refuses a sender address that is not the user\'s', async () => {
    const out = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.starttls(); s.login('sender@gmail.com', 'mypassword')
code, text = s.mail('receiver@gmail.com')
print('MAIL', code, text.decode())
s.quit()
`,
      [String(server.port('submission'))],
    );
    assert.match(out, /MAIL 553 5\.7\.1/);
  });

  test('a wrong password is refused by smtplib login with 535', async () => {
    const out = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.starttls()
try:
    s.login('sender@gmail.com', 'wrong')
    print('LOGGED IN')
except smtplib.SMTPAuthenticationError as e:
    print('REFUSED', e.smtp_code)
`,
      [String(server.port('submission'))],
    );
    assert.match(out, /REFUSED 535/);
  });
});
