// Seeded fuzzing over a real socket (the nodemailer/smtp-server way): random and
// mutated commands pipelined in one stream and delivered in 1-, 3- and 17-octet
// chunks, before and after login. Every response must be well-formed, nothing may
// crash or report a server bug, and a valid command must work afterwards.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapFixture, PASSWORD, sampleMessage, USER, type ImapClient } from './test-support.ts';
import { prng } from '../core/testing/prng.ts';


const VALID = [
  'NOOP', 'CAPABILITY', 'ID NIL', 'LIST "" *', 'LIST (SUBSCRIBED) "" "*" RETURN (STATUS (MESSAGES))', 'LSUB "" %', 'STATUS INBOX (MESSAGES UIDNEXT UNSEEN SIZE)',
  'SELECT INBOX', 'EXAMINE INBOX', 'CREATE fuzz/box', 'RENAME fuzz/box fuzz/other', 'DELETE fuzz/other', 'SUBSCRIBE INBOX', 'NAMESPACE', 'ENABLE CONDSTORE',
  'FETCH 1:* (FLAGS UID ENVELOPE BODYSTRUCTURE)', 'FETCH 1 (BODY.PEEK[1.MIME] BODY[HEADER.FIELDS (SUBJECT)]<0.10> BINARY.PEEK[1] BINARY.SIZE[1])',
  'UID FETCH 1:* (RFC822.SIZE INTERNALDATE) (CHANGEDSINCE 1)', 'SEARCH OR SUBJECT a NOT FROM b', 'UID SEARCH RETURN (MIN MAX COUNT) 1:* SINCE 1-Jan-2000',
  'SEARCH HEADER Subject "" LARGER 10 SMALLER 100000', 'STORE 1 +FLAGS (\\Flagged)', 'UID STORE 1:* -FLAGS.SILENT (\\Flagged)', 'COPY 1 Trash', 'CHECK',
  'APPEND INBOX (\\Seen) {12+}\r\nSubject: x\r\n', 'SELECT {5+}\r\nINBOX', 'LOGIN {5+}\r\nalice "x"', `LOGIN ${USER} "${PASSWORD}"`,
  'GETQUOTAROOT INBOX', 'UNSELECT', 'EXPUNGE', 'UID EXPUNGE 99', 'SEARCH $', 'SEARCH RETURN (SAVE) ALL',
];

function mutate(line: Buffer, random: () => number): Buffer {
  const bytes = [...line];
  const steps = 1 + Math.floor(random() * 4);
  const specials = Buffer.from('(){}[]"\\*%<>+-.:$ ~0123456789');
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (bytes.length + 1));
    const b = random() < 0.5 ? specials[Math.floor(random() * specials.length)]! : Math.floor(random() * 256);
    switch (Math.floor(random() * 5)) {
      case 0: if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = b; break;
      case 1: bytes.splice(at, 0, b); break;
      case 2: bytes.splice(at, 1); break;
      case 3: bytes.splice(at, 0, ...bytes.slice(0, Math.floor(random() * 8))); break;
      case 4: bytes.length = Math.min(bytes.length, at); break;
    }
  }
  // A line feed would split the line; the fuzz is about one command per line.
  return Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b)));
}

/** Commands that legitimately end the session, start TLS, or wait (IDLE, a synchronizing literal the server accepts). */
function unsafe(line: string): boolean {
  return /\b(LOGOUT|STARTTLS|IDLE|AUTHENTICATE)\b/i.test(line) || /^(GET|POST|HEAD|PUT|OPTIONS|CONNECT)\b/i.test(line) || /\{\d+\}$/.test(line);
}

function fuzzCommands(seed: number, count: number): Buffer {
  const random = prng(seed);
  const parts: Buffer[] = [];
  let n = 0;
  while (n < count) {
    const valid = VALID[Math.floor(random() * VALID.length)]!;
    const body = random() < 0.3 ? Buffer.from(valid, 'latin1') : mutate(Buffer.from(valid, 'latin1'), random);
    const line = Buffer.concat([Buffer.from(`F${n} `), body]);
    if (unsafe(line.toString('latin1'))) continue;
    parts.push(line, Buffer.from('\r\n'));
    n++;
  }
  return Buffer.concat(parts);
}

async function writeInChunks(client: ImapClient, data: Buffer, size: number): Promise<void> {
  for (let i = 0; i < data.length; i += size) {
    client.write(data.subarray(i, i + size));
    if (i % (size * 64) === 0) await new Promise((r) => setImmediate(r));
  }
}

/** Reads until "ZZ OK"; every line must be a valid response line. */
async function drainUntilOk(client: ImapClient, tag: string): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const r = await client.response(15_000);
    seen.push(r);
    assert.match(r, /^(\* |\+ |F\d+ (OK|NO|BAD) |ZZ\d (OK|NO|BAD) )/, `malformed response ${JSON.stringify(r.slice(0, 200))}`);
    assert.doesNotMatch(r, /SERVERBUG/, r);
    if (r.startsWith(`${tag} OK`)) return seen;
    if (r.startsWith('* BYE')) return seen;
  }
}

let f: ImapFixture;
before(async () => {
  f = await ImapFixture.start({ configure: (c) => { c.imap.max_command_literal_size = 1024; c.imap.max_literal_size = 4096; } });
  await f.deliver(sampleMessage('fuzz one', 'Body\r\n'));
  const mime = 'Subject: mime\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n';
  await f.deliver(mime);
});
after(async () => {
  await f.close();
});

describe('seeded fuzz over a socket', () => {
  for (const chunk of [1, 3, 17]) {
    for (const loggedIn of [true, false]) {
      it(`${loggedIn ? 'after login' : 'before login'}, ${chunk}-octet chunks, pipelined`, async () => {
        const c = await f.connect();
        if (loggedIn) {
          await c.ok(`LOGIN ${USER} "${PASSWORD}"`);
          await c.ok('SELECT INBOX');
        }
        const input = fuzzCommands(1000 + chunk * 7 + (loggedIn ? 1 : 0), loggedIn ? 150 : 40);
        await writeInChunks(c, input, chunk);
        // A pad line consumes any small literal still awaited; then a NOOP must work.
        c.write(`${'x'.repeat(1100)}\r\nZZ1 NOOP\r\n`);
        const seen = await drainUntilOk(c, 'ZZ1');
        if (seen.some((r) => r.startsWith('* BYE'))) {
          // Before login, unknown commands end the session (as they should).
          assert.equal(loggedIn, false, seen.slice(-3).join('\n'));
          await c.closedByServer();
          return;
        }
        const tagged = seen.filter((r) => /^F\d+ /.test(r)).length;
        assert.ok(tagged > 0);
        await c.ok('NOOP');
      });
    }
  }
});
