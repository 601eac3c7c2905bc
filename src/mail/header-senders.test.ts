// The author fields read strictly (header-senders.ts) and checked against the user
// (sender-binding.ts): RFC 5322 §3.4/§3.6.2 forms, RFC 2047 display names, RFC 6854
// groups, and the forms a lenient parser would read differently from a mail reader.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configFromObject } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import { extractHeaderSenders, type HeaderSenders } from './header-senders.ts';
import { createMailService } from './mail-service.ts';
import { headerSenderRefusal } from './sender-binding.ts';

const read = (header: string): HeaderSenders => extractHeaderSenders(Buffer.from(header, 'utf8'));

function addressesOf(header: string): { from: string[]; sender: string[] | null; shown: string[] } {
  const result = read(header);
  if (!result.ok) throw new Error(`unexpected problem ${JSON.stringify(result.problem)}`);
  const from = result.fields.find((f) => f.name === 'From')!;
  const sender = result.fields.find((f) => f.name === 'Sender');
  return { from: from.addresses, sender: sender?.addresses ?? null, shown: result.fields.flatMap((f) => f.shownAddresses) };
}

function problemOf(header: string): unknown {
  const result = read(header);
  assert.equal(result.ok, false, `expected a problem in ${JSON.stringify(header)}`);
  return result.ok ? null : result.problem;
}

describe('extractHeaderSenders', () => {
  it('RFC 5322 §3.4: addr-spec, angle address, display names quoted and not, comments', () => {
    assert.deepEqual(addressesOf('From: alice@example.test\r\n\r\n').from, ['alice@example.test']);
    assert.deepEqual(addressesOf('From: <alice@example.test>\r\n').from, ['alice@example.test']);
    assert.deepEqual(addressesOf('From: Alice Smith <alice@example.test>\r\n').from, ['alice@example.test']);
    assert.deepEqual(addressesOf('From: "Smith, Alice" <alice@example.test>\r\n').from, ['alice@example.test']);
    assert.deepEqual(addressesOf('From: alice@example.test (Alice (at home))\r\n').from, ['alice@example.test']);
    assert.deepEqual(addressesOf('From: (comment) Alice <alice (c) @ (c) example.test>\r\n').from, ['alice@example.test']);
    // RFC 5322 Appendix A.1.2 (the phrase with quotes and a comment)
    assert.deepEqual(addressesOf('From: "Joe Q. Public" <john.q.public@example.com>\r\n').from, ['john.q.public@example.com']);
    // RFC 5322 §3.2.4: a quoted local part is the same address unquoted
    assert.deepEqual(addressesOf('From: "alice"@example.test\r\n').from, ['alice@example.test']);
  });

  it('RFC 5322 §2.2.3: folded fields are unfolded, field names are case-insensitive', () => {
    assert.deepEqual(addressesOf('Subject: x\r\nfrom: Alice\r\n  Smith\r\n\t<alice@example.test>\r\nTo: b@c.example\r\n\r\nFrom: boris@example.test\r\n').from, ['alice@example.test']);
    assert.deepEqual(addressesOf('FROM : alice@example.test\r\n').from, ['alice@example.test']); // RFC 5322 §4.5.3 obs: blanks before the colon
    assert.deepEqual(addressesOf('From: alice@example.test\n\n').from, ['alice@example.test']); // bare LF line ends
  });

  it('RFC 5322 §3.6.2: several From addresses, each reported; Sender read too', () => {
    const r = addressesOf('From: alice@example.test, Boris <boris@example.test>\r\nSender: alice@example.test\r\n');
    assert.deepEqual(r.from, ['alice@example.test', 'boris@example.test']);
    assert.deepEqual(r.sender, ['alice@example.test']);
  });

  it('RFC 6854: a group in From gives its members; RFC 5322 §4.4 empty list elements and routes', () => {
    assert.deepEqual(addressesOf('From: Partners: alice@example.test, Boris <boris@example.test>;\r\n').from, ['alice@example.test', 'boris@example.test']);
    assert.deepEqual(addressesOf('From: alice@example.test, , boris@example.test,\r\n').from, ['alice@example.test', 'boris@example.test']);
    assert.deepEqual(addressesOf('From: Alice <@relay.example,@other.example:alice@example.test>\r\n').from, ['alice@example.test']);
    assert.deepEqual(addressesOf('From: John Q. Public <jqp@example.test>\r\n').from, ['jqp@example.test']); // obs-phrase
  });

  it('RFC 2047: encoded display names are decoded and address-like text in them is reported', () => {
    const plain = addressesOf('From: =?UTF-8?B?QWxpY2UgU21pdGg=?= <alice@example.test>\r\n');
    assert.deepEqual(plain.from, ['alice@example.test']);
    assert.deepEqual(plain.shown, []);
    // "boris@example.test" <alice@...>, the display name base64-encoded
    const spoof = addressesOf(`From: =?UTF-8?B?${Buffer.from('boris@example.test').toString('base64')}?= <alice@example.test>\r\n`);
    assert.deepEqual(spoof.shown, ['boris@example.test']);
    assert.deepEqual(addressesOf('From: "Boris@Example.test" <alice@example.test>\r\n').shown, ['Boris@Example.test']);
    assert.deepEqual(addressesOf('From: alice@example.test (=?ISO-8859-1?Q?boris=40example.test?=)\r\n').shown, ['boris@example.test']);
    assert.deepEqual(addressesOf('From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.test>\r\n').shown, []);
  });

  it('RFC 6532: UTF-8 display names and addresses', () => {
    assert.deepEqual(addressesOf('From: Jörg <jörg@example.test>\r\n').from, ['jörg@example.test']);
  });

  it('a missing From, repeated From or Sender fields, an empty From are problems', () => {
    assert.deepEqual(problemOf('Subject: x\r\n\r\nFrom: alice@example.test\r\n'), { kind: 'missing', field: 'From' });
    assert.deepEqual(problemOf('From: alice@example.test\r\nFrom: boris@example.test\r\n'), { kind: 'repeated', field: 'From', count: 2 });
    assert.deepEqual(problemOf('From: alice@example.test\r\nSender: a@example.test\r\nsender: b@example.test\r\n'), { kind: 'repeated', field: 'Sender', count: 2 });
    assert.deepEqual(problemOf('From: \r\n'), { kind: 'empty', field: 'From' });
    assert.deepEqual(problemOf('From: undisclosed:;\r\n'), { kind: 'empty', field: 'From' });
    // A field name with a leading blank still counts (some readers take it for From).
    assert.deepEqual(problemOf(' From: boris@example.test\r\nFrom: alice@example.test\r\n'), { kind: 'repeated', field: 'From', count: 2 });
  });

  it('what a lenient parser would skip is unparseable: trailing addresses, junk, unterminated forms', () => {
    const unparseable = [
      'From: x <alice@example.test> <boris@example.test>',
      'From: =?utf-8?Q?x<alice@example.test>?= <boris@example.test>',
      'From: alice@example.test boris@example.test',
      'From: alice',
      'From: <>',
      'From: "alice@example.test',
      'From: alice@example.test (open comment',
      'From: Alice <alice@example.test',
      'From: alice@[127.0.0.1',
      'From: a: b: boris@example.test;;',
      'From: alice@example.test\\boris@example.test',
      'From: G: alice@example.test',
    ];
    for (const header of unparseable) {
      const problem = problemOf(`${header}\r\n`) as { kind: string; field: string };
      assert.equal(problem.kind, 'unparseable', header);
      assert.equal(problem.field, 'From', header);
    }
    assert.equal((problemOf('From: alice@example.test\r\nSender: <boris@example.test\r\n') as { field: string }).field, 'Sender');
  });
});

