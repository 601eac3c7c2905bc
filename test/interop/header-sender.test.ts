// The From a reader sees belongs to the sender (RFC 6409 §6.1, issue 9): python3's
// smtplib submits over STARTTLS + AUTH on port 587 as alice; her own From: is
// delivered, Boris's From: or Sender: is refused after DATA with 553 5.7.1 naming
// the header and never stored; after `septet user sendas alice@... on` (the CLI,
// while the server runs) a shared address of her domain is accepted.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;

before(async () => {
  server = await prepareSeptet({ offset: 12000, toml: '[relay]\nenabled = false' });
  for (const [user, password] of [['alice@from.test', 'alicepw'], ['boris@from.test', 'borispw']]) {
    const added = await server.cli(['user', 'add', user!, '--password', password!]);
    assert.equal(added.code, 0, added.stderr);
  }
  await server.start();
});

after(async () => {
  await server?.stop();
});

/** Submits as alice with smtplib; prints "SENT" or "REFUSED code text". */
const submit = `
import smtplib, ssl, sys
from email.message import EmailMessage
port, from_header, sender_header = int(sys.argv[1]), sys.argv[2], sys.argv[3]
msg = EmailMessage()
msg['From'] = from_header
if sender_header: msg['Sender'] = sender_header
msg['To'] = 'boris@from.test'
msg['Subject'] = 'from ' + from_header
msg.set_content('hello')
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.0.0.1', port)
s.starttls(context=ctx)
s.login('alice@from.test', 'alicepw')
try:
    s.send_message(msg, 'alice@from.test', ['boris@from.test'])
    print('SENT')
except smtplib.SMTPDataError as e:
    print('REFUSED', e.smtp_code, e.smtp_error.decode())
s.quit()
`;

const send = (from: string, sender = ''): Promise<string> => python(submit, [String(server.port('submission')), from, sender]);

/** Subjects of the messages in Boris's mailbox, with poplib. */
async function borisSubjects(): Promise<string[]> {
  const out = await python(
    `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user('boris@from.test'); p.pass_('borispw')
for i in range(1, p.stat()[0] + 1):
    for line in p.top(i, 0)[1]:
        if line.lower().startswith(b'subject:'): print(line.decode())
p.quit()
`,
    [String(server.port('pop3'))],
  );
  return out.split('\n').filter((l) => l !== '');
}

describe('submission header sender binding with smtplib (STARTTLS + AUTH)', () => {
  test('own From is accepted, a foreign From or Sender refused with 553 5.7.1 and not stored', async () => {
    assert.equal((await send('Alice <alice@from.test>')).trim(), 'SENT');
    assert.equal((await send('Boris <boris@from.test>')).trim(), 'REFUSED 553 5.7.1 From: header address boris@from.test not owned by alice@from.test');
    assert.equal((await send('alice@from.test', 'boris@from.test')).trim(), 'REFUSED 553 5.7.1 Sender: header address boris@from.test not owned by alice@from.test');
    assert.equal((await send('Shared <team@from.test>')).trim(), 'REFUSED 553 5.7.1 From: header address team@from.test not owned by alice@from.test');
    assert.deepEqual(await borisSubjects(), ['Subject: from Alice <alice@from.test>']);
  });

  test('after `septet user sendas alice@from.test on` an address of her domain is accepted; off again refuses it', async () => {
    const on = await server.cli(['user', 'sendas', 'alice@from.test', 'on']);
    assert.equal(on.code, 0, on.stderr);
    assert.equal(on.stdout, 'alice@from.test may send as any address of from.test\n');
    assert.match((await server.cli(['user', 'list'])).stdout, /^alice@from\.test\tsend-as-domain$/m);
    assert.equal((await send('Shared <team@from.test>')).trim(), 'SENT');
    assert.equal((await send('alice@from.test', 'boris@from.test')).trim(), 'SENT');
    assert.equal((await send('someone@elsewhere.example')).trim(), 'REFUSED 553 5.7.1 From: header address someone@elsewhere.example not owned by alice@from.test');
    const off = await server.cli(['user', 'sendas', 'alice@from.test', 'off']);
    assert.equal(off.code, 0, off.stderr);
    assert.match((await send('Shared <team@from.test>')).trim(), /^REFUSED 553 5\.7\.1 From: header address team@from\.test/);
    assert.deepEqual(await borisSubjects(), ['Subject: from Alice <alice@from.test>', 'Subject: from Shared <team@from.test>', 'Subject: from alice@from.test']);
  });
});
