// The message builder of the webmail: header encodings (RFC 2047, RFC 2231, RFC 5322
// folding), the text's transfer encoding, multipart/mixed with base64 attachments, and
// that our own structure parser reads back what was built.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { int, pick, prng } from '../testing/prng.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { encodedWords, encodePhrase, encodeUnstructured, foldField, parameterSegments } from './header-encoding.ts';
import { buildMessage, encodeText } from './message-builder.ts';
import { parseMimeBuffer } from './structure-parser.ts';
import { paramValue } from './part.ts';
import { decodeTransfer } from './transfer-decoding.ts';

test('RFC 2047 §2: every encoded word is at most 75 characters and no UTF-8 sequence is split', () => {
  const subject = 'Grüße aus Köln — ' + '€😀'.repeat(30);
  const words = encodedWords(subject);
  assert.ok(words.length > 1);
  for (const w of words) {
    assert.ok(w.length <= 75, w);
    const inner = Buffer.from(w.slice('=?UTF-8?B?'.length, -2), 'base64');
    assert.equal(Buffer.from(inner.toString('utf8'), 'utf8').compare(inner), 0, 'each word decodes alone');
  }
  assert.equal(decodeEncodedWords(words.join(' ')), subject);
});

test('RFC 2047 §5: ASCII subjects stay readable; text that looks encoded is encoded; names are phrases', () => {
  assert.equal(encodeUnstructured('Hello Boris'), 'Hello Boris');
  assert.match(encodeUnstructured('about =?x?'), /^=\?UTF-8\?B\?/);
  assert.equal(encodePhrase('Alexey Petrov'), 'Alexey Petrov');
  assert.equal(encodePhrase('Petrov, Alexey'), '"Petrov, Alexey"');
  assert.equal(decodeEncodedWords(encodePhrase('Алексей')), 'Алексей');
});

test('RFC 5322 §2.2.3: long fields fold at blanks into lines of at most 78 characters', () => {
  const value = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
  const folded = foldField('Subject', value);
  for (const line of folded.split('\r\n').filter(Boolean)) assert.ok(line.length <= 78, line);
  assert.equal(folded.replace(/\r\n /g, ' '), `Subject: ${value}\r\n`);
});

test('RFC 2231: non-ASCII and long file names become charset, percent-encoded continuations', () => {
  assert.deepEqual(parameterSegments('filename', 'report.pdf'), ['filename=report.pdf']);
  assert.deepEqual(parameterSegments('filename', 'my report.pdf'), ['filename="my report.pdf"']);
  assert.deepEqual(parameterSegments('filename', '€.txt'), ["filename*=utf-8''%E2%82%AC.txt"]);
  const long = parameterSegments('filename', 'Отчёт за квартал номер один.pdf');
  assert.ok(long.length > 1);
  long.forEach((s, i) => assert.ok(s.startsWith(`filename*${i}*=`), s));
  const parsed = parseMimeBuffer(Buffer.from(`Content-Type: application/pdf;\r\n\t${long.join(';\r\n\t')}\r\n\r\nx`));
  assert.equal(paramValue(parsed.params, 'filename'), 'Отчёт за квартал номер один.pdf');
});

test('RFC 2045 §6: ASCII text is 7bit; mostly-ASCII UTF-8 is quoted-printable; mostly non-Latin text is base64', () => {
  assert.equal(encodeText('Hello\nBoris').encoding, '7bit');
  assert.equal(encodeText('Hello\nBoris').body.toString(), 'Hello\r\nBoris\r\n');
  assert.equal(encodeText('Grüße, Boris').encoding, 'quoted-printable');
  assert.equal(encodeText('Привет, Борис! Как дела?').encoding, 'base64');
  assert.equal(encodeText('x'.repeat(1200)).encoding, 'quoted-printable', 'lines over 998 characters are encoded');
});