describe('headerSenderRefusal (the ownership rule of MAIL FROM for the header)', async () => {
  async function setup(config: Record<string, unknown> = {}) {
    const store = createMemoryStore();
    const alice = await store.accounts.addUser('alice@example.test', 'h');
    await store.accounts.addUser('boris@example.test', 'h');
    await store.accounts.addUser('carol@example.org', 'h');
    await store.accounts.addAlias('info@example.test', 'alice@example.test');
    await store.accounts.addAlias('sales@example.test', 'boris@example.test');
    const mail = createMailService({ config: configFromObject(config), store, log: silentLogger(), hostname: 'mx.example.test' });
    const check = async (header: string | null) => (await headerSenderRefusal(mail, (await store.accounts.getUser('alice@example.test'))!, header === null ? null : Buffer.from(header), 1024))?.text ?? null;
    return { store, alice, mail, check };
  }

  it('own address, plus variant and an alias leading to the user are owned; others are named', async () => {
    const { check } = await setup();
    assert.equal(await check('From: Alice <ALICE@example.test>\r\n'), null);
    assert.equal(await check('From: alice+news@example.test\r\nSender: info@example.test\r\n'), null);
    assert.equal(await check('From: boris@example.test\r\n'), 'From: header address boris@example.test not owned by alice@example.test');
    assert.equal(await check('From: alice@example.test, sales@example.test\r\n'), 'From: header address sales@example.test not owned by alice@example.test');
    assert.equal(await check('From: alice@example.test\r\nSender: boris@example.test\r\n'), 'Sender: header address boris@example.test not owned by alice@example.test');
    assert.equal(await check('From: "boris@example.test" <alice@example.test>\r\n'), 'From: header display name shows boris@example.test, not owned by alice@example.test');
    assert.equal(await check('From: alice@example.test\r\nFrom: alice@example.test\r\n'), 'From: header occurs 2 times (RFC 5322 section 3.6 allows one)');
    assert.match((await check('From: x <alice@example.test> <boris@example.test>\r\n'))!, /^From: header cannot be parsed/);
    assert.equal(await check('Subject: x\r\n'), 'From: header missing (RFC 5322 section 3.6)');
    assert.equal(await check(null), 'From: header cannot be checked: header block larger than 1024 octets');
  });

  it('sendAsDomain (septet user sendas) allows any address of the own domain only; it is read at each check', async () => {
    const { store, check } = await setup();
    await store.accounts.setSendAsDomain('alice@example.test', true);
    assert.equal(await check('From: Shared <anything@example.test>\r\nSender: boris@example.test\r\n'), null);
    assert.equal(await check('From: carol@example.org\r\n'), 'From: header address carol@example.org not owned by alice@example.test');
    await store.accounts.setSendAsDomain('alice@example.test', false);
    assert.equal(await check('From: anything@example.test\r\n'), 'From: header address anything@example.test not owned by alice@example.test');
  });

  it('submission.send_as_any_domains: users of a listed domain may use any address of it, envelope and header', async () => {
    const { mail, alice, check } = await setup({ submission: { send_as_any_domains: ['Example.TEST'] } });
    assert.equal(await check('From: noreply@example.test\r\n'), null);
    assert.equal(await mail.senderBelongsTo(alice, 'noreply@example.test'), true);
    assert.equal(await mail.senderBelongsTo(alice, 'carol@example.org'), false);
    assert.equal(await check('From: carol@example.org\r\n'), 'From: header address carol@example.org not owned by alice@example.test');
  });
});
