import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pop3Error } from './replies.ts';
import { isHttpMethod } from '../core/service/cross-protocol.ts';
import { expectArguments, parseCommandLine, parseLineCount, parseMessageNumber } from './wire.ts';

const parse = (text: string | Buffer) => parseCommandLine(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));

describe('POP3 wire parsing', () => {
  it('RFC 1939 §3: keywords are case-insensitive, arguments follow one space', () => {
    assert.deepEqual(parse('list 1'), { kind: 'command', line: { verb: 'LIST', rest: '1' } });
    assert.deepEqual(parse('QUIT'), { kind: 'command', line: { verb: 'QUIT', rest: '' } });
    // RFC 1939 §7 PASS: the rest of the line, spaces included, stays as sent.
    assert.deepEqual(parse('PASS  a b '), { kind: 'command', line: { verb: 'PASS', rest: ' a b ' } });
    assert.deepEqual(parse('USER jörg@example.org'), { kind: 'command', line: { verb: 'USER', rest: 'jörg@example.org' } });
  });

  it('refuses empty lines, control octets, invalid UTF-8 and non-alphabetic keywords', () => {
    assert.equal(parse('').kind, 'invalid');
    assert.equal(parse('NO\x00OP').kind, 'invalid');
    assert.equal(parse('NOOP\t').kind, 'invalid');
    assert.equal(parse('STAT\r').kind, 'invalid');
    assert.equal(parse(Buffer.from([0x55, 0x53, 0x45, 0x52, 0x20, 0xc3, 0x28])).kind, 'invalid');
    assert.equal(parse('R3TR 1').kind, 'invalid');
    assert.equal(parse(' STAT').kind, 'invalid');
    assert.equal(parse('A'.repeat(21)).kind, 'invalid');
  });

  it('recognises HTTP methods (the shared core/service check)', () => {
    assert.ok(isHttpMethod('GET'));
    assert.ok(isHttpMethod('post'));
    assert.ok(!isHttpMethod('RETR'));
  });

  it('RFC 1939 §3: message numbers are positive decimal integers (the maildrop checks the range)', () => {
    assert.equal(parseMessageNumber('1'), 1);
    assert.equal(parseMessageNumber('03'), 3);
    for (const bad of ['0', '-1', '+1', '1.0', '0x1', '', ' 1', '1e2', '12345678901']) {
      assert.throws(() => parseMessageNumber(bad), Pop3Error, bad);
    }
  });

  it('RFC 1939 §7 TOP: the line count is a non-negative decimal integer', () => {
    assert.equal(parseLineCount('0'), 0);
    assert.equal(parseLineCount('25'), 25);
    assert.throws(() => parseLineCount('-1'), Pop3Error);
    assert.throws(() => parseLineCount('x'), Pop3Error);
  });

  it('argument counts and single-space separation', () => {
    assert.deepEqual(expectArguments('1 2', 2, 2, 'TOP n k'), ['1', '2']);
    assert.deepEqual(expectArguments('', 0, 1, 'LIST [n]'), []);
    assert.throws(() => expectArguments('1', 2, 2, 'TOP n k'), /Syntax: TOP n k/);
    assert.throws(() => expectArguments('1  2', 2, 2, 'TOP n k'), /single spaces/);
    assert.throws(() => expectArguments('1 ', 1, 1, 'RETR n'), /single spaces/);
  });
});
