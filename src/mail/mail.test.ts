// Unit tests of the mail layer: recipient resolution, sender binding, header
// completion, the Received field and local submission (septet sendmail).

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { configFromObject } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import { HeaderCompleter } from './header-completion.ts';
import { CrlfNormalizer } from './line-ends.ts';
import { createMailService, MAX_ALIAS_DEPTH } from './mail-service.ts';
import { buildReceivedHeader, receivedProtocol } from './received-header.ts';
import { submitFromStream, SubmitError } from './submit.ts';

async function setup(config: Record<string, unknown> = {}) {
  const store = createMemoryStore();
  const alice = await store.accounts.addUser('alice@example.test', 'x', { admin: true });
  const bob = await store.accounts.addUser('bob@example.test', 'x');
  const mail = createMailService({ config: configFromObject({ domains: ['Other.Example'], ...config }), store, log: silentLogger(), hostname: 'mx.example.test' });
  return { store, alice, bob, mail };
}

describe('MailService', () => {
  it('local domains: users, aliases and config domains, case-insensitive', async () => {
    const { mail, store } = await setup();
    await store.accounts.addAlias('x@alias.example', 'bob@example.test');
    for (const d of ['EXAMPLE.test', 'alias.example', 'other.example']) assert.ok(await mail.isLocalDomain(d), d);
    assert.equal(await mail.isLocalDomain('elsewhere.example'), false);
  });

  it('resolves users, plus-addresses, aliases, remote targets and unknowns', async () => {
    const { mail, store, bob } = await setup();
    await store.accounts.addAlias('list@example.test', 'bob@example.test');
    await store.accounts.addAlias('list@example.test', 'far@remote.example');
    assert.deepEqual(await mail.resolveRecipient('Bob@Example.Test'), { kind: 'local', accountIds: [bob.id], forward: [] });
    assert.deepEqual(await mail.resolveRecipient('bob+tag@example.test'), { kind: 'local', accountIds: [bob.id], forward: [] });
    assert.deepEqual(await mail.resolveRecipient('list+x@example.test'), { kind: 'local', accountIds: [bob.id], forward: ['far@remote.example'] });
    assert.deepEqual(await mail.resolveRecipient('x@remote.example'), { kind: 'remote', address: 'x@remote.example' });
    assert.deepEqual(await mail.resolveRecipient('nobody@example.test'), { kind: 'unknown' });
  });

  it('RFC 5321 §4.5.1: postmaster of every local domain reaches the administrators', async () => {
    const { mail, alice } = await setup();
    assert.deepEqual(await mail.resolveRecipient('POSTMASTER@other.example'), { kind: 'local', accountIds: [alice.id], forward: [] });
    assert.deepEqual(await mail.resolveRecipient('postmaster'), { kind: 'local', accountIds: [alice.id], forward: [] });
  });

  it('alias loops and over-deep chains end without hanging', async () => {
    const { mail, store, bob } = await setup();
    await store.accounts.addAlias('a@example.test', 'b@example.test');
    await store.accounts.addAlias('b@example.test', 'a@example.test');
    await store.accounts.addAlias('b@example.test', 'bob@example.test');
    assert.deepEqual(await mail.resolveRecipient('a@example.test'), { kind: 'local', accountIds: [bob.id], forward: [] });
    for (let i = 0; i < MAX_ALIAS_DEPTH + 2; i++) await store.accounts.addAlias(`c${i}@example.test`, `c${i + 1}@example.test`);
    await store.accounts.addAlias(`c${MAX_ALIAS_DEPTH + 2}@example.test`, 'bob@example.test');
    assert.deepEqual(await mail.resolveRecipient('c0@example.test'), { kind: 'unknown' });
  });

  it('catch-all only when smtp.catch_all is on', async () => {
    const off = await setup();
    await off.store.accounts.addAlias('@example.test', 'bob@example.test');
    assert.deepEqual(await off.mail.resolveRecipient('any@example.test'), { kind: 'unknown' });
    const on = await setup({ smtp: { catch_all: true } });
    await on.store.accounts.addAlias('@example.test', 'bob@example.test');
    assert.deepEqual(await on.mail.resolveRecipient('any@example.test'), { kind: 'local', accountIds: [on.bob.id], forward: [] });
    assert.equal(await on.mail.senderBelongsTo(on.bob, 'any@example.test'), false, 'a catch-all gives no sender rights');
  });

  it('RFC 6409 §6.1: sender binding and relay permission', async () => {
    const { mail, store, alice, bob } = await setup({ smtp: { trusted_networks: ['10.0.0.0/8'] } });
    await store.accounts.addAlias('info@example.test', 'alice@example.test');
    assert.ok(await mail.senderBelongsTo(alice, 'ALICE@example.test'));
    assert.ok(await mail.senderBelongsTo(alice, 'alice+x@example.test'));
    assert.ok(await mail.senderBelongsTo(alice, 'info@example.test'));
    assert.equal(await mail.senderBelongsTo(bob, 'info@example.test'), false);
    assert.equal(await mail.senderBelongsTo(alice, ''), false);
    assert.ok(mail.mayRelay({ account: alice, remoteAddress: '192.0.2.1' }));
    assert.ok(mail.mayRelay({ account: null, remoteAddress: '10.1.2.3' }));
    assert.equal(mail.mayRelay({ account: null, remoteAddress: '192.0.2.1' }), false);
  });
});

