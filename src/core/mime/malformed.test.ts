// Broken structure handled the way Dovecot's message-parser does (the sizes below
// are those its own test suite asserts for the same inputs), so BODYSTRUCTURE agrees.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMimeBuffer, type MimePart, type MimeParseOptions } from './index.ts';

/** [headerStart, header size, body size, body lines] per part, depth first. */
function shape(message: string, options?: MimeParseOptions): number[][] {
  const out: number[][] = [];
  const walk = (p: MimePart) => {
    out.push([p.headerStart, p.headerEnd - p.headerStart, p.bodyEnd - p.bodyStart, p.bodyLines]);
    if (p.message !== null) walk(p.message);
    p.children.forEach(walk);
  };
  walk(parseMimeBuffer(Buffer.from(message, 'latin1'), options));
  return out;
}

test('delimiters inside part headers end those headers (truncated MIME headers)', () => {
  const message =
    'Content-Type: multipart/mixed; boundary=":foo"\n\n--:foo\n--:foo\nContent-Type: text/plain\n--:foo\n' +
    'Content-Type: text/plain\r\n--:foo\nContent-Type: text/html\n--:foo--\n';
  assert.deepEqual(shape(message), [
    [0, 48, 112, 8],
    [55, 0, 0, 0],
    [62, 24, 0, 0],
    [94, 24, 0, 0],
    [127, 23, 0, 0],
  ]);
});

test('an outer delimiter right after a nested multipart header; the blank line is the delimiter CRLF', () => {
  const message =
    'Content-Type: multipart/mixed; boundary="ab"\n\n--ab\nContent-Type: multipart/mixed; boundary="a"\n\n' +
    '--ab\nContent-Type: text/plain\n\n--a\n\n';
  assert.deepEqual(shape(message), [
    [0, 46, 86, 8],
    [51, 44, 0, 0],
    [101, 26, 5, 2],
  ]);
});

test('multipart with no blank line, or no boundary line at all, has no children', () => {
  assert.deepEqual(shape('Content-Type: multipart/mixed; boundary="ab"\n'), [[0, 45, 0, 0]]);
  const root = parseMimeBuffer(Buffer.from('Content-Type: multipart/mixed; boundary="ab"\n\nbody\n'));
  assert.equal(root.structure, 'multipart');
  assert.equal(root.children.length, 0);
  assert.equal(root.bodyEnd - root.bodyStart, 5);
  assert.equal(parseMimeBuffer(Buffer.from('Content-Type: multipart/mixed\n\n--x\n\nhi\n')).children.length, 0);
});

test('prefix matching: longest boundary wins, the innermost on a tie, garbage after a boundary is ignored', () => {
  const dup = 'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: text/plain\n\nbody\n';
  assert.deepEqual(shape(dup), [[0, 45, 84, 7], [49, 45, 35, 4], [98, 26, 5, 1]]);
  const garbage = 'Content-Type: multipart/mixed; boundary="a"\n\n--ab\nContent-Type: multipart/mixed; boundary="a"\n\n--ac\nContent-Type: text/plain\n\nbody\n';
  assert.deepEqual(shape(garbage), [[0, 45, 86, 7], [50, 45, 36, 4], [100, 26, 5, 1]]);
  const reverse =
    'Content-Type: multipart/mixed; boundary="ab"\n\n--ab\nContent-Type: multipart/mixed; boundary="a"\n\n--a\n' +
    'Content-Type: text/plain\n\nbody\n--ab\nContent-Type: text/html\n\nbody2\n';
  assert.deepEqual(shape(reverse), [[0, 46, 121, 11], [51, 45, 34, 3], [100, 26, 4, 0], [136, 25, 6, 1]]);
});

