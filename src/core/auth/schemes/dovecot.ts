// Hashes as Dovecot stores them, "{SCHEME}data" (doc.dovecot.org, "Password Schemes"),
// kept verbatim when imported so that `septet user import` needs no password. Only the
// schemes worth carrying over are read; {PLAIN} is hashed at import instead (import.ts),
// and MD5/SHA-1/DES based ones are refused so that those users get a new password.

import { createHash, timingSafeEqual } from 'node:crypto';
import { parseArgon2, verifyArgon2 } from './argon2.ts';
import { parseBcrypt } from './bcrypt.ts';
import { verifyCryptOffThread } from './crypt-pool.ts';
import { parseShaCrypt } from './sha-crypt.ts';

/** Salted (SSHA*) and plain SHA-2 digests: base64 (the default) or hex of digest[+salt]. */
const DIGESTS: Record<string, { algorithm: 'sha256' | 'sha512'; salted: boolean }> = {
  SSHA512: { algorithm: 'sha512', salted: true },
  SSHA256: { algorithm: 'sha256', salted: true },
  SHA512: { algorithm: 'sha512', salted: false },
  SHA256: { algorithm: 'sha256', salted: false },
};
const CRYPT_SCHEMES = new Set(['CRYPT', 'SHA512-CRYPT', 'SHA256-CRYPT', 'BLF-CRYPT']);
const ARGON2_SCHEMES = new Set(['ARGON2ID', 'ARGON2I']);
/** Dovecot's names of a cleartext password. */
export const PLAIN_SCHEMES = new Set(['PLAIN', 'CLEAR', 'CLEARTEXT']);

export interface DovecotHash {
  /** Upper case, without an encoding suffix: "SSHA512". */
  scheme: string;
  /** As the "{SCHEME.ENC}" suffix says; null = the scheme's default (base64 for digests, raw text for PLAIN). */
  encoding: 'base64' | 'hex' | null;
  data: string;
}

/** "{SSHA512.HEX}abc" → scheme, encoding and data; null when there is no "{...}" prefix. */
export function parseDovecotHash(stored: string): DovecotHash | null {
  const match = /^\{([A-Za-z0-9-]{1,32})(?:\.(b64|base64|hex))?\}(.*)$/is.exec(stored);
  if (!match) return null;
  const [, scheme, encoding, data] = match as unknown as [string, string, string | undefined, string];
  return { scheme: scheme.toUpperCase(), encoding: encoding === undefined ? null : encoding.toLowerCase() === 'hex' ? 'hex' : 'base64', data };
}

/**
 * Why a hash cannot be verified, or null when it can: checked at import, so that a user is
 * refused there rather than locked out later by a hash that can never match.
 */
export function unsupportedReason(hash: DovecotHash): string | null {
  if (ARGON2_SCHEMES.has(hash.scheme)) {
    const parsed = parseArgon2(hash.data);
    return parsed && parsed.algorithm === hash.scheme.toLowerCase() ? null : `not a readable ${hash.scheme} hash (or parameters beyond Septet's bounds)`;
  }
  if (CRYPT_SCHEMES.has(hash.scheme)) {
    if (parseShaCrypt(hash.data) || parseBcrypt(hash.data)) return null;
    if (/^\$(?:[56]\$|2[aby]\$)/.test(hash.data)) return 'not a readable crypt(3) hash (or rounds/cost beyond Septet\'s bounds)';
    return 'crypt(3) hash other than $5$, $6$ or $2a/b/y$ (DES and MD5 crypt are not read)';
  }
  if (hash.scheme in DIGESTS) return digestOf(hash) ? null : `not a readable ${hash.scheme} digest`;
  return `scheme {${hash.scheme}} is not read`;
}

/** The digest (and salt) of an SHA-2 scheme, or null when its size is wrong. */
function digestOf(hash: DovecotHash): { algorithm: 'sha256' | 'sha512'; digest: Buffer; salt: Buffer } | null {
  const { algorithm, salted } = DIGESTS[hash.scheme]!;
  const text = hash.data.trim();
  const encoding = hash.encoding ?? 'base64';
  if (!(encoding === 'hex' ? /^(?:[0-9a-fA-F]{2})+$/ : /^[A-Za-z0-9+/]+={0,2}$/).test(text)) return null;
  const decoded = Buffer.from(text, encoding);
  const size = algorithm === 'sha512' ? 64 : 32;
  if (salted ? decoded.length <= size : decoded.length !== size) return null;
  return { algorithm, digest: decoded.subarray(0, size), salt: decoded.subarray(size) };
}

function verifyDigest(password: Buffer, hash: DovecotHash): boolean {
  const parts = digestOf(hash);
  if (!parts) return false;
  // SSHA: base64(digest(password + salt) + salt); unsalted: an empty salt.
  const digest = createHash(parts.algorithm).update(password).update(parts.salt).digest();
  return timingSafeEqual(digest, parts.digest);
}

/** Dovecot compares the bytes the client sent, so the password is not normalised here. */
export async function verifyDovecotHash(password: Buffer, hash: DovecotHash): Promise<boolean> {
  if (unsupportedReason(hash) !== null) return false;
  if (ARGON2_SCHEMES.has(hash.scheme)) return verifyArgon2(password, hash.data);
  if (CRYPT_SCHEMES.has(hash.scheme)) return verifyCryptOffThread(password, hash.data);
  return verifyDigest(password, hash);
}
