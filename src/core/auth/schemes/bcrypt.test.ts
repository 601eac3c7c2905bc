import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLOWFISH_WORDS, piFractionWords } from './blowfish-constants.ts';
import { verifyBcrypt } from './bcrypt.ts';

const verify = (password: string, stored: string) => verifyBcrypt(Buffer.from(password), stored);

test("Blowfish's initial state is pi's fraction: P[0], P[17], S1[0] and the last S4 word as Schneier lists them", () => {
  const words = piFractionWords();
  assert.equal(words.length, BLOWFISH_WORDS);
  assert.deepEqual([words[0], words[1], words[17], words[18], words[BLOWFISH_WORDS - 1]], [0x243f6a88, 0x85a308d3, 0x8979fb1b, 0xd1310ba6, 0x3ac372e6]);
  words[0] = 0; // a copy: callers cannot spoil the next state
  assert.equal(piFractionWords()[0], 0x243f6a88);
});

// OpenBSD's regress vectors (as in jBCrypt's tests), and $2b$/$2y$ spellings of them.
const vectors: Array<[string, string]> = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['a', '$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  ['abcdefghijklmnopqrstuvwxyz', '$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC'],
  ['~!@#$%^&*()      ~!@#$%^&*()PNBFRD', '$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO'],
  ['abc', '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  ['abc', '$2y$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
];

for (const [password, stored] of vectors) {
  test(`bcrypt ${stored.slice(0, 12)}… of ${JSON.stringify(password)} verifies, a wrong password does not`, () => {
    assert.equal(verify(password, stored), true);
    assert.equal(verify(`${password}x`, stored), false);
  });
}

test('bcrypt: the $2x$ variant, costs out of range and malformed strings never verify', () => {
  const [, good] = vectors[2]!;
  for (const stored of [good.replace('$2a$', '$2x$'), good.replace('$06$', '$03$'), good.replace('$06$', '$17$'), good.slice(0, -1), `${good}x`, good.replace('If6b', 'If6!')]) {
    assert.equal(verify('abc', stored), false, stored);
  }
});
