import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptOack, negotiate } from './options.ts';
import { ErrorCode, TftpError } from './replies.ts';

const limits = { maxBlksize: 1468, maxWindowsize: 16, maxFileSize: 1000 };
const opts = (pairs: [string, string][]) => new Map(pairs);

test('RFC 2348/7440: blksize and windowsize are lowered to the server maximum, never raised', () => {
  const n = negotiate(opts([['blksize', '65464'], ['windowsize', '64']]), 'read', 'octet', 10, limits);
  assert.equal(n.blksize, 1468);
  assert.equal(n.windowsize, 16);
  assert.deepEqual(n.oack, [['blksize', '1468'], ['windowsize', '16']]);
  assert.equal(negotiate(opts([['blksize', '8']]), 'read', 'octet', 10, limits).blksize, 8);
});

test('RFC 2349: tsize answers the file size on RRQ (octet only), echoes it on WRQ', () => {
  assert.deepEqual(negotiate(opts([['tsize', '0']]), 'read', 'octet', 4242, limits).oack, [['tsize', '4242']]);
  assert.deepEqual(negotiate(opts([['tsize', '0']]), 'read', 'netascii', 4242, limits).oack, []);
  assert.deepEqual(negotiate(opts([['tsize', '999']]), 'write', 'octet', null, limits).oack, [['tsize', '999']]);
});

test('RFC 2349: a WRQ whose tsize exceeds the limit is refused with error 3', () => {
  assert.throws(() => negotiate(opts([['tsize', '1001']]), 'write', 'octet', null, limits), (e: unknown) => e instanceof TftpError && e.code === ErrorCode.diskFull);
});

test('RFC 2349: the timeout option is honoured in seconds, 1 to 255', () => {
  const n = negotiate(opts([['timeout', '3']]), 'read', 'octet', 1, limits);
  assert.equal(n.timeoutMs, 3000);
  assert.deepEqual(n.oack, [['timeout', '3']]);
});

test('RFC 2347: unknown options are ignored; no OACK when nothing is acknowledged', () => {
  const n = negotiate(opts([['multicast', ''], ['rollover', '0']]), 'read', 'octet', 1, limits);
  assert.deepEqual(n.oack, []);
  assert.equal(n.blksize, 512);
});

test('bogus values of known options are refused with error 8', () => {
  for (const [name, value] of [['blksize', '7'], ['blksize', 'abc'], ['blksize', '-1'], ['windowsize', '0'], ['windowsize', '70000'], ['timeout', '0'], ['timeout', '256'], ['tsize', 'x'], ['blksize', '']]) {
    assert.throws(() => negotiate(opts([[name!, value!]]), 'read', 'octet', 1, limits), (e: unknown) => e instanceof TftpError && e.code === ErrorCode.optionRefused, `${name}=${value}`);
  }
});

test('a client accepts only options it asked for, with values not above its request', () => {
  assert.deepEqual(acceptOack({ blksize: 1468, tsize: 0 }, opts([['blksize', '1024'], ['tsize', '77']])), { blksize: 1024, windowsize: 1, timeoutMs: null, tsize: 77 });
  assert.throws(() => acceptOack({ blksize: 1024 }, opts([['blksize', '2048']])));
  assert.throws(() => acceptOack({}, opts([['windowsize', '4']])));
  assert.throws(() => acceptOack({ blksize: 512 }, opts([['whatever', '1']])));
});