test('multipart/mixed: text first, attachments in base64 lines of 76 characters, read back by the structure parser', async () => {
  const data = Buffer.alloc(5000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
  const chunks: Buffer[] = [];
  for await (const chunk of buildMessage({
    from: { name: 'Алексей', address: 'alexey@example.org' },
    to: [{ address: 'boris@example.org' }],
    cc: [{ name: 'Carol', address: 'carol@example.org' }],
    subject: 'Письмо',
    text: 'Привет, Борис!',
    date: new Date(0),
    messageId: '<1@example.org>',
    hasAttachments: true,
    attachments: [{ filename: 'données.bin', contentType: 'application/octet-stream', content: [data.subarray(0, 100), data.subarray(100)] }],
    formatDate: () => 'Thu, 1 Jan 1970 00:00:00 +0000',
  })) chunks.push(chunk);
  const message = Buffer.concat(chunks);
  assert.ok(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(message.toString('latin1')), 'seven-bit clean');
  for (const line of message.toString('latin1').split('\r\n')) assert.ok(line.length <= 78, line);
  const root = parseMimeBuffer(message);
  assert.equal(root.mediaType, 'multipart/mixed');
  assert.equal(root.children.length, 2);
  const [text, file] = root.children;
  assert.equal(text!.mediaType, 'text/plain');
  assert.equal(decodeTransfer(message.subarray(text!.bodyStart, text!.bodyEnd), text!.encoding).toString('utf8'), 'Привет, Борис!\r\n');
  assert.equal(file!.encoding, 'base64');
  assert.equal(paramValue(file!.disposition!.params, 'filename'), 'données.bin');
  const lines = message.subarray(file!.bodyStart, file!.bodyEnd).toString('latin1').split('\r\n').filter(Boolean);
  assert.ok(lines.slice(0, -1).every((l) => l.length === 76));
  assert.deepEqual(decodeTransfer(message.subarray(file!.bodyStart, file!.bodyEnd), 'base64'), data);
});

const PIECES = ['a', 'Z', ' ', '  ', '"', '\\', ',', ';', ':', '<', '>', '@', '(', ')', '=?', '?=', '_', '%', "'", '*', 'é', 'ß', 'Ж', '€', '中文', '😀', 'e\u0301', '\t', 'word', 'longerword'];

function randomText(rand: () => number, max: number): string {
  let text = '';
  const n = 1 + int(rand, max);
  for (let i = 0; i < n; i++) text += pick(rand, PIECES);
  return text;
}

test('seeded: python\'s email package reads back every random Subject, display name and file name as given', async () => {
  const rand = prng(2047);
  const dir = await mkdtemp(join(tmpdir(), 'septet-builder-'));
  try {
    const expected: { subject: string; name: string; filename: string }[] = [];
    for (let i = 0; i < 40; i++) {
      // Python folds runs of blanks in unstructured values; the builder keeps them, so compare single-spaced text with no tabs.
      const subject = randomText(rand, 30).replace(/\t/g, ' ').replace(/ +/g, ' ').trim() || 'x';
      const name = randomText(rand, 12).replace(/\t/g, ' ').replace(/ +/g, ' ').trim() || 'n';
      const filename = randomText(rand, 40).replace(/\t/g, '').trim() || 'f';
      expected.push({ subject, name, filename });
      const chunks: Buffer[] = [];
      for await (const chunk of buildMessage({
        from: { name, address: 'a@example.org' },
        to: [{ address: 'b@example.org' }],
        subject,
        text: 'x',
        date: new Date(0),
        messageId: `<${i}@example.org>`,
        hasAttachments: true,
        attachments: [{ filename, contentType: 'application/octet-stream', content: [Buffer.from([i])] }],
        formatDate: () => 'Thu, 1 Jan 1970 00:00:00 +0000',
      })) chunks.push(chunk);
      await writeFile(join(dir, `${i}.eml`), Buffer.concat(chunks));
    }
    const program = `
import sys, json, os
from email import policy
from email.parser import BytesParser
out = []
for i in range(int(sys.argv[2])):
    m = BytesParser(policy=policy.default).parse(open(os.path.join(sys.argv[1], f'{i}.eml'), 'rb'))
    a = next(m.iter_attachments())
    out.append({'subject': str(m['subject']), 'name': m['from'].addresses[0].display_name, 'filename': a.get_filename(), 'addr': m['from'].addresses[0].addr_spec, 'defects': len(m.defects) + len(m['from'].defects)})
print(json.dumps(out))
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', program, dir, String(expected.length)]);
    const got = JSON.parse(stdout) as { subject: string; name: string; filename: string; addr: string; defects: number }[];
    got.forEach((g, i) => {
      assert.equal(g.subject, expected[i]!.subject, `subject ${i}`);
      assert.equal(g.name, expected[i]!.name, `name ${i}`);
      assert.equal(g.filename, expected[i]!.filename, `filename ${i}`);
      assert.equal(g.addr, 'a@example.org');
      assert.equal(g.defects, 0, `defects ${i}`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
