// ENVELOPE, BODY and BODYSTRUCTURE compared with Dovecot's for the MIME fixtures
// (multipart/mixed, alternative, related, digest, nested message/rfc822, RFC 2047
// words, RFC 2231 parameters, windows-1251). The reference output was captured from
// dovecot-imapd with fixtures/capture-dovecot.py.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFixture } from './test-support.ts';

const FIXTURES = join(import.meta.dirname, '..', 'core', 'mime', 'fixtures');
let f: ImapFixture;
let dovecot: { structure: Record<string, string>; sections: Record<string, string> };
let names: string[];

before(async () => {
  f = await ImapFixture.start();
  dovecot = JSON.parse(await readFile(join(import.meta.dirname, 'fixtures', 'dovecot.json'), 'utf8')) as typeof dovecot;
  names = (await readdir(FIXTURES)).filter((n) => n.endsWith('.eml')).sort();
  for (const name of names) await f.deliver(await readFile(join(FIXTURES, name)));
});
after(async () => {
  await f.close();
});

test('every fixture has a Dovecot reference', () => {
  assert.ok(names.length >= 8);
  for (const name of names) assert.ok(dovecot.structure[name], `no reference for ${name}`);
});

test('FETCH (ENVELOPE BODY BODYSTRUCTURE) matches Dovecot octet for octet', async () => {
  const c = await f.login();
  await c.ok('EXAMINE INBOX');
  const reply = await c.ok('FETCH 1:* (ENVELOPE BODY BODYSTRUCTURE)');
  const mismatches: string[] = [];
  reply.untagged.forEach((line, i) => {
    const m = /^\* (\d+) FETCH \((.*)\)$/s.exec(line);
    assert.ok(m, line);
    const name = names[Number(m[1]) - 1]!;
    // Dovecot's literals and ours may differ in quoting only where 8-bit text forces a literal; compare values.
    if (m[2] !== dovecot.structure[name]) mismatches.push(`${name}:\n  septet:  ${m[2]}\n  dovecot: ${dovecot.structure[name]}`);
    void i;
  });
  assert.deepEqual(mismatches, []);
});

test('section fetches (BODY[n], n.MIME, n.HEADER, n.TEXT, HEADER.FIELDS[.NOT], partial, BINARY, BINARY.SIZE) return the octets Dovecot returns', async () => {
  const c = await f.login();
  await c.ok('EXAMINE INBOX');
  const mismatches: string[] = [];
  // Known difference: Dovecot's BINARY of a multipart part re-encodes every part inside
  // it as binary (RFC 3516 leaves that open); Septet returns the part's octets.
  const skipped = new Set(['related-in-mixed.eml BINARY.PEEK[1]', 'related-in-mixed.eml BINARY.SIZE[1]']);
  for (const [key, expected] of Object.entries(dovecot.sections)) {
    if (skipped.has(key)) continue;
    const space = key.indexOf(' ');
    const name = key.slice(0, space);
    const item = key.slice(space + 1);
    const seq = names.indexOf(name) + 1;
    const reply = await c.command(`FETCH ${seq} (${item})`);
    const fetches = reply.untagged.map((u) => /^\* \d+ FETCH \((.*)\)$/s.exec(u)?.[1]).filter((x) => x !== undefined);
    const actual = reply.status.startsWith('OK') && fetches.length > 0 ? fetches[0]! : reply.status.split(' ')[0]!;
    if (actual !== expected) mismatches.push(`${key}:\n  septet:  ${JSON.stringify(actual).slice(0, 300)}\n  dovecot: ${JSON.stringify(expected).slice(0, 300)}`);
  }
  assert.deepEqual(mismatches, []);
});
