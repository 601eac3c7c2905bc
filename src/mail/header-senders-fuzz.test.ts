// Seeded fuzzing of the strict author-field reader (header-senders.ts): random
// mixtures of the address grammar's specials never throw, and whenever the strict
// reader accepts a From field, every address the lenient IMAP parser
// (core/mime/address.ts, close to what mail readers do) finds in it is one the
// strict reader reported too — so no address can hide from the ownership check.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddressList } from '../core/mime/address.ts';
import { prng } from '../core/testing/prng.ts';
import { extractHeaderSenders } from './header-senders.ts';

/** Well-formed pieces, so that many inputs are accepted and the property is tested on them. */
const MAILBOXES = ['alice@example.test', 'Boris <boris@example.test>', '"x, y" <alice@example.test>', 'G: alice@example.test, b@x.test;', '(c) a.b@[192.0.2.1]', '=?utf-8?B?Ym9yaXNAeC50ZXN0?= <a@x.test>', ', '];
const PIECES = ['alice', 'boris', '@', 'example.test', '<', '>', ',', ':', ';', '"', '(', ')', ' ', '\\', '.', '=?utf-8?Q?x=40y.test?=', '[192.0.2.1]', '\r\n ', 'é', 'Boris@x.test'];

test('fuzz (seeded): never throws; an accepted From field hides no address from the check', () => {
  for (const seed of [1, 2, 3, 9, 2026]) {
    const random = prng(seed);
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      const n = 1 + Math.floor(random() * 14);
      let value = '';
      for (let k = 0; k < n; k++) {
        const pool = random() < 0.6 ? MAILBOXES : PIECES;
        value += pool[Math.floor(random() * pool.length)]!;
      }
      const result = extractHeaderSenders(Buffer.from(`Subject: s\r\nFrom: ${value}\r\n\r\n`, 'utf8'));
      if (!result.ok) continue;
      accepted++;
      const strict = new Set(result.fields[0]!.addresses);
      const unfolded = value.replace(/\r\n/g, '');
      for (const item of parseAddressList(unfolded)) {
        for (const m of item.kind === 'group' ? item.members : [item]) {
          if (m.mailbox !== null && m.host !== null) assert.ok(strict.has(`${m.mailbox}@${m.host}`), `seed ${seed}: ${JSON.stringify(value)} hides ${m.mailbox}@${m.host} from ${JSON.stringify([...strict])}`);
        }
      }
    }
    assert.ok(accepted > 200, `seed ${seed}: only ${accepted} inputs were well-formed`);
  }
});
