import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildEnvelope,
  decodeEncodedWords,
  parseAddressList,
  parseContentDisposition,
  parseContentType,
  parseHeaderFields,
  parseMailDate,
  unfold,
} from './index.ts';

test('header fields keep exact octets; lines without a colon are kept as nameless fields', () => {
  const block = Buffer.from('Subject: a\r\n folded\r\nX-Empty:\r\nbroken line\r\nTo: b@c\r\n\r\nbody');
  const fields = parseHeaderFields(block, 100);
  assert.deepEqual(fields.map((f) => f.name), ['Subject', 'X-Empty', 'broken line', 'To']);
  assert.equal(fields[0]!.raw.toString(), 'Subject: a\r\n folded\r\n');
  assert.equal(fields[0]!.value, 'a folded');
  assert.equal(fields[0]!.start, 100);
  assert.equal(fields[3]!.start, 100 + block.indexOf('To:'));
  assert.equal(fields[2]!.value, '');
  assert.equal(unfold('a\r\n\tb\r\n'), 'a\tb');
});

test('RFC 2047 encoded words: B and Q, adjacent words joined, split multi-octet characters', () => {
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?= b'), 'a b'); // RFC 2047 §8 examples
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?='), 'ab');
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?='), 'ab');
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?a_b?='), 'a b');
  assert.equal(decodeEncodedWords('=?US-ASCII*EN?Q?Keith_Moore?='), 'Keith Moore'); // RFC 2231 §5 language
  // "é" (C3 A9) split across two words; decoded together it survives.
  assert.equal(decodeEncodedWords('=?utf-8?B?Y2Fmw6k=?= =?utf-8?Q?=C3?= =?utf-8?Q?=A9?='), 'caféé');
  assert.equal(decodeEncodedWords('=?koi8-r?B?8NLJ18XU?='), 'Привет');
  assert.equal(decodeEncodedWords('=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?= world'), 'Привет world');
  assert.equal(decodeEncodedWords('=?bogus?Q?x?= and =?utf-8?X?bad?='), 'x and =?utf-8?X?bad?=');
});

test('Content-Type parameters: quoting, comments, unquoted boundary with "=", broken parameters skipped', () => {
  const ct = parseContentType('multipart/mixed (comment); boundary=----=_Part_1_2.3 ; x="a\\"b"; junk; charset = "UTF-8"')!;
  assert.equal(ct.type, 'multipart');
  assert.deepEqual(ct.rawParams, [['boundary', '----=_Part_1_2.3'], ['x', 'a"b'], ['charset', 'UTF-8']]);
  assert.equal(parseContentType('text'), null);
  assert.equal(parseContentType(''), null);
  const plainAndExtended = parseContentDisposition('attachment; filename="fallback.txt"; filename*=iso-8859-1\'\'%E9t%E9.txt')!;
  assert.deepEqual(plainAndExtended.params, [{ name: 'filename', value: 'été.txt' }]);
  // Missing continuation sections stay as they were written (as Dovecot does).
  const gap = parseContentType('text/plain; name*0=a; name*2=c')!;
  assert.deepEqual(gap.rawParams, [['name*0', 'a'], ['name*2', 'c']]);
  // Non-standard but common: RFC 2047 inside a quoted parameter value.
  assert.deepEqual(parseContentType('application/pdf; name="=?utf-8?B?0J7RgtGH0ZHRgi5wZGY=?="')!.params, [{ name: 'name', value: 'Отчёт.pdf' }]);
});

test('address lists (RFC 5322 §3.4): display names, quoted strings, comments, groups, routes', () => {
  assert.deepEqual(parseAddressList('"Doe, John" <john@example.com>, jane@example.com (Jane Roe), Mary Smith <@relay.example:mary@x.test>'), [
    { kind: 'mailbox', name: 'Doe, John', adl: null, mailbox: 'john', host: 'example.com' },
    { kind: 'mailbox', name: 'Jane Roe', adl: null, mailbox: 'jane', host: 'example.com' },
    { kind: 'mailbox', name: 'Mary Smith', adl: '@relay.example', mailbox: 'mary', host: 'x.test' },
  ]);
  assert.deepEqual(parseAddressList('A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Pete <pete@silly.test>'), [
    {
      kind: 'group',
      name: 'A Group',
      members: [
        { kind: 'mailbox', name: 'Ed Jones', adl: null, mailbox: 'c', host: 'a.test' },
        { kind: 'mailbox', name: null, adl: null, mailbox: 'joe', host: 'where.test' },
        { kind: 'mailbox', name: 'John', adl: null, mailbox: 'jdoe', host: 'one.test' },
      ],
    },
    { kind: 'mailbox', name: 'Pete', adl: null, mailbox: 'pete', host: 'silly.test' },
  ]);
  assert.deepEqual(parseAddressList('John Q. Public <"john q"@[192.0.2.1]>'), [
    { kind: 'mailbox', name: 'John Q. Public', adl: null, mailbox: 'john q', host: '[192.0.2.1]' },
  ]);
  assert.deepEqual(parseAddressList('localonly, <>, ;;, @@, "unterminated'), [
    { kind: 'mailbox', name: null, adl: null, mailbox: 'localonly', host: null },
    { kind: 'mailbox', name: null, adl: null, mailbox: null, host: null },
    { kind: 'mailbox', name: null, adl: null, mailbox: 'unterminated', host: null },
  ]);
});

test('envelope: missing parts of an address get placeholders; empty Reply-To takes From', () => {
  const header = parseHeaderFields(Buffer.from('From: Ann <ann@example.org>\r\nReply-To:\r\nTo: nohost\r\nSubject: =?utf-8?Q?x?=\r\n\r\n'));
  const envelope = buildEnvelope(header);
  assert.deepEqual(envelope.replyTo, envelope.from);
  assert.deepEqual(envelope.to, [{ name: null, adl: null, mailbox: 'nohost', host: 'MISSING_DOMAIN' }]);
  assert.equal(envelope.subject, '=?utf-8?Q?x?='); // ENVELOPE carries encoded words as sent
  assert.equal(envelope.date, null);
});

test('dates (RFC 5322 §3.3 and the obsolete forms of §4.3)', () => {
  const d = parseMailDate('Tue, 3 Feb 2026 10:04:05 +0100')!;
  assert.equal(d.instant.toISOString(), '2026-02-03T09:04:05.000Z');
  assert.deepEqual([d.year, d.month, d.day, d.offsetMinutes], [2026, 2, 3, 60]);
  assert.equal(parseMailDate('3 Feb 26 23:30 EST')!.instant.toISOString(), '2026-02-04T04:30:00.000Z');
  assert.equal(parseMailDate('Fri, 21 Nov 97 09:55:06 GMT')!.instant.toISOString(), '1997-11-21T09:55:06.000Z');
  assert.equal(parseMailDate('Thu,\r\n 13\r\n   Feb\r\n     1969\r\n 23:32\r\n  -0330 (Newfoundland Time)')!.instant.toISOString(), '1969-02-14T03:02:00.000Z');
  assert.equal(parseMailDate('21 Nov 097 09:55:06 Z')!.year, 1997);
  assert.equal(parseMailDate('1 Jan 2026 00:00:00 PDT')!.day, 1); // SENTON compares the date as written
  assert.equal(parseMailDate('Mon, 2 Feb 2026 08:30:00 +0300 (MSK)')!.instant.toISOString(), '2026-02-02T05:30:00.000Z');
  assert.equal(parseMailDate('yesterday'), null);
  assert.equal(parseMailDate('32 Jan 2026 10:00'), null);
  assert.equal(parseMailDate(''), null);
});
