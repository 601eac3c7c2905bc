// RFC 3659 §2.3 time-val as MFMT and MDTM with a time argument read it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mdtm, parseTimeVal } from './listing.ts';

test('a time-val is YYYYMMDDHHMMSS[.sss] in UTC and round-trips through mdtm()', () => {
  assert.equal(parseTimeVal('20200102030405')?.toISOString(), '2020-01-02T03:04:05.000Z');
  assert.equal(parseTimeVal('20200102030405.5')?.toISOString(), '2020-01-02T03:04:05.500Z');
  assert.equal(mdtm(parseTimeVal('19991231235958')!), '19991231235958');
});

test('what is not a real instant is refused', () => {
  for (const bad of ['', '2020010203040', '202001020304056', '20201301000000', '20200230000000', '20200101240000', '20200101006000', 'x0200101000000', '20200101000000.1234']) {
    assert.equal(parseTimeVal(bad), null, bad);
  }
});
