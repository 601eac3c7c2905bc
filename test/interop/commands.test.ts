// The lecture's SMTP and POP3 command lists, each exercised by python3's smtplib and
// poplib as a user's script would call them.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;
before(async () => {
  server = await prepareSeptet({ offset: 25300, toml: '[smtp]\nmax_message_size = 20000\nvrfy = true\nexpn = true' });
  assert.equal((await server.cli(['user', 'add', 'ann@cmd.test', '--password', 'annpw'])).code, 0);
  assert.equal((await server.cli(['alias', 'add', 'team@cmd.test', 'ann@cmd.test'])).code, 0);
  await server.start();
});
after(async () => {
  await server?.stop();
});

describe('SMTP commands (smtplib)', () => {
  test('EHLO lists the extensions; HELP, NOOP, RSET, VRFY, EXPN; TURN, SEND, SOML and SAML are 502', async () => {
    const out = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
code, text = s.ehlo('client.cmd.test')
print('EHLO', code, sorted(s.esmtp_features.keys()))
print('HELP', s.help().decode().splitlines()[0][:60])
print('NOOP', s.noop()[0])
print('RSET', s.rset()[0])
print('VRFY', s.verify('ann@cmd.test'))
print('VRFY-UNKNOWN', s.verify('ghost@cmd.test')[0])
print('EXPN', s.expn('team@cmd.test'))
for verb in ('TURN', 'SEND FROM:<a@b.c>', 'SOML FROM:<a@b.c>', 'SAML FROM:<a@b.c>'):
    print(verb.split()[0], s.docmd(verb)[0])
print('BOGUS', s.docmd('FROB')[0])
print('EARLY-DATA', s.docmd('DATA')[0])
s.quit()
`,
      [String(server.port('smtp'))],
    );
    const features = /EHLO 250 \[(.*)\]/.exec(out)![1]!;
    for (const ext of ['pipelining', 'size', '8bitmime', 'smtputf8', 'enhancedstatuscodes', 'starttls', 'chunking', 'dsn']) {
      assert.match(features, new RegExp(`'${ext}'`), `EHLO lacks ${ext}`);
    }
    assert.match(out, /^HELP /m);
    assert.match(out, /^NOOP 250$/m);
    assert.match(out, /^RSET 250$/m);
    assert.match(out, /^VRFY \(250, b'.*ann@cmd\.test.*'\)$/m);
    assert.match(out, /^VRFY-UNKNOWN 550$/m);
    assert.match(out, /^EXPN \(250, b'.*ann@cmd\.test.*'\)$/m);
    for (const verb of ['TURN', 'SEND', 'SOML', 'SAML']) assert.match(out, new RegExp(`^${verb} 502$`, 'm'));
    assert.match(out, /^BOGUS 500$/m);
    assert.match(out, /^EARLY-DATA 503$/m);
  });

  test('SIZE: a declared size over the limit is refused at MAIL with 552; an undeclared one after the data', async () => {
    const out = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.ehlo('client.cmd.test')
print('LIMIT', s.esmtp_features['size'])
big = 'Subject: big\\r\\n\\r\\n' + ('y' * 998 + '\\r\\n') * 30
try:
    s.sendmail('x@example.net', ['ann@cmd.test'], big)
except smtplib.SMTPSenderRefused as e:
    print('DECLARED', e.smtp_code, e.smtp_error.decode()[:5])
s.rset()
s.mail('x@example.net'); s.rcpt('ann@cmd.test')
print('UNDECLARED', s.data(big.encode())[0])
print('AFTER', s.noop()[0])
s.quit()
`,
      [String(server.port('smtp'))],
    );
    assert.match(out, /LIMIT 20000/);
    assert.match(out, /DECLARED 552 5\.3\.4/);
    assert.match(out, /UNDECLARED 552/);
    assert.match(out, /AFTER 250/);
  });

  test('SMTPUTF8 and 8BITMIME: a UTF-8 message reaches the mailbox unchanged', async () => {
    await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
msg = 'From: Алексей <alexey@пример.рф>\\r\\nSubject: Привет\\r\\n\\r\\nТело письма\\r\\n'.encode('utf-8')
s.sendmail('alexey@пример.рф', ['ann@cmd.test'], msg, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
s.quit()
`,
      [String(server.port('smtp'))],
    );
    const out = await python(
      `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user('ann@cmd.test'); p.pass_('annpw')
n = p.stat()[0]
print(b'\\r\\n'.join(p.retr(n)[1]).decode('utf-8'))
p.quit()
`,
      [String(server.port('pop3'))],
    );
    assert.match(out, /Subject: Привет/);
    assert.match(out, /Тело письма/);
  });
});

describe('POP3 commands (poplib)', () => {
  test('STAT, LIST, UIDL, TOP, RETR, DELE, RSET, NOOP, QUIT; numbers stay stable while mail arrives', async () => {
    const out = await python(
      `
import poplib, smtplib, sys
pop_port, smtp_port = int(sys.argv[1]), int(sys.argv[2])
s = smtplib.SMTP('127.0.0.1', smtp_port)
for i in range(3):
    s.sendmail('x@example.net', ['ann@cmd.test'], 'Subject: m%d\\r\\n\\r\\nline one\\r\\n.dot line\\r\\nline three\\r\\n' % i)
p = poplib.POP3('127.0.0.1', pop_port)
p.user('ann@cmd.test'); p.pass_('annpw')
count, size = p.stat()
print('STAT', count, size)
listing = p.list()[1]
print('LIST', len(listing), sum(int(l.split()[1]) for l in listing) == size)
print('LIST1', p.list(1).decode())
uidl = p.uidl()[1]
print('UIDL-UNIQUE', len(set(l.split()[1] for l in uidl)) == count)
top = p.top(count, 1)[1]
print('TOP', top[-1].decode(), b'line three' in top)
r = p.retr(count)
print('RETR-DOT', b'.dot line' in r[1], 'OCTETS-MATCH', r[2] >= int(p.list(count).split()[2]))
# New mail during the session does not renumber.
s.sendmail('x@example.net', ['ann@cmd.test'], 'Subject: late\\r\\n\\r\\nlate\\r\\n')
print('STAT-AGAIN', p.stat()[0] == count)
p.dele(1)
try:
    p.retr(1)
except poplib.error_proto as e:
    print('RETR-DELETED', e)
print('NOOP', p.noop().decode())
p.rset()
print('AFTER-RSET', p.stat()[0] == count)
p.dele(1)
print('QUIT', p.quit().decode())
p = poplib.POP3('127.0.0.1', pop_port)
p.user('ann@cmd.test'); p.pass_('annpw')
print('NEXT-SESSION', p.stat()[0] == count)  # one deleted, one arrived
p.quit()
s.quit()
`,
      [String(server.port('pop3')), String(server.port('smtp'))],
    );
    assert.match(out, /^STAT \d+ \d+$/m);
    assert.match(out, /^LIST \d+ True$/m);
    assert.match(out, /^LIST1 \+OK 1 \d+$/m);
    assert.match(out, /^UIDL-UNIQUE True$/m);
    assert.match(out, /^TOP line one False$/m);
    assert.match(out, /^RETR-DOT True OCTETS-MATCH True$/m);
    assert.match(out, /^STAT-AGAIN True$/m);
    assert.match(out, /^RETR-DELETED b'-ERR/m);
    assert.match(out, /^NOOP \+OK/m);
    assert.match(out, /^AFTER-RSET True$/m);
    assert.match(out, /^QUIT \+OK/m);
    assert.match(out, /^NEXT-SESSION True$/m);
  });

  test('a second session on the same maildrop gets [IN-USE]', async () => {
    const out = await python(
      `
import poplib, sys
port = int(sys.argv[1])
a = poplib.POP3('127.0.0.1', port); a.user('ann@cmd.test'); a.pass_('annpw')
b = poplib.POP3('127.0.0.1', port); b.user('ann@cmd.test')
try:
    b.pass_('annpw'); print('SECOND OK')
except poplib.error_proto as e:
    print('SECOND', e)
a.quit()
`,
      [String(server.port('pop3'))],
    );
    assert.match(out, /SECOND b'-ERR \[IN-USE\]/);
  });
});
