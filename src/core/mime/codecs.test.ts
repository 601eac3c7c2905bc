import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text as streamText, buffer as streamBuffer } from 'node:stream/consumers';
import { test } from 'node:test';
import {
  Base64Decoder,
  Base64LineEncoder,
  QuotedPrintableDecoder,
  QuotedPrintableEncoder,
  buildMultipart,
  createBodyTextDecoder,
  decodeCharset,
  decodeTransfer,
  encodeQuotedPrintable,
  findSection,
  isKnownCharset,
  paramValue,
  parseMimeBuffer,
} from './index.ts';

const chunked = (data: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));

test('base64 decoder: any chunking, line breaks and garbage skipped (RFC 2045 §6.8)', async () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
  const encoded = Buffer.from(data.toString('base64').replace(/.{1,76}/g, '$&\r\n') + '!!', 'latin1');
  for (const size of [1, 3, 17, 4096]) {
    assert.deepEqual(await streamBuffer(chunked(encoded, size).pipe(new Base64Decoder())), data);
  }
  assert.deepEqual(decodeTransfer(Buffer.from('SGVsbG8'), 'base64'), Buffer.from('Hello')); // missing padding
});

test('quoted-printable decoder: soft breaks, hex, trailing blanks, malformed "=" kept (RFC 2045 §6.7)', async () => {
  const cases: Array<[string, string]> = [
    ['Caf=C3=A9', 'Café'],
    ['soft =\r\nbreak', 'soft break'],
    ['padded soft = \t\r\nbreak', 'padded soft break'],
    ['trailing blanks   \r\nnext', 'trailing blanks\r\nnext'],
    ['lower =c3=a9', 'lower é'],
    ['bad =ZZ and =4', 'bad =ZZ and =4'],
    ['bare lf =\nsoft', 'bare lf soft'],
    ['ends with =', 'ends with '],
    ['a=3Db', 'a=b'],
  ];
  for (const [input, expected] of cases) {
    const bytes = Buffer.from(input, 'latin1');
    assert.equal(decodeTransfer(bytes, 'quoted-printable').toString('utf8'), expected, input);
    for (const size of [1, 2, 5]) {
      assert.equal((await streamBuffer(chunked(bytes, size).pipe(new QuotedPrintableDecoder()))).toString('utf8'), expected, `${input} / ${size}`);
    }
  }
});

test('quoted-printable encoder: 76-char lines, CRLF kept, trailing blanks encoded, round trip', async () => {
  const input = Buffer.from(`${'Grüße aus Köln = '.repeat(12)}\r\nline with trailing blank \r\n\tTab start\r\nend `, 'utf8');
  const encoded = encodeQuotedPrintable(input);
  const lines = encoded.toString('latin1').split('\r\n');
  for (const line of lines) {
    assert.ok(line.length <= 76, line);
    assert.doesNotMatch(line, /[ \t]$/);
    assert.match(line, /^[\x21-\x7e \t]*$/);
  }
  assert.ok(encoded.toString('latin1').includes('blank=20\r\n'));
  assert.ok(encoded.toString('latin1').endsWith('end=20'));
  assert.deepEqual(decodeTransfer(encoded, 'quoted-printable'), input);
  for (const size of [1, 7]) assert.deepEqual(await streamBuffer(chunked(input, size).pipe(new QuotedPrintableEncoder())), encoded);
  // A lone CR or LF is data, not a line break.
  assert.equal(encodeQuotedPrintable(Buffer.from('a\nb\rc')).toString('latin1'), 'a=0Ab=0Dc');
});

test('base64 line encoder: 76-character CRLF lines, round trip across chunkings', async () => {
  const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff));
  for (const size of [1, 56, 57, 1000]) {
    const encoded = await streamBuffer(chunked(data, size).pipe(new Base64LineEncoder()));
    const lines = encoded.toString('latin1').split('\r\n');
    assert.equal(lines.pop(), ''); // ends with CRLF
    assert.ok(lines.slice(0, -1).every((l) => l.length === 76));
    assert.deepEqual(decodeTransfer(encoded, 'base64'), data);
  }
});

test('charsets via TextDecoder: koi8-r, windows-1251, iso-8859-2; unknown falls back', () => {
  assert.equal(decodeCharset(Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), 'KOI8-R'), 'Привет');
  assert.equal(decodeCharset(Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]), 'windows-1251'), 'Привет');
  assert.equal(decodeCharset(Buffer.from([0xb1, 0xe6]), 'iso-8859-2'), 'ąć');
  assert.equal(decodeCharset(Buffer.from('Café', 'utf8'), 'x-unknown'), 'Café');
  assert.equal(decodeCharset(Buffer.from([0x43, 0x61, 0x66, 0xe9]), 'x-unknown'), 'Café');
  assert.equal(decodeCharset(Buffer.from('Café', 'utf8'), 'us-ascii'), 'Café'); // mislabeled 8-bit UTF-8
  assert.equal(isKnownCharset('koi8-r'), true);
  assert.equal(isKnownCharset('x-klingon'), false);
});

test('streaming body text decoder keeps characters split across chunks', async () => {
  const body = Buffer.from(Buffer.from('Съешь же ещё этих мягких французских булок\r\n'.repeat(20), 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n'));
  const decoder = createBodyTextDecoder({ encoding: 'base64', charset: 'utf-8', mediaType: 'text/plain' });
  const out = await streamText(chunked(body, 5).pipe(decoder));
  assert.equal(out, 'Съешь же ещё этих мягких французских булок\r\n'.repeat(20));
});

test('buildMultipart: a report that the parser reads back part by part', () => {
  const built = buildMultipart({
    type: 'report',
    params: { 'report-type': 'delivery-status' },
    parts: [
      { headers: [['Content-Type', 'text/plain; charset=utf-8']], body: 'Your message could not be delivered.\r\n' },
      { headers: [['Content-Type', 'message/delivery-status']], body: 'Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; x@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n' },
      { headers: [['Content-Type', 'text/rfc822-headers']], body: Buffer.from('Subject: hi\r\n') },
    ],
  });
  assert.match(built.boundary, /^=_septet_[0-9a-f]{24}$/);
  const message = Buffer.concat([Buffer.from(`From: MAILER-DAEMON@example.net\r\n${built.header}\r\n`), built.body]);
  const root = parseMimeBuffer(message);
  assert.equal(root.mediaType, 'multipart/report');
  assert.equal(paramValue(root.params, 'report-type'), 'delivery-status');
  assert.equal(root.children.length, 3);
  const part1 = findSection(root, [1])!;
  assert.equal(message.toString('utf8', part1.bodyStart, part1.bodyEnd), 'Your message could not be delivered.\r\n');
  assert.equal(findSection(root, [2])!.mediaType, 'message/delivery-status');
  const part3 = findSection(root, [3])!;
  assert.equal(message.toString('latin1', part3.bodyStart, part3.bodyEnd), 'Subject: hi\r\n');
});
