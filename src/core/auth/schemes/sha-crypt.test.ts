import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyShaCrypt } from './sha-crypt.ts';

const verify = (password: string, stored: string) => verifyShaCrypt(Buffer.from(password), stored);

// Test vectors of Drepper's SHA-crypt.txt ("rounds=" and a salt cut at 16 characters),
// and glibc crypt(3) output (python3's crypt module) for the empty and a long password.
const vectors: Array<[string, string]> = [
  ['Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
  ['Hello world!', '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
  ['Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  ['Hello world!', '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.'],
  ['Hello world!', '$6$rounds=1000$toolongsaltstrin$sesQxVr.eO8J/1tYcwFWM0XaMVaHFLetz9ssK1oNSPUQgLRm8v3S4i6CgxB9aqGOAFFEMnB2V1gvxEm/Gv2gw/'],
  ['', '$6$abc$mJP3a6FyA8uCnzRtlnNypPwjnvpi5TP9qOrInzrfDmwxUQG38PkpCPdqfTb8JQfAngapMxeim4AZ..hSdRRzD.'],
  ['a'.repeat(100), '$5$x$2Bj4hxpwCYDap2E9mUKBUy1vwLSpfX./wV5XElIIsm.'],
  ['pässwörd', '$6$rounds=1234$s$F/4AsGCQeaf.ANY9tnXJGq0C9Ksi8E.nHMFZ.I9oMik0NJHRlDFx9QKeOcqN/U2XZTFScWBpBG4Z.Q4KJrOHV1'],
];

for (const [password, stored] of vectors) {
  test(`SHA-crypt ${stored.slice(0, 24)}… verifies, a wrong password does not`, () => {
    assert.equal(verify(password, stored), true);
    assert.equal(verify(`${password}x`, stored), false);
  });
}

test('malformed SHA-crypt strings and hostile round counts never verify', () => {
  const [, good] = vectors[1]!;
  for (const stored of [good.slice(0, -1), `${good}x`, good.replace('$5$', '$7$'), good.replace('rounds=10000', 'rounds=999999999'), good.replace('3xv.', '3xv!')]) {
    assert.equal(verify('Hello world!', stored), false, stored);
  }
});
