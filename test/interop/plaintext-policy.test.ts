// No login over plaintext off loopback: the listeners take a PROXY protocol header
// (as behind HAProxy), which makes the client appear to come from 192.0.2.1, an
// address that is not loopback. python3's smtplib and poplib, with the header sent
// first, must then see no AUTH / USER before TLS, and succeed after it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl, prepareSeptet, python, type SeptetProcess } from './harness.ts';

let server: SeptetProcess;
before(async () => {
  server = await prepareSeptet({
    offset: 23000,
    // The test's own client is the trusted proxy (proxy_trusted_networks), claiming a remote address.
    toml: ['submission', 'pop3', 'smtp'].map((s) => `[${s}]\nproxy_protocol = true\nproxy_trusted_networks = ["127.0.0.1/32"]`).join('\n'),
  });
  assert.equal((await server.cli(['user', 'add', 'remote@proxy.test', '--password', 'secret'])).code, 0);
  await server.start();
});
after(async () => {
  await server?.stop();
});

const proxyPrelude = `
import smtplib, socket
PROXY = b'PROXY TCP4 192.0.2.1 127.0.0.1 40000 %d\\r\\n'
def proxied(port):
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(PROXY % port)
    return s
class ProxiedSMTP(smtplib.SMTP):
    def _get_socket(self, host, port, timeout):
        return proxied(port)
`;

test('smtplib from a non-loopback address: AUTH only after STARTTLS', async () => {
  const out = await python(
    proxyPrelude +
      `
import smtplib, sys
port = int(sys.argv[1])
s = ProxiedSMTP('127.0.0.1', port)
s.ehlo('client.example')
print('AUTH BEFORE TLS', s.has_extn('auth'))
try:
    s.login('remote@proxy.test', 'secret')
    print('LOGIN BEFORE TLS OK')
except smtplib.SMTPException as e:
    print('LOGIN BEFORE TLS REFUSED', type(e).__name__)
code, text = s.docmd('AUTH', 'PLAIN AHJlbW90ZUBwcm94eS50ZXN0AHNlY3JldA==')
print('RAW AUTH', code, text.decode())
s.starttls()
s.ehlo('client.example')
print('AUTH AFTER TLS', s.has_extn('auth'))
s.login('remote@proxy.test', 'secret')
print('LOGIN AFTER TLS OK')
s.quit()
`,
    [String(server.port('submission'))],
  );
  assert.match(out, /AUTH BEFORE TLS False/);
  assert.match(out, /LOGIN BEFORE TLS REFUSED/);
  assert.match(out, /RAW AUTH 538 5\.7\.11/);
  assert.match(out, /AUTH AFTER TLS True/);
  assert.match(out, /LOGIN AFTER TLS OK/);
});

test('poplib from a non-loopback address: USER refused and not in CAPA before STLS', async () => {
  const out = await python(
    proxyPrelude +
      `
import poplib, ssl, sys
port = int(sys.argv[1])
class ProxiedPOP3(poplib.POP3):
    def _create_socket(self, timeout):
        return proxied(port)
p = ProxiedPOP3('127.0.0.1', port)
caps = p.capa()
print('CAPA', sorted(caps.keys()))
try:
    p.user('remote@proxy.test')
    p.pass_('secret')
    print('LOGIN BEFORE TLS OK')
except poplib.error_proto as e:
    print('LOGIN BEFORE TLS REFUSED', e)
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p.stls(context=ctx)
print('CAPA AFTER', sorted(p.capa().keys()))
p.user('remote@proxy.test'); p.pass_('secret')
print('LOGIN AFTER TLS OK', p.stat())
p.quit()
`,
    [String(server.port('pop3'))],
  );
  assert.match(out, /CAPA \[.*'STLS'.*\]/);
  assert.doesNotMatch(out.split('\n').find((l) => l.startsWith('CAPA ['))!, /'USER'/);
  assert.match(out, /LOGIN BEFORE TLS REFUSED/);
  assert.match(out, /CAPA AFTER \[.*'USER'.*\]/);
  assert.match(out, /LOGIN AFTER TLS OK/);
});

test('the MTA port still takes mail for local users from a non-loopback address without AUTH', async () => {
  const out = await python(
    proxyPrelude +
      `
import smtplib, sys
port = int(sys.argv[1])
s = ProxiedSMTP('127.0.0.1', port)
print(s.sendmail('someone@example.net', ['remote@proxy.test'], 'Subject: from afar\\r\\n\\r\\nhi\\r\\n'))
try:
    s.sendmail('someone@example.net', ['other@elsewhere.example'], 'Subject: relay\\r\\n\\r\\nhi\\r\\n')
    print('RELAYED')
except smtplib.SMTPRecipientsRefused as e:
    print('RELAY REFUSED', e.recipients['other@elsewhere.example'][0])
s.quit()
`,
    [String(server.port('smtp'))],
  );
  assert.match(out, /^\{\}$/m);
  assert.match(out, /RELAY REFUSED 550/);
  // curl also speaks the PROXY protocol (it sends its own loopback address).
  const retr = await curl(['pop3://127.0.0.1:' + server.port('pop3') + '/1', '--haproxy-protocol', '-u', 'remote@proxy.test:secret']);
  assert.equal(retr.code, 0, retr.stderr);
  assert.match(retr.stdout, /Subject: from afar/);
});