test('boundaries longer than 80 octets are compared on their first 80', () => {
  const b = (n: number) => '1234567890'.repeat(9).slice(0, n);
  const message =
    `Content-Type: multipart/mixed; boundary="${b(82)}"\n\n--${b(82)}\nContent-Type: multipart/mixed; boundary="${b(81)}"\n\n` +
    `--${b(81)}\nContent-Type: multipart/mixed; boundary="${b(80)}"\n\n--${b(80)}\nContent-Type: text/plain\n\n1\n` +
    `--${b(82)}\nContent-Type: text/plain\n\n22\n--${b(81)}\nContent-Type: text/plain\n\n333\n--${b(80)}\nContent-Type: text/plain\n\n4444\n`;
  const parts = shape(message);
  assert.deepEqual(parts.slice(0, 3).map((p) => [p[1], p[2], p[3]]), [[126, 871, 22], [125, 661, 19], [124, 453, 16]]);
  assert.deepEqual(parts.slice(3).map((p) => p[2]), [1, 2, 3, 5]);
});

test('nesting depth limit: the too-deep container becomes a leaf holding its content', () => {
  const message =
    'Content-Type: multipart/mixed; boundary="1"\n\n--1\nContent-Type: multipart/mixed; boundary="2"\n\n--2\n' +
    'Content-Type: text/plain\n\n1\n--2\nContent-Type: text/plain\n\n22\n--1\nContent-Type: text/plain\n\n333\n';
  assert.deepEqual(shape(message, { maxDepth: 2 }), [[0, 45, 148, 15], [49, 45, 64, 7], [163, 26, 4, 1]]);
  const root = parseMimeBuffer(Buffer.from(message), { maxDepth: 2 });
  assert.equal(root.children[0]!.structure, 'leaf');
  assert.equal(root.children[0]!.mediaType, 'multipart/mixed');
  const rfc822 = 'Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nContent-Type: text/plain\n\n1\n';
  assert.deepEqual(shape(rfc822, { maxDepth: 2 }), [[0, 30, 58, 5], [30, 30, 28, 3]]);
});

test('part count limit: after the last allowed part the rest of the message belongs to it', () => {
  const message =
    'Content-Type: multipart/mixed; boundary="1"\n\n--1\nContent-Type: multipart/mixed; boundary="2"\n\n--2\n' +
    'Content-Type: text/plain\n\n1\n--2\nContent-Type: text/plain\n\n22\n--1\nContent-Type: text/plain\n\n333\n';
  assert.deepEqual(shape(message, { maxParts: 4 }).map((p) => p.slice(1)), [[45, 148, 15], [45, 99, 12], [26, 1, 0], [26, 37, 5]]);
});

test('a header without a blank line ends at EOF; an empty message is one empty part', () => {
  assert.deepEqual(shape('a:b\n'), [[0, 4, 0, 0]]);
  assert.deepEqual(shape(''), [[0, 0, 0, 0]]);
  assert.deepEqual(shape('\r\n'), [[0, 2, 0, 0]]);
  assert.deepEqual(shape('Subject: x\r\n\r\nno final line end'), [[0, 14, 17, 0]]);
});

test('a deep nesting bomb stops at maxDepth without throwing or recursing away', () => {
  const depth = 5000;
  let message = '';
  for (let i = 0; i < depth; i++) message += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
  message += 'Content-Type: text/plain\r\n\r\nbottom\r\n';
  const root = parseMimeBuffer(Buffer.from(message), { maxDepth: 50 });
  let levels = 0;
  for (let p: MimePart | undefined = root; p !== undefined; p = p.children[0]) levels++;
  assert.equal(levels, 50);
  assert.equal(root.bodyEnd, message.length);
});

test('message/rfc822 at EOF or cut by a delimiter still holds an (empty) message', () => {
  const root = parseMimeBuffer(Buffer.from('Content-Type: message/rfc822\r\n'));
  assert.equal(root.structure, 'message');
  assert.equal(root.message!.headerStart, root.bodyStart);
  assert.equal(root.message!.bodyEnd, root.bodyEnd);
});
