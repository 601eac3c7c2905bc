// bcrypt (Provos and Mazieres, "A Future-Adaptable Password Scheme", USENIX 1999) as
// OpenBSD's crypt(3) writes it and Dovecot's {BLF-CRYPT}: "$2y$05$<22 salt chars><31 hash chars>".
// $2a$, $2b$ and $2y$ compute the same for passwords shorter than 255 bytes (the only
// difference, a length counter's wrap in old $2a$ code); $2x$ (a broken variant) is refused.
// Verification only: Septet never writes it.

import { timingSafeEqual } from 'node:crypto';
import { piFractionWords } from './blowfish-constants.ts';
import { bcryptBase64, bcryptBase64Decode } from './crypt-base64.ts';

/** Costs above this (2^16 key schedules, seconds of CPU in JavaScript) are refused when read. */
export const MAX_COST = 16;
const MAX_KEY_BYTES = 72;
/** The 24 bytes encrypted 64 times: "OrpheanBeholderScryDoubt" as six big-endian words. */
const MAGIC = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array; // four S-boxes of 256 words, one after the other
  private readonly block = new Uint32Array(2);

  constructor() {
    const words = piFractionWords();
    this.p = words.subarray(0, 18);
    this.s = words.subarray(18);
  }

  private f(x: number): number {
    const s = this.s;
    return (((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) | 0;
  }

  /** Encrypts this.block in place (16 Feistel rounds). */
  private encipher(): void {
    const p = this.p;
    let l = this.block[0]!;
    let r = this.block[1]!;
    for (let i = 0; i < 16; i += 2) {
      l ^= p[i]!;
      r ^= this.f(l);
      r ^= p[i + 1]!;
      l ^= this.f(r);
    }
    this.block[0] = r ^ p[17]!;
    this.block[1] = l ^ p[16]!;
  }

  /** Eksblowfish's ExpandKey(state, salt, key); an empty salt is the all-zero one. */
  expand(key: Buffer, salt: Buffer | null): void {
    let keyAt = 0;
    const nextKeyWord = (): number => {
      let word = 0;
      for (let i = 0; i < 4; i++, keyAt = (keyAt + 1) % key.length) word = (word << 8) | key[keyAt]!;
      return word;
    };
    for (let i = 0; i < 18; i++) this.p[i]! ^= nextKeyWord();
    let saltAt = 0;
    const nextSaltWord = (): number => {
      if (!salt) return 0;
      const word = salt.readUInt32BE(saltAt);
      saltAt = (saltAt + 4) % salt.length;
      return word;
    };
    this.block[0] = 0;
    this.block[1] = 0;
    const fill = (target: Uint32Array): void => {
      for (let i = 0; i < target.length; i += 2) {
        this.block[0]! ^= nextSaltWord();
        this.block[1]! ^= nextSaltWord();
        this.encipher();
        target[i] = this.block[0]!;
        target[i + 1] = this.block[1]!;
      }
    };
    fill(this.p);
    fill(this.s);
  }

  /** Encrypts `words` (an even number of 32-bit words) in ECB mode, in place. */
  encrypt(words: Uint32Array): void {
    for (let i = 0; i < words.length; i += 2) {
      this.block[0] = words[i]!;
      this.block[1] = words[i + 1]!;
      this.encipher();
      words[i] = this.block[0]!;
      words[i + 1] = this.block[1]!;
    }
  }
}

function bcryptDigest(password: Buffer, salt: Buffer, cost: number): Buffer {
  // The key is the password with its terminating NUL, cut at 72 bytes.
  const key = Buffer.concat([password, Buffer.alloc(1)]).subarray(0, MAX_KEY_BYTES);
  const state = new Blowfish();
  state.expand(key, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    state.expand(key, null);
    state.expand(salt, null);
  }
  const text = new Uint32Array(6);
  for (let i = 0; i < 6; i++) text[i] = MAGIC.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) state.encrypt(text);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(text[i]!, i * 4);
  return out.subarray(0, 23); // bcrypt keeps 23 of the 24 bytes
}

export const isBcrypt = (stored: string): boolean => /^\$2[aby]\$/.test(stored);

/** null for anything but a well-formed $2a$/$2b$/$2y$ string of a cost from 4 to MAX_COST. */
export function parseBcrypt(stored: string): { cost: number; salt: Buffer; hashText: string } | null {
  const match = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(stored);
  if (!match) return null;
  const [, costText, saltText, hashText] = match as unknown as [string, string, string, string];
  const cost = Number(costText);
  if (cost < 4 || cost > MAX_COST) return null;
  const salt = bcryptBase64Decode(saltText);
  return salt && salt.length === 16 ? { cost, salt, hashText } : null;
}

export function verifyBcrypt(password: Buffer, stored: string): boolean {
  const parsed = parseBcrypt(stored);
  if (!parsed) return false;
  const computed = Buffer.from(bcryptBase64(bcryptDigest(password, parsed.salt, parsed.cost)));
  return timingSafeEqual(computed, Buffer.from(parsed.hashText));
}
