// The attachment name (RFC 6266 §4.3, RFC 8187 §3.2) and byte ranges (RFC 9110 §14.1.2).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachmentDisposition, byteRange } from './download.ts';

test('RFC 6266 §5 / RFC 8187 §3.2.3: an ASCII fallback in filename, the exact UTF-8 name in filename*', () => {
  assert.equal(attachmentDisposition('plain.txt'), `attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`);
  // RFC 8187's own example: "£ rates" → UTF-8''%C2%A3%20rates.
  assert.equal(attachmentDisposition('£ rates'), `attachment; filename="_ rates"; filename*=UTF-8''%C2%A3%20rates`);
  // Quotes, backslashes and percent signs never reach the quoted-string; CR/LF cannot split the header.
  assert.equal(attachmentDisposition('a"b\\c%d\r\ne'), `attachment; filename="a_b_c_d__e"; filename*=UTF-8''a%22b%5Cc%25d%0D%0Ae`);
});

test('RFC 9110 §14.1.2: first-last, first-, -suffix; past the end 416; several ranges or another unit: the whole file', () => {
  assert.deepEqual(byteRange(undefined, 10_000), { kind: 'whole' });
  assert.deepEqual(byteRange('bytes=0-499', 10_000), { kind: 'partial', start: 0, end: 499 });
  assert.deepEqual(byteRange('bytes=9500-', 10_000), { kind: 'partial', start: 9500, end: 9999 });
  assert.deepEqual(byteRange('bytes=-500', 10_000), { kind: 'partial', start: 9500, end: 9999 });
  assert.deepEqual(byteRange('bytes=9500-20000', 10_000), { kind: 'partial', start: 9500, end: 9999 });
  assert.deepEqual(byteRange('bytes=-20000', 10_000), { kind: 'partial', start: 0, end: 9999 });
  assert.deepEqual(byteRange('bytes=10000-', 10_000), { kind: 'unsatisfiable' });
  assert.deepEqual(byteRange('bytes=-0', 10_000), { kind: 'unsatisfiable' });
  assert.deepEqual(byteRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  assert.deepEqual(byteRange('bytes=0-1,5-6', 10_000), { kind: 'whole' });
  assert.deepEqual(byteRange('items=0-1', 10_000), { kind: 'whole' });
  assert.deepEqual(byteRange('bytes=5-3', 10_000), { kind: 'whole' });
});
