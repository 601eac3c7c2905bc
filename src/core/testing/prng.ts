// mulberry32: a small, seedable PRNG for fuzz tests, so a failure can be replayed
// from its seed. Test-only; never used for anything that needs real randomness.

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

/** An integer in [0, n). */
export const int = (rand: Rand, n: number): number => Math.floor(rand() * n);

/** One element of a non-empty list. */
export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[int(rand, xs.length)]!;

/**
 * A few random edits of a valid input, the way fuzzers find parser edge cases: delete
 * an octet, overwrite one with a random octet, insert a token the format finds
 * interesting, or cut the input short.
 */
export function mutate(rand: Rand, input: Buffer, tokens: readonly string[]): Buffer {
  const octets = [...input];
  for (let edits = 1 + int(rand, 4); edits > 0; edits--) {
    const at = int(rand, octets.length + 1);
    const op = rand();
    if (op < 0.25) octets.splice(at, 1);
    else if (op < 0.5) octets[Math.min(at, Math.max(0, octets.length - 1))] = pick(rand, [0, 0xff, int(rand, 256)]);
    else if (op < 0.75) octets.splice(at, 0, ...Buffer.from(pick(rand, tokens), 'latin1'));
    else octets.splice(at);
  }
  return Buffer.from(octets);
}
