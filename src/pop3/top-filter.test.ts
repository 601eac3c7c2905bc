import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopFilter } from './top-filter.ts';

/** Runs the filter over the message cut at every possible split point. */
function topAllSplits(message: string, lines: number): string[] {
  const bytes = Buffer.from(message);
  const results: string[] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const filter = new TopFilter(lines);
    const out = [filter.push(bytes.subarray(0, cut))];
    if (!filter.done) out.push(filter.push(bytes.subarray(cut)));
    results.push(Buffer.concat(out).toString());
  }
  return results;
}

function assertTop(message: string, lines: number, expected: string): void {
  for (const result of topAllSplits(message, lines)) assert.equal(result, expected);
}

describe('TopFilter (RFC 1939 §7 TOP)', () => {
  const message = 'From: a\r\nSubject: b\r\n\r\none\r\ntwo\r\nthree\r\n';

  it('k = 0 gives the header and the blank line', () => {
    assertTop(message, 0, 'From: a\r\nSubject: b\r\n\r\n');
  });

  it('k lines of the body, at any chunk boundary', () => {
    assertTop(message, 1, 'From: a\r\nSubject: b\r\n\r\none\r\n');
    assertTop(message, 2, 'From: a\r\nSubject: b\r\n\r\none\r\ntwo\r\n');
  });

  it('k beyond the body gives the whole message', () => {
    assertTop(message, 50, message);
  });

  it('a message without a body or without headers', () => {
    assertTop('From: a\r\nSubject: b\r\n', 3, 'From: a\r\nSubject: b\r\n');
    assertTop('\r\nbody 1\r\nbody 2\r\n', 1, '\r\nbody 1\r\n');
  });

  it('a blank body line after the header counts as a line', () => {
    assertTop('A: b\r\n\r\n\r\nsecond\r\n', 1, 'A: b\r\n\r\n\r\n');
  });

  it('says done when it has enough, so the blob read can stop', () => {
    const filter = new TopFilter(1);
    filter.push(Buffer.from('A: b\r\n\r\nline\r\n'));
    assert.equal(filter.done, true);
    assert.equal(filter.push(Buffer.from('more\r\n')).length, 0);
  });
});
