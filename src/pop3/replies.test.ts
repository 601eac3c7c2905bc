import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errLine, MAX_STATUS_LINE_OCTETS, okLine, ResponseCode, truncateUtf8 } from './replies.ts';

describe('POP3 replies', () => {
  it('formats status lines with optional response codes (RFC 2449 §8)', () => {
    assert.equal(okLine(), '+OK\r\n');
    assert.equal(okLine('2 320'), '+OK 2 320\r\n');
    assert.equal(errLine('maildrop locked', ResponseCode.inUse), '-ERR [IN-USE] maildrop locked\r\n');
    assert.equal(errLine('no such message'), '-ERR no such message\r\n');
  });

  it('RFC 2449 §4: the first line stays within 512 octets, CRLF included', () => {
    const line = okLine('x'.repeat(2000));
    assert.equal(Buffer.byteLength(line), MAX_STATUS_LINE_OCTETS);
    assert.ok(line.endsWith('x\r\n'));
    // Multi-octet characters are never cut in half.
    const wide = errLine('é'.repeat(600), ResponseCode.sysTemp);
    assert.ok(Buffer.byteLength(wide) <= MAX_STATUS_LINE_OCTETS);
    assert.ok(!wide.includes('\ufffd'));
    assert.ok(wide.endsWith('é\r\n'));
  });

  it('never lets text break the framing: CR, LF and controls become spaces', () => {
    assert.equal(errLine('bad\r\n+OK injected'), '-ERR bad  +OK injected\r\n');
    assert.equal(okLine('a\x00b'), '+OK a b\r\n');
  });

  it('truncateUtf8 cuts at character boundaries', () => {
    assert.equal(truncateUtf8('abc', 10), 'abc');
    assert.equal(truncateUtf8('aé', 2), 'a');
    assert.equal(truncateUtf8('a😀', 4), 'a');
    assert.equal(truncateUtf8('a😀', 5), 'a😀');
  });
});
