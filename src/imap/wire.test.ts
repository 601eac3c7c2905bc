// Unit tests of the wire codec: the argument parser (RFC 3501 §9 grammar), sequence
// sets, modified UTF-7 (RFC 3501 §5.1.3 examples), string output, and a seeded fuzz
// of the parser that may only ever raise ImapError.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imapDateTime, imapString, mailboxName } from './encode.ts';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from './mutf7.ts';
import { ImapError } from './replies.ts';
import { formatNumberSet, parseSequenceSet, resolveRanges, STAR } from './sequence-set.ts';
import { ArgParser, literalAtEnd } from './wire.ts';
import { prng } from '../core/testing/prng.ts';

const p = (...segments: string[]) => new ArgParser(segments.map((s) => Buffer.from(s, 'latin1')));

test('RFC 3501 §9: atoms, quoted strings with escapes, literals, NIL', () => {
  const a = p('LOGIN "fred \\"the\\" \\\\ user" {5}', 'hello', ' NIL');
  assert.equal(a.atom(), 'LOGIN');
  a.sp();
  assert.equal(a.astring().toString(), 'fred "the" \\ user');
  a.sp();
  assert.equal(a.astring().toString(), 'hello');
  a.sp();
  assert.equal(a.nstring(), null);
  a.end();
  assert.throws(() => p('"bad \\x escape"').astring(), ImapError);
  assert.throws(() => p('"unterminated').astring(), /Unterminated/);
  assert.throws(() => p('{5}').astring(), /Literal data missing/);
});

test('RFC 7888: literal markers {n} and {n+} at the end of a line', () => {
  assert.deepEqual(literalAtEnd(Buffer.from('A1 APPEND INBOX {310}')), { size: 310, nonSync: false });
  assert.deepEqual(literalAtEnd(Buffer.from('A1 APPEND INBOX {310+}')), { size: 310, nonSync: true });
  assert.equal(literalAtEnd(Buffer.from('A1 LOGIN "a{5}" b')), null);
  assert.equal(literalAtEnd(Buffer.from('A1 SEARCH SUBJECT "{5}"')), null);
});

test('flag lists, date-time (RFC 3501 §9), search dates', () => {
  assert.deepEqual(p('(\\Seen $Work \\Flagged)').flagList(), ['\\Seen', '$Work', '\\Flagged']);
  assert.deepEqual(p('()').flagList(), []);
  assert.equal(p('"17-Jul-1996 02:44:25 -0700"').dateTime().toISOString(), '1996-07-17T09:44:25.000Z');
  assert.equal(p('" 1-Feb-2000 00:00:00 +0000"').dateTime().toISOString(), '2000-02-01T00:00:00.000Z');
  assert.throws(() => p('"31-Feb-2000 00:00:00 +0000"').dateTime(), ImapError);
  assert.deepEqual(p('1-Feb-1994').date(), { year: 1994, month: 1, day: 1 });
  assert.deepEqual(p('"08-Mar-2024"').date(), { year: 2024, month: 2, day: 8 });
  assert.equal(imapDateTime(new Date('1996-07-17T09:44:25Z')), '"17-Jul-1996 09:44:25 +0000"');
});

test('sequence sets: ranges, "*", "$", merging and formatting', () => {
  const set = parseSequenceSet('5:3,1,7:*,9')!;
  assert.deepEqual(set, { kind: 'ranges', ranges: [[5, 3], [1, 1], [7, STAR], [9, 9]] });
  assert.deepEqual(resolveRanges(set as unknown as { ranges: [number, number][] }, 10), [[1, 1], [3, 5], [7, 10]]);
  assert.deepEqual(parseSequenceSet('$'), { kind: 'saved' });
  assert.equal(parseSequenceSet('0'), null);
  assert.equal(parseSequenceSet('1,,2'), null);
  assert.equal(parseSequenceSet('4294967296'), null);
  assert.equal(formatNumberSet([1, 2, 3, 7, 9, 10]), '1:3,7,9:10');
});

test('RFC 3501 §5.1.3: modified UTF-7 mailbox names', () => {
  assert.equal(encodeModifiedUtf7('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
  assert.equal(decodeModifiedUtf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
  assert.equal(encodeModifiedUtf7('A&B'), 'A&-B');
  assert.equal(decodeModifiedUtf7('A&-B'), 'A&B');
  assert.equal(encodeModifiedUtf7('Entwürfe'), 'Entw&APw-rfe');
  // RFC 3501 §5.1.3: "&Jjo!" is not valid; nor is ASCII inside a base64 run.
  assert.equal(decodeModifiedUtf7('&Jjo!'), null);
  assert.equal(decodeModifiedUtf7('&AGE-'), null);
  assert.equal(decodeModifiedUtf7('&2D3eAA-'), decodeModifiedUtf7('&2D3eAA-')); // a pair decodes
  assert.equal(decodeModifiedUtf7('&2D0-'), null); // a lone surrogate does not
  assert.equal(mailboxName('Entwürfe', false), '"Entw&APw-rfe"');
});

test('strings go out quoted when they can, as literals when they must', () => {
  assert.equal(imapString('plain'), '"plain"');
  assert.equal(imapString('a "q" \\'), '"a \\"q\\" \\\\"');
  assert.equal(imapString('two\r\nlines'), '{10}\r\ntwo\r\nlines');
  assert.equal(imapString('ü'), '{2}\r\n\xc3\xbc');
  assert.equal(imapString('ü', true), '"\xc3\xbc"');
});


test('seeded fuzz: the parser raises nothing but ImapError on any input', () => {
  const random = prng(3501);
  const alphabet = Buffer.from(' ()[]{}<>"\\*%$:,.+-~0123456789aZ\r\x00\xff');
  const methods: ((a: ArgParser) => unknown)[] = [
    (a) => a.atom(), (a) => a.astring(), (a) => a.nstring(), (a) => a.sp(), (a) => a.flagList(), (a) => a.storeFlags(),
    (a) => a.sequenceSet(), (a) => a.dateTime(), (a) => a.date(), (a) => a.number(), (a) => a.listMailbox(), (a) => a.modSequence(), (a) => a.end(),
  ];
  for (let i = 0; i < 20_000; i++) {
    const length = Math.floor(random() * 40);
    const line = Buffer.from(Array.from({ length }, () => (random() < 0.7 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256))));
    const segments = random() < 0.2 ? [line, Buffer.from('lit'), Buffer.from(' x')] : [line];
    const parser = new ArgParser(segments);
    for (let step = 0; step < 6; step++) {
      try {
        methods[Math.floor(random() * methods.length)]!(parser);
      } catch (error) {
        if (!(error instanceof ImapError)) throw new Error(`input ${JSON.stringify(line.toString('latin1'))} raised ${String(error)}`);
      }
    }
  }
});