describe('HeaderCompleter (RFC 6409 §8)', () => {
  const run = (message: string, chunk: number, limit = 1024) => {
    const hc = new HeaderCompleter({ hostname: 'h.example', date: new Date(0), limit });
    const out: Buffer[] = [];
    const data = Buffer.from(message);
    for (let i = 0; i < data.length; i += chunk) out.push(...hc.push(data.subarray(i, i + chunk)));
    out.push(...hc.end());
    return Buffer.concat(out).toString();
  };

  it('adds Message-ID and Date when missing, whatever the chunking', () => {
    for (const chunk of [1, 2, 3, 17, 1000]) {
      const out = run('Subject: x\r\nFrom: a@b\r\n\r\nbody\r\n\r\nmore\r\n', chunk);
      assert.match(out, /^Message-ID: <[^>]+@h\.example>\r\nDate: [^\r]+\r\nSubject: x\r\nFrom: a@b\r\n\r\nbody\r\n\r\nmore\r\n$/, `chunk ${chunk}`);
    }
  });

  it('keeps existing fields, handles an empty header, passes oversized headers unchanged', () => {
    const full = 'Message-Id: <x@y>\r\nDATE : Thu, 1 Jan 1970 00:00:00 +0000\r\n\r\nb\r\n';
    assert.equal(run(full, 5), full);
    assert.match(run('\r\nbody only\r\n', 1), /^Message-ID: .*\r\nDate: .*\r\n\r\nbody only\r\n$/);
    const long = `X-Long: ${'a'.repeat(200)}\r\n\r\nb`;
    assert.equal(run(long, 10, 50), long);
  });
});

