// SHA-crypt, crypt(3)'s "$5$" (SHA-256) and "$6$" (SHA-512) formats, as glibc and
// Dovecot's {SHA256-CRYPT}/{SHA512-CRYPT} write them. The algorithm is Ulrich Drepper's
// "Unix crypt using SHA-256 and SHA-512" (https://www.akkadia.org/drepper/SHA-crypt.txt);
// the step numbers below are that text's. Verification only: Septet never writes it.

import { createHash, timingSafeEqual } from 'node:crypto';
import { cryptBase64 } from './crypt-base64.ts';

type Variant = { id: '5' | '6'; algorithm: 'sha256' | 'sha512'; order: readonly number[] };

// Steps 22: the order in which the final digest's bytes are encoded, three at a time.
const SHA256_ORDER = [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29, 31, 30];
const SHA512_ORDER = [
  0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14,
  35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41, 63,
];
const VARIANTS: Record<string, Variant> = {
  '5': { id: '5', algorithm: 'sha256', order: SHA256_ORDER },
  '6': { id: '6', algorithm: 'sha512', order: SHA512_ORDER },
};

const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
/** The spec allows 999,999,999; a stored hash asking for more than this is refused (the work runs in JavaScript). */
export const MAX_ROUNDS = 2_000_000;

/** `length` bytes of `block` repeated (steps 16 and 20's P and S sequences). */
function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function shaCryptDigest(variant: Variant, password: Buffer, salt: Buffer, rounds: number): Buffer {
  const hash = (...parts: Buffer[]): Buffer => {
    const h = createHash(variant.algorithm);
    for (const part of parts) h.update(part);
    return h.digest();
  };
  const b = hash(password, salt, password); // steps 4-8
  const a = createHash(variant.algorithm).update(password).update(salt); // steps 1-3
  a.update(repeatTo(b, password.length)); // steps 9-10
  for (let n = password.length; n > 0; n >>= 1) a.update(n & 1 ? b : password); // step 11
  let c = a.digest(); // step 12
  const p = repeatTo(hash(Buffer.concat(new Array<Buffer>(password.length).fill(password))), password.length); // steps 13-16
  const s = repeatTo(hash(Buffer.concat(new Array<Buffer>(16 + c[0]!).fill(salt))), salt.length); // steps 17-20
  for (let i = 0; i < rounds; i++) {
    // step 21
    const round = createHash(variant.algorithm);
    round.update(i & 1 ? p : c);
    if (i % 3 !== 0) round.update(s);
    if (i % 7 !== 0) round.update(p);
    round.update(i & 1 ? c : p);
    c = round.digest();
  }
  return c;
}

/** Encodes the digest the way step 22 does: three bytes (in `order`) give four characters. */
function encodeDigest(variant: Variant, digest: Buffer): string {
  const reordered = Buffer.from(variant.order.map((index) => digest[index]!));
  return cryptBase64(reordered);
}

interface ParsedShaCrypt {
  variant: Variant;
  rounds: number;
  salt: Buffer;
  encoded: string;
}

/** null for anything but a well-formed "$5$"/"$6$" string within MAX_ROUNDS. */
export function parseShaCrypt(stored: string): ParsedShaCrypt | null {
  // "$6$rounds=N$salt$hash"; the salt is at most 16 characters (longer ones are cut, step 2).
  const match = /^\$([56])\$(?:rounds=(\d{1,9})\$)?([^$]{0,16})\$([./0-9A-Za-z]{43}|[./0-9A-Za-z]{86})$/.exec(stored);
  if (!match) return null;
  const [, id, roundsText, saltText, encoded] = match as unknown as [string, string, string | undefined, string, string];
  const variant = VARIANTS[id]!;
  if (encoded.length !== (variant.id === '5' ? 43 : 86)) return null;
  // "rounds=" below 1000 means 1000, above the maximum is clamped by glibc; a hostile row is refused instead.
  const rounds = roundsText === undefined ? DEFAULT_ROUNDS : Math.max(MIN_ROUNDS, Number(roundsText));
  if (rounds > MAX_ROUNDS) return null;
  return { variant, rounds, salt: Buffer.from(saltText, 'latin1'), encoded };
}

export function verifyShaCrypt(password: Buffer, stored: string): boolean {
  const parsed = parseShaCrypt(stored);
  if (!parsed) return false;
  const computed = Buffer.from(encodeDigest(parsed.variant, shaCryptDigest(parsed.variant, password, parsed.salt, parsed.rounds)));
  return timingSafeEqual(computed, Buffer.from(parsed.encoded));
}
