// The read path with real clients and a body cache far smaller than the mailbox: mail
// delivered with smtplib reads back exactly through imaplib (FETCH 1:* BODY[], and large
// messages in BODY[]<offset.16384> chunks as clients download them) and poplib (RETR),
// with evictions all along; afterwards the server holds no more descriptors of message
// bodies than store.open_body_files (counted in /proc).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { prepareSeptet, python, type SeptetProcess } from './harness.ts';

const OPEN_BODY_FILES = 4;
let server: SeptetProcess;

before(async () => {
  server = await prepareSeptet({
    offset: 21600,
    toml: ['[store]', 'body_cache_bytes = 65536', 'body_cache_max_message = 8192', `open_body_files = ${OPEN_BODY_FILES}`].join('\n'),
  });
  await server.addUsers({ 'reader@read.test': 'pw' });
  await server.start();
});
after(async () => {
  await server?.stop();
});

/** Descriptors the server process holds on files under its blob folder. */
function bodyDescriptors(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).includes('/blobs/')) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

test('smtplib in, imaplib (whole and in chunks) and poplib out, byte for byte, with a cache ~20 times smaller than the mailbox', async () => {
  const out = await python(
    `
import imaplib, json, poplib, random, re, smtplib, sys
host, smtp_port, imap_port, pop_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(3501)
def message(n, size):
    lines = [f'From: <s@example.net>', f'To: <reader@read.test>', f'Subject: read path {n}', '']
    while sum(len(l) + 2 for l in lines) < size:
        lines.append(('.' if rnd.random() < 0.1 else '') + 'y' * rnd.randrange(70))
    return ('\\r\\n'.join(lines) + '\\r\\n').encode()
sent = [message(n, 120_000 if n % 10 == 0 else 3000) for n in range(1, 61)]
with smtplib.SMTP(host, smtp_port, timeout=30) as s:
    for m in sent:
        s.sendmail('s@example.net', ['reader@read.test'], m)
result = {'imap': 0, 'chunked': 0, 'pop': 0, 'imap_second': 0}
imap = imaplib.IMAP4(host, imap_port, timeout=60)
imap.login('reader@read.test', 'pw')
imap.select('INBOX')
for key in ('imap', 'imap_second'):
    typ, data = imap.fetch('1:*', '(BODY.PEEK[])')
    bodies = [part[1] for part in data if isinstance(part, tuple)]
    assert len(bodies) == len(sent), (len(bodies), len(sent))
    result[key] = sum(1 for got, want in zip(bodies, sent) if got.endswith(want) and got.startswith(b'Received: '))
for n in range(10, 61, 10):
    typ, data = imap.fetch(str(n), '(BODY.PEEK[])')
    whole = data[0][1]
    pieces, offset = [], 0
    while True:
        typ, data = imap.fetch(str(n), f'(BODY.PEEK[]<{offset}.16384>)')
        piece = data[0][1]
        pieces.append(piece)
        offset += len(piece)
        if len(piece) < 16384:
            break
    if b''.join(pieces) == whole and whole.endswith(sent[n - 1]):
        result['chunked'] += 1
imap.logout()
pop = poplib.POP3(host, pop_port, timeout=60)
pop.user('reader@read.test'); pop.pass_('pw')
count, _ = pop.stat()
for i in range(1, count + 1):
    got = b'\\r\\n'.join(pop.retr(i)[1]) + b'\\r\\n'
    if got.endswith(sent[i - 1]):
        result['pop'] += 1
pop.quit()
print(json.dumps(result))
`,
    [server.listen, String(server.port('smtp')), String(server.port('imap')), String(server.port('pop3'))],
    120_000,
  );
  assert.deepEqual(JSON.parse(out), { imap: 60, imap_second: 60, chunked: 6, pop: 60 });
  assert.ok(server.pid !== undefined);
  const held = bodyDescriptors(server.pid);
  assert.ok(held <= OPEN_BODY_FILES, `the server holds ${held} descriptors of message bodies (bound ${OPEN_BODY_FILES})`);
});
