import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, TftpError } from '../replies.ts';
import { encodeError, encodeOack } from '../wire.ts';
import { localFailure, oackAgreement, peerErrorOf, serverError, timedOut } from './replies.ts';

test('RFC 2347: an OACK is taken when it acknowledges only what was asked, with values not larger', () => {
  assert.deepEqual(oackAgreement({ blksize: 1468, tsize: 0 }, encodeOack([['blksize', '1024'], ['tsize', '42']])), { blksize: 1024, windowsize: 1, timeoutMs: null, tsize: 42 });
  const refused = (e: unknown) => e instanceof TftpError && e.code === ErrorCode.optionRefused;
  assert.throws(() => oackAgreement({ blksize: 1024 }, encodeOack([['blksize', '2048']])), refused);
  assert.throws(() => oackAgreement({}, encodeOack([['windowsize', '4']])), refused);
  assert.throws(() => oackAgreement({ blksize: 1024 }, Buffer.from([0, 6, 0x61])), refused, 'an OACK without its NUL');
});

test('an ERROR from the server gives its code and text; a malformed one is error 0', () => {
  assert.deepEqual(peerErrorOf(encodeError(1, 'File not found')), { code: 1, message: 'File not found' });
  assert.deepEqual(peerErrorOf(Buffer.from([0, 5, 0])), { code: ErrorCode.notDefined, message: 'malformed ERROR' });
  const e = serverError(2, 'Access violation');
  assert.equal(e.code, 2);
  assert.equal(e.message, 'server: Access violation (error 2)');
});

test('a local failure is told to the server as error 0 unless it is a TftpError; timeouts say which phase', () => {
  assert.deepEqual([localFailure(new Error('disk')).code, localFailure(new Error('disk')).message], [ErrorCode.notDefined, 'disk']);
  const own = new TftpError(ErrorCode.optionRefused, 'Option refused');
  assert.equal(localFailure(own), own);
  assert.equal(timedOut(true).message, 'no answer from the server');
  assert.equal(timedOut(false).message, 'transfer timed out');
});
