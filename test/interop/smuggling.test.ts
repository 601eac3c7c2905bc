// SMTP smuggling with a real client: python3's smtplib opens the transaction and
// then writes the raw data itself (smtplib's own sendmail would fix the line ends),
// with "\n.\n" and a second, forged MAIL FROM behind it. Two servers: the default
// (smtp.bare_newline = "reject": 550 5.5.2 at the real end of the data) and
// "normalize" (one message, the attempt inside it as text). poplib counts what landed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

const servers: Record<'reject' | 'normalize', SeptetProcess | null> = { reject: null, normalize: null };
before(async () => {
  for (const [mode, offset] of [['reject', 11000], ['normalize', 11100]] as const) {
    const server = await prepareSeptet({ offset, toml: mode === 'normalize' ? '[smtp]\nbare_newline = "normalize"' : '' });
    assert.equal((await server.cli(['user', 'add', 'bob@smuggle.test', '--password', 'secret'])).code, 0);
    assert.equal((await server.cli(['user', 'add', 'admin@smuggle.test', '--password', 'secret'])).code, 0);
    await server.start();
    servers[mode] = server;
  }
});
after(async () => {
  await servers.reject?.stop();
  await servers.normalize?.stop();
});

const SCRIPT = `
import smtplib, poplib, sys
smtp_port, pop_port, fake = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode().decode('unicode_escape').encode('latin1')
s = smtplib.SMTP('127.0.0.1', smtp_port)
s.ehlo('client.example')
print('MAIL', s.mail('alice@client.example')[0])
print('RCPT', s.rcpt('bob@smuggle.test')[0])
print('DATA', s.docmd('DATA')[0])
s.send(b'From: alice@client.example\\r\\nSubject: legit\\r\\n\\r\\nlegit' + fake +
       b'MAIL FROM:<admin@smuggle.test>\\r\\nRCPT TO:<bob@smuggle.test>\\r\\nDATA\\r\\n'
       b'From: admin@smuggle.test\\r\\nSubject: forged\\r\\n\\r\\nforged\\r\\n.\\r\\n')
code, text = s.getreply()
print('END', code, text.decode())
# A smuggled MAIL FROM would have opened a transaction: RCPT would then be accepted.
print('AFTER RCPT', s.rcpt('bob@smuggle.test')[0])
code, text = s.docmd('NOOP')
print('NOOP', code)
s.send(b'NOOP\\n')
code, text = s.getreply()
print('BARE LF COMMAND', code, text.decode())
try:
    s.quit()
except smtplib.SMTPServerDisconnected:
    print('DISCONNECTED')
p = poplib.POP3('127.0.0.1', pop_port)
p.user('bob@smuggle.test'); p.pass_('secret')
count = p.stat()[0]
print('MESSAGES', count)
for i in range(1, count + 1):
    body = b'\\n'.join(p.retr(i)[1])
    print('HAS FORGED TEXT', b'MAIL FROM:<admin@smuggle.test>' in body, b'Subject: legit' in body)
p.quit()
`;

async function attempt(mode: 'reject' | 'normalize', fake: string): Promise<string> {
  const server = servers[mode]!;
  return python(SCRIPT, [String(server.port('smtp')), String(server.port('pop3')), fake]);
}

describe('SMTP smuggling, python smtplib', () => {
  test('reject (default): "\\n.\\n" does not end the data; 550 5.5.2, the forged MAIL FROM is no transaction, nothing delivered', async () => {
    const out = await attempt('reject', '\\n.\\n');
    assert.match(out, /^MAIL 250$/m);
    assert.match(out, /^DATA 354$/m);
    assert.match(out, /^END 550 5\.5\.2 /m);
    assert.match(out, /^AFTER RCPT 503$/m);
    assert.match(out, /^NOOP 250$/m);
    assert.match(out, /^BARE LF COMMAND 550 5\.5\.2 /m);
    assert.match(out, /^MESSAGES 0$/m);
  });

  test('reject: "\\r\\n.\\n" (the Postfix CVE variant) is refused the same way', async () => {
    const out = await attempt('reject', '\\r\\n.\\n');
    assert.match(out, /^END 550 5\.5\.2 /m);
    assert.match(out, /^AFTER RCPT 503$/m);
    assert.match(out, /^MESSAGES 0$/m);
  });

  test('normalize: accepted as one message, the smuggled transaction stays text inside it; bare-LF commands work', async () => {
    const out = await attempt('normalize', '\\n.\\n');
    assert.match(out, /^END 250 2\.0\.0 /m);
    assert.match(out, /^AFTER RCPT 503$/m);
    assert.match(out, /^BARE LF COMMAND 250 /m);
    assert.match(out, /^MESSAGES 1$/m);
    assert.match(out, /^HAS FORGED TEXT True True$/m);
  });
});
