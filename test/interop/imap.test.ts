// IMAP on the running server, over the same mailboxes that SMTP delivers into and
// POP3 reads: python3's imaplib and curl, with a delivery reaching IDLE at once and a
// POP3 deletion reaching a selected IMAP session.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl, prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;
before(async () => {
  server = await prepareSeptet({ offset: 26000 });
  assert.equal((await server.cli(['user', 'add', 'boris@imap.test', '--password', 'borispw'])).code, 0);
  await server.start();
});
after(async () => {
  await server?.stop();
});

test('imaplib over STARTTLS and IMAP4_SSL: mail delivered by SMTP is listed, fetched, flagged, copied and expunged', async () => {
  const out = await python(
    `
import imaplib, smtplib, ssl, sys
imap_port, imaps_port, smtp_port = map(int, sys.argv[1:4])
s = smtplib.SMTP('127.0.0.1', smtp_port)
s.sendmail('alexey@example.net', ['boris@imap.test'], 'From: Alexey <alexey@example.net>\\r\\nSubject: =?utf-8?B?0J/RgNC40LLQtdGC?=\\r\\n\\r\\nHello Boris\\r\\n')
s.quit()
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4('127.0.0.1', imap_port)
print('CAPS', ' '.join(m.capabilities))
m.starttls(ssl_context=ctx)
m.login('boris@imap.test', 'borispw')
typ, boxes = m.list()
print('LIST', b' '.join(boxes).decode())
typ, data = m.select('INBOX')
print('SELECT', data[0].decode())
typ, data = m.fetch('1', '(FLAGS ENVELOPE BODY.PEEK[TEXT])')
print('FETCH', data[0][0].decode())
print('TEXT', data[0][1].decode().strip())
m.store('1', '+FLAGS', '(\\\\Flagged)')
typ, data = m.search(None, 'FLAGGED')
print('SEARCH', data[0].decode())
print('COPY', m.copy('1', 'Archive')[0])
m.store('1', '+FLAGS', '(\\\\Deleted)')
print('EXPUNGE', m.expunge()[1])
print('STATUS', m.status('Archive', '(MESSAGES UNSEEN)')[1][0].decode())
m.logout()
m = imaplib.IMAP4_SSL('127.0.0.1', imaps_port, ssl_context=ctx)
m.login('boris@imap.test', 'borispw')
typ, data = m.select('Archive', readonly=True)
print('ARCHIVE', data[0].decode())
m.logout()
`,
    [String(server.port('imap')), String(server.port('imaps')), String(server.port('smtp'))],
  );
  assert.match(out, /CAPS .*IMAP4REV1.*STARTTLS/);
  assert.match(out, /LIST .*\\Sent.*"Sent"|LIST .*Sent/);
  assert.match(out, /SELECT 1/);
  assert.match(out, /FETCH .*ENVELOPE/);
  assert.match(out, /TEXT Hello Boris/);
  assert.match(out, /SEARCH 1/);
  assert.match(out, /COPY OK/);
  assert.match(out, /EXPUNGE \[b'1'\]/);
  assert.match(out, /STATUS "?Archive"? \(MESSAGES 1 UNSEEN 1\)/);
  assert.match(out, /ARCHIVE 1/);
});

test('a delivery reaches a client in IDLE at once, and a POP3 deletion reaches a selected session', async () => {
  const out = await python(
    `
import imaplib, poplib, smtplib, sys, time
imap_port, smtp_port, pop_port = map(int, sys.argv[1:4])
m = imaplib.IMAP4('127.0.0.1', imap_port)
m.login('boris@imap.test', 'borispw')
typ, data = m.select('INBOX')
before = int(data[0])
tag = m._new_tag().decode()
m.send(('%s IDLE\\r\\n' % tag).encode())
print('IDLE', m.readline().decode().strip())
s = smtplib.SMTP('127.0.0.1', smtp_port)
s.sendmail('alexey@example.net', ['boris@imap.test'], 'Subject: while idling\\r\\n\\r\\nhi\\r\\n')
s.quit()
m.sock.settimeout(20)
print('PUSHED', m.readline().decode().strip(), 'EXPECTED', before + 1)
m.send(b'DONE\\r\\n')
while True:
    line = m.readline().decode()
    if line.startswith(tag):
        print('DONE', line.strip()); break
p = poplib.POP3('127.0.0.1', pop_port)
p.user('boris@imap.test'); p.pass_('borispw')
n = p.stat()[0]
p.dele(n)
p.quit()
typ, data = m.noop()
print('AFTER-POP3', [d.decode() for d in m.untagged_responses.get('EXPUNGE', [])] or data)
m.logout()
`,
    [String(server.port('imap')), String(server.port('smtp')), String(server.port('pop3'))],
  );
  assert.match(out, /IDLE \+ /);
  const pushed = /PUSHED \* (\d+) EXISTS EXPECTED (\d+)/.exec(out);
  assert.ok(pushed, out);
  assert.equal(pushed[1], pushed[2]);
  assert.match(out, /DONE \S+ OK/);
  assert.match(out, /AFTER-POP3 \['\d+'\]/);
});

test('curl lists mailboxes and fetches a message over imap:// and imaps://', async () => {
  const list = await curl(['imap://127.0.0.1:' + server.port('imap') + '/', '--ssl-reqd', '-k', '-u', 'boris@imap.test:borispw']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /INBOX/);
  assert.match(list.stdout, /Archive/);
  const fetched = await curl(['imaps://127.0.0.1:' + server.port('imaps') + '/Archive;UID=1', '-k', '-u', 'boris@imap.test:borispw']);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.match(fetched.stdout, /Hello Boris/);
});

test('quota: `septet user quota` is reported by IMAP GETQUOTAROOT and enforced at SMTP delivery', async () => {
  assert.equal((await server.cli(['user', 'add', 'small@imap.test', '--password', 'smallpw'])).code, 0);
  const set = await server.cli(['user', 'quota', 'small@imap.test', '4096']);
  assert.equal(set.code, 0, set.stderr);
  const out = await python(
    `
import imaplib, smtplib, sys
imap_port, smtp_port = map(int, sys.argv[1:3])
s = smtplib.SMTP('127.0.0.1', smtp_port)
s.sendmail('x@example.net', ['small@imap.test'], 'Subject: fits\\r\\n\\r\\n' + 'a' * 1000 + '\\r\\n')
try:
    s.sendmail('x@example.net', ['small@imap.test'], 'Subject: too big\\r\\n\\r\\n' + 'b' * 5000 + '\\r\\n')
    print('ACCEPTED')
except smtplib.SMTPDataError as e:
    print('REFUSED', e.smtp_code, e.smtp_error.decode()[:5])
s.quit()
m = imaplib.IMAP4('127.0.0.1', imap_port)
m.login('small@imap.test', 'smallpw')
typ, data = m.getquotaroot('INBOX')
print('QUOTA', [d.decode() if isinstance(d, bytes) else d for d in data])
m.logout()
`,
    [String(server.port('imap')), String(server.port('smtp'))],
  );
  assert.match(out, /REFUSED 5\d\d 5\.2\.2|REFUSED 4\d\d 4\.2\.2/);
  assert.match(out, /STORAGE \d+ 4/);
});