describe('Received field (RFC 5321 §4.4, RFC 3848)', () => {
  it('names protocol, TLS, and the single recipient', () => {
    assert.equal(receivedProtocol({ esmtp: true, tls: true, authenticated: true }), 'ESMTPSA');
    assert.equal(receivedProtocol({ esmtp: false, tls: true, authenticated: false }), 'SMTP');
    const text = buildReceivedHeader({
      hostname: 'mx.example',
      id: 'ABC',
      date: new Date(0),
      network: { helo: 'bad name(', remoteAddress: '2001:db8::1', protocol: 'ESMTPS', tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' } },
      recipient: 'u@mx.example',
    });
    assert.match(text, /^Received: from \[IPv6:2001:db8::1\] \(\[IPv6:2001:db8::1\] helo=bad\?name\?\)\r\n\t\(using TLSv1\.3 with cipher TLS_AES_128_GCM_SHA256\)\r\n\tby mx\.example \(Septet\) with ESMTPS id ABC\r\n\tfor <u@mx\.example>; .+\r\n$/);
  });
});

describe('submitFromStream (septet sendmail)', () => {
  it('delivers a LF message with CRLF line ends, binds the sender, refuses unknown recipients', async () => {
    const { mail, store, alice, bob } = await setup();
    const result = await submitFromStream(mail, { recipients: ['bob@example.test', 'far@remote.example'], source: Readable.from([Buffer.from('Subject: s\n\nline\n')]), submitter: alice });
    assert.ok(result.queueId);
    const inbox = await store.mailboxes.getMailbox(bob.id, 'INBOX');
    const [meta] = await store.mailboxes.listMessages(inbox!.id);
    const text = (await store.blobs.readAll(meta!.blobId)).toString();
    assert.match(text, /^Received: by mx\.example\.test \(Septet, from user alice@example\.test\) id \w+; .+\r\nMessage-ID: .+\r\nDate: .+\r\nFrom: alice@example\.test\r\nSubject: s\r\n\r\nline\r\n$/);
    await assert.rejects(submitFromStream(mail, { sender: 'bob@example.test', recipients: ['bob@example.test'], source: Readable.from([]), submitter: alice }), (e) => e instanceof SubmitError && e.reason === 'sender');
    await assert.rejects(submitFromStream(mail, { recipients: ['ghost@example.test'], source: Readable.from([]), submitter: alice }), (e) => e instanceof SubmitError && e.reason === 'recipient');
    // RFC 6409 §6.1 for the header too (sender-binding.ts): nothing is stored.
    const foreignFrom = Readable.from([Buffer.from('From: Boris <bob@example.test>\nSubject: x\n\nx\n')]);
    await assert.rejects(
      submitFromStream(mail, { recipients: ['bob@example.test'], source: foreignFrom, submitter: alice }),
      (e) => e instanceof SubmitError && e.reason === 'header-sender' && e.message === 'From: header address bob@example.test not owned by alice@example.test',
    );
    assert.equal((await store.mailboxes.listMessages(inbox!.id)).length, 1);
    // The trusted local operator (null submitter) may use any sender.
    await submitFromStream(mail, { sender: 'cron@host.example', recipients: ['bob@example.test'], source: Readable.from([Buffer.from('x\n')]), submitter: null });
    assert.equal((await store.mailboxes.listMessages(inbox!.id)).length, 2);
  });

  it('CrlfNormalizer: bare LF becomes CRLF across chunk boundaries, CRLF stays', () => {
    const n = new CrlfNormalizer();
    assert.equal(Buffer.concat([n.push(Buffer.from('a\r')), n.push(Buffer.from('\nb\n')), n.push(Buffer.from('\n'))]).toString(), 'a\r\nb\r\n\r\n');
  });

  it('CrlfNormalizer: a bare CR becomes CRLF too, across chunks and at the end', () => {
    const n = new CrlfNormalizer();
    const parts = ['From: a@b\rBcc: x@y\r\n', 'Sub', 'ject: s\r', '\r\n', 'body\r'];
    assert.equal(Buffer.concat([...parts.map((p) => n.push(Buffer.from(p))), n.end()]).toString(), 'From: a@b\r\nBcc: x@y\r\nSubject: s\r\n\r\nbody\r\n');
    // Every split of one input gives the same output.
    const input = 'a\rb\nc\r\nd\r\r\ne\n\r';
    const whole = new CrlfNormalizer();
    const expected = Buffer.concat([whole.push(Buffer.from(input)), whole.end()]).toString();
    assert.equal(expected, 'a\r\nb\r\nc\r\nd\r\n\r\ne\r\n\r\n');
    for (let cut = 0; cut <= input.length; cut++) {
      const m = new CrlfNormalizer();
      assert.equal(Buffer.concat([m.push(Buffer.from(input.slice(0, cut))), m.push(Buffer.from(input.slice(cut))), m.end()]).toString(), expected, `cut at ${cut}`);
    }
  });
});
