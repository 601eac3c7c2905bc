import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  buildEnvelope,
  decodeBodyText,
  decodeHeaderValue,
  decodeTransfer,
  findSection,
  headerValue,
  messageOfSection,
  paramValue,
  parseMimeBuffer,
  parseMimeStructure,
  type MimePart,
} from './index.ts';

const load = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const text = (source: Buffer, start: number, end: number) => source.toString('latin1', start, end);
const body = (source: Buffer, part: MimePart) => text(source, part.bodyStart, part.bodyEnd);
const mimeHeader = (source: Buffer, part: MimePart) => text(source, part.headerStart, part.headerEnd);
const section = (root: MimePart, path: string) => {
  const part = findSection(root, path.split('.').map(Number));
  assert.ok(part !== null, `section ${path} exists`);
  return part;
};

test('fixtures are CRLF only (no bare LF)', () => {
  for (const name of ['simple-text.eml', 'mixed-attachments.eml', 'nested-rfc822.eml', 'digest.eml']) {
    assert.doesNotMatch(load(name).toString('latin1'), /[^\r]\n/, name);
  }
});

test('simple text message: header range ends after the blank line, body runs to EOF', () => {
  const source = load('simple-text.eml');
  const root = parseMimeBuffer(source);
  assert.equal(root.structure, 'leaf');
  assert.equal(root.mediaType, 'text/plain');
  assert.equal(root.charset, 'us-ascii'); // RFC 2045 §5.2 default
  assert.equal(root.headerStart, 0);
  assert.ok(mimeHeader(source, root).endsWith('Message-ID: <lunch-1@example.org>\r\n\r\n'));
  assert.equal(body(source, root), 'Hello Boris,\r\n\r\nare you free for lunch on Friday?\r\n\r\nAnn\r\n');
  assert.equal(root.bodyLines, 5);
  assert.equal(root.bodyEnd, source.length);
  assert.equal(findSection(root, [1]), root); // RFC 3501 §6.4.5: part 1 of a non-multipart message is its body
  assert.equal(findSection(root, [2]), null);
  assert.equal(headerValue(root.header, 'subject'), 'Lunch on Friday?');
  // Folded Received keeps its exact octets, and its value is unfolded.
  const received = root.header.find((f) => f.lowerName === 'received')!;
  assert.equal(received.raw.toString('latin1'), text(source, received.start, received.start + received.raw.length));
  assert.match(received.raw.toString('latin1'), /\r\n\tby mx/);
  assert.doesNotMatch(received.value, /\n/);
});

