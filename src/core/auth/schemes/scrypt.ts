// Password hashing with scrypt (RFC 7914). A hash is self-describing,
// "$scrypt$N=16384,r=8,p=1$<salt>$<key>" (unpadded base64), so the cost can be raised
// later without invalidating stored hashes.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
/** Bounds on parameters read from a stored hash, so a tampered row cannot ask for gigabytes. */
const MAX_COST = 1 << 20;
const MAX_BLOCK_SIZE = 32;
const MAX_PARALLELISM = 16;

function deriveKey(password: string, salt: Buffer, keyLength: number, options: ScryptOptions & { N: number; r: number }): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; Node refuses above maxmem (32 MiB by default).
  const maxmem = 128 * options.N * options.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const isPowerOfTwo = (n: number): boolean => Number.isSafeInteger(n) && n > 1 && (n & (n - 1)) === 0;

export async function hashScrypt(password: string, cost = 16384): Promise<string> {
  if (!isPowerOfTwo(cost) || cost > MAX_COST) throw new RangeError(`scrypt cost must be a power of two up to ${MAX_COST}`);
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, KEY_BYTES, { N: cost, r: BLOCK_SIZE, p: PARALLELISM });
  return `$scrypt$N=${cost},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const match = /^\$scrypt\$N=(\d{1,8}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9_-]{8,128})\$([A-Za-z0-9_-]{16,256})$/.exec(stored);
  if (!match) return null;
  const [, n, r, p, salt, key] = match as unknown as [string, string, string, string, string, string];
  const parsed = { N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
  if (!isPowerOfTwo(parsed.N) || parsed.N > MAX_COST) return null;
  if (parsed.r < 1 || parsed.r > MAX_BLOCK_SIZE || parsed.p < 1 || parsed.p > MAX_PARALLELISM) return null;
  return parsed;
}

/** The cost N of a readable scrypt hash, else null (so a login can tell whether it is current). */
export const scryptCostOf = (stored: string): number | null => parseHash(stored)?.N ?? null;

export const isScryptHash = (stored: string): boolean => stored.startsWith('$scrypt$');

/** true when the password matches; false for a wrong password or an unreadable hash. */
export async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await deriveKey(password, parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p });
  return timingSafeEqual(key, parsed.key);
}
