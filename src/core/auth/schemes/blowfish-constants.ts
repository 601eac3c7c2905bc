// Blowfish's initial P-array and S-boxes are, by its definition (Schneier, "Description of
// a New Variable-Length Key, 64-Bit Block Cipher", 1993), the fractional hexadecimal digits
// of pi in order: 18 P words, then the four 256-word S-boxes. Computing them once (Machin's
// formula in BigInt fixed point, a few milliseconds) replaces 1042 hand-copied constants;
// tests pin known words (P[0] = 0x243f6a88, the last S-box word 0x3ac372e6) and bcrypt vectors.

export const BLOWFISH_WORDS = 18 + 4 * 256;

/** floor(2^bits / x) * atan(1/x), from the alternating series. */
function arctanInverse(x: bigint, bits: bigint): bigint {
  const one = 1n << bits;
  let power = one / x;
  const xSquared = x * x;
  let sum = power;
  for (let k = 1n; power !== 0n; k++) {
    power /= xSquared;
    const term = power / (2n * k + 1n);
    sum += k & 1n ? -term : term;
  }
  return sum;
}

let cached: Uint32Array | null = null;

/** The first BLOWFISH_WORDS 32-bit words of pi's fraction (a fresh copy each call). */
export function piFractionWords(): Uint32Array {
  if (!cached) {
    const wanted = BigInt(BLOWFISH_WORDS * 32);
    const guard = 64n; // extra bits so the rounding of each term never reaches the digits kept
    const bits = wanted + guard;
    // pi = 16 atan(1/5) - 4 atan(1/239)
    const pi = 16n * arctanInverse(5n, bits) - 4n * arctanInverse(239n, bits);
    let fraction = (pi >> guard) & ((1n << wanted) - 1n);
    const words = new Uint32Array(BLOWFISH_WORDS);
    for (let i = BLOWFISH_WORDS - 1; i >= 0; i--) {
      words[i] = Number(fraction & 0xffffffffn);
      fraction >>= 32n;
    }
    cached = words;
  }
  return cached.slice();
}