test('multipart/mixed with base64 attachments: exact part bodies and line counts', () => {
  const source = load('mixed-attachments.eml');
  const root = parseMimeBuffer(source);
  assert.equal(root.structure, 'multipart');
  assert.equal(root.boundary, 'outer-boundary-1');
  assert.equal(root.children.length, 3);
  const [textPart, pdf, bin] = root.children as [MimePart, MimePart, MimePart];
  // RFC 2046 §5.1.1: the CRLF before "--outer-boundary-1" belongs to the delimiter.
  assert.equal(body(source, textPart), 'Here is the report.\r\n');
  assert.equal(textPart.bodyLines, 1);
  assert.equal(mimeHeader(source, textPart), 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n');
  assert.equal(textPart.charset, 'utf-8');

  const expectedPdf = Buffer.concat([0, 1, 2].map(() => Buffer.from(Array.from({ length: 256 }, (_, i) => i))));
  assert.deepEqual(decodeTransfer(source.subarray(pdf.bodyStart, pdf.bodyEnd), pdf.encoding), expectedPdf);
  assert.equal(pdf.bodyLines, body(source, pdf).split('\r\n').length - 1);
  assert.ok(!body(source, pdf).endsWith('\r\n'));
  assert.equal(pdf.encoding, 'base64');
  assert.equal(pdf.description, 'Quarterly report');
  assert.equal(pdf.disposition?.type, 'attachment');
  assert.equal(paramValue(pdf.disposition!.params, 'filename'), 'report.pdf');
  assert.deepEqual(pdf.rawParams, [['name', 'report.pdf']]);

  assert.equal(body(source, bin), 'AAECAwQFBgcICQ==');
  assert.equal(bin.bodyLines, 0);
  assert.equal(bin.encoding, 'BASE64'); // as written; decoders compare case-insensitively
  assert.deepEqual(decodeTransfer(source.subarray(bin.bodyStart, bin.bodyEnd), bin.encoding), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  // The epilogue after the close delimiter is part of the multipart's body.
  assert.equal(root.bodyEnd, source.length);
  assert.equal(root.bodyLines, body(source, root).split('\n').length - 1);
});

test('multipart/alternative: quoted-printable text decodes to UTF-8 for SEARCH', () => {
  const source = load('alternative.eml');
  const root = parseMimeBuffer(source);
  assert.equal(root.subtype, 'alternative');
  assert.equal(root.boundary, 'alt42'); // folded Content-Type, unquoted boundary
  const plain = section(root, '1');
  const html = section(root, '2');
  assert.equal(body(source, html), '<p>Caf=C3=A9 at <b>noon</b></p>');
  assert.equal(html.bodyLines, 0);
  assert.equal(
    decodeBodyText(source.subarray(plain.bodyStart, plain.bodyEnd), plain),
    'Café at noon, a long line that is soft broken by the quoted-printable encoder.',
  );
  assert.equal(decodeHeaderValue(headerValue(root.header, 'subject')!), 'Café meeting');
});

test('multipart/related inside multipart/mixed: nested numbering and fields', () => {
  const source = load('related-in-mixed.eml');
  const root = parseMimeBuffer(source);
  const related = section(root, '1');
  assert.equal(related.mediaType, 'multipart/related');
  assert.deepEqual(related.rawParams, [['boundary', 'rel-b'], ['type', 'text/html']]);
  assert.equal(body(source, section(root, '1.1')), '<img src="cid:logo@example.org">');
  const image = section(root, '1.2');
  assert.equal(image.id, '<logo@example.org>');
  assert.equal(image.location, 'http://example.org/logo.png');
  assert.deepEqual(decodeTransfer(source.subarray(image.bodyStart, image.bodyEnd), image.encoding).subarray(0, 4), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  // The related part ends before the CRLF that precedes the outer delimiter; its epilogue (one empty line) is inside.
  assert.ok(body(source, related).endsWith('--rel-b--\r\n'));
  const notes = section(root, '2');
  assert.equal(body(source, notes), 'notes');
  assert.deepEqual(notes.language, ['en', 'de']);
  assert.equal(notes.charset, 'us-ascii');
  assert.deepEqual(notes.rawParams, []);
  assert.equal(findSection(root, [3]), null);
  assert.equal(findSection(root, [1, 3]), null);
});

test('message/rfc822 inside multipart: nested message with its own multipart body (RFC 3501 §6.4.5)', () => {
  const source = load('nested-rfc822.eml');
  const root = parseMimeBuffer(source);
  const forwarded = section(root, '2');
  assert.equal(forwarded.structure, 'message');
  const inner = forwarded.message!;
  assert.equal(inner.headerStart, forwarded.bodyStart);
  assert.equal(inner.bodyEnd, forwarded.bodyEnd);
  assert.ok(mimeHeader(source, inner).startsWith('From: =?utf-8?B?w4VzYQ==?= <asa@example.se>\r\n'));
  assert.equal(forwarded.bodyLines, body(source, forwarded).split('\n').length - 1);
  assert.equal(messageOfSection(root, [2]), inner);
  // 2.1 and 2.2 are the parts of the inner multipart/alternative.
  const koiPart = section(root, '2.1');
  assert.equal(koiPart.charset, 'koi8-r');
  assert.equal(decodeBodyText(source.subarray(koiPart.bodyStart, koiPart.bodyEnd), koiPart), 'Привет');
  assert.equal(body(source, section(root, '2.2')), '<p>hi</p>');
  assert.equal(findSection(root, [2, 3]), null);

  const envelope = buildEnvelope(inner.header);
  assert.equal(decodeHeaderValue(envelope.subject!), 'Привет из Москвы');
  assert.equal(envelope.messageId, '<inner-5@example.se>');
  assert.deepEqual(envelope.from, [{ name: '=?utf-8?B?w4VzYQ==?=', adl: null, mailbox: 'asa', host: 'example.se' }]);
  assert.deepEqual(envelope.sender, envelope.from); // RFC 3501 §7.4.2 default
  assert.deepEqual(envelope.to, [
    { name: 'Boris B.', adl: null, mailbox: 'boris', host: 'example.net' },
    { name: null, adl: null, mailbox: 'team', host: null },
    { name: null, adl: null, mailbox: 'carol', host: 'example.com' },
    { name: null, adl: null, mailbox: 'dave', host: 'example.com' },
    { name: null, adl: null, mailbox: null, host: null },
  ]);
  assert.deepEqual(envelope.cc, [
    { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
    { name: null, adl: null, mailbox: null, host: null },
  ]);
  assert.equal(envelope.bcc, null);
});

test('RFC 2047 subjects in windows-1251 and a base64 windows-1251 body', () => {
  const source = load('cyrillic-1251.eml');
  const root = parseMimeBuffer(source);
  assert.equal(decodeHeaderValue(headerValue(root.header, 'subject')!), 'Отчёт за квартал');
  assert.equal(decodeHeaderValue(headerValue(root.header, 'from')!), 'Иван <ivan@example.ru>');
  assert.equal(decodeBodyText(source.subarray(root.bodyStart, root.bodyEnd), root), 'Добрый день! Отчёт готов.\r\n');
});

test('RFC 2231 parameter continuations with charset and language', () => {
  const source = load('rfc2231-filename.eml');
  const part = section(parseMimeBuffer(source), '1');
  assert.equal(paramValue(part.params, 'name'), 'Отчёт €.txt');
  assert.equal(paramValue(part.disposition!.params, 'filename'), 'Отчёт very long name.txt');
  // Dovecot's BODYSTRUCTURE form: joined, still encoded, plain sections %-escaped.
  assert.deepEqual(part.rawParams, [['name*', "utf-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%E2%82%AC.txt"]]);
  assert.deepEqual(part.disposition!.rawParams, [['filename*', "utf-8'ru'%D0%9E%D1%82%D1%87%D1%91%D1%82%20very long name%2Etxt"]]);
  assert.equal(body(source, part), 'data');
});

test('preamble and epilogue are neither part', () => {
  const source = load('preamble-epilogue.eml');
  const root = parseMimeBuffer(source);
  assert.equal(root.children.length, 2);
  assert.equal(body(source, section(root, '1')), 'first part');
  assert.equal(body(source, section(root, '2')), 'second part\r\n');
  assert.equal(section(root, '2').bodyLines, 1);
  assert.ok(body(source, root).startsWith('This is the preamble.'));
  assert.ok(body(source, root).endsWith('It is also ignored.\r\n'));
});

test('missing final boundary: the last part ends at EOF', () => {
  const source = load('missing-final-boundary.eml');
  const root = parseMimeBuffer(source);
  assert.equal(root.children.length, 2);
  assert.equal(body(source, section(root, '1')), 'complete part');
  assert.equal(body(source, section(root, '2')), 'this part never ends\r\nand has two lines\r\n');
  assert.equal(section(root, '2').bodyLines, 2);
  assert.equal(root.bodyEnd, source.length);
});

test('multipart/digest: parts without Content-Type are message/rfc822 (RFC 2046 §5.1.5)', () => {
  const source = load('digest.eml');
  const root = parseMimeBuffer(source);
  assert.equal(root.children.length, 2);
  for (const [i, word] of [[1, 'one'], [2, 'two']] as const) {
    const part = section(root, String(i));
    assert.equal(part.mediaType, 'message/rfc822');
    assert.equal(mimeHeader(source, part), '\r\n');
    assert.equal(body(source, section(root, `${i}.1`)), word);
  }
  assert.equal(headerValue(root.children[1]!.message!.header, 'subject'), 'second');
});

test('streaming over a Readable in odd chunks gives the same tree as one buffer', async () => {
  const source = load('nested-rfc822.eml');
  const whole = parseMimeBuffer(source);
  const chunks: Buffer[] = [];
  for (let i = 0; i < source.length; i += 7) chunks.push(source.subarray(i, i + 7));
  const streamed = await parseMimeStructure(Readable.from(chunks));
  assert.deepEqual(streamed, whole);
});

test('headers are kept up to the cap, offsets stay exact beyond it', () => {
  const big = `X-Big: ${'a'.repeat(5000)}\r\n`;
  const source = Buffer.from(`Subject: hi\r\n${big}X-After: 1\r\n\r\nbody\r\n`);
  const root = parseMimeBuffer(source, { maxHeaderBytes: 1000 });
  assert.equal(root.headerTruncated, true);
  assert.deepEqual(root.header.map((f) => f.name), ['Subject']);
  assert.equal(body(source, root), 'body\r\n');
});
