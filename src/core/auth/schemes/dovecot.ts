// Hashes as Dovecot stores them, "{SCHEME}data" (doc.dovecot.org, "Password Schemes"),
// kept verbatim when imported so that `septet user import` needs no password. Only the
// schemes worth carrying over are read; {PLAIN} is hashed at import instead (import.ts),
// and MD5/SHA-1/DES based ones are refused so that those users get a new password.

import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyArgon2 } from './argon2.ts';
import { isBcrypt } from './bcrypt.ts';
import { verifyCryptOffThread } from './crypt-pool.ts';
import { isShaCrypt } from './sha-crypt.ts';

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

/** Why a scheme cannot be verified, or null when it can (checked at import, before storing). */
export function unsupportedReason(hash: DovecotHash): string | null {
  if (ARGON2_SCHEMES.has(hash.scheme)) return hash.data.startsWith(`$${hash.scheme.toLowerCase()}$`) ? null : `not an ${hash.scheme} hash`;
  if (CRYPT_SCHEMES.has(hash.scheme)) {
    return isShaCrypt(hash.data) || isBcrypt(hash.data) ? null : 'crypt(3) hash other than $5$, $6$ or $2a/b/y$ (DES and MD5 crypt are not read)';
  }
  if (hash.scheme in DIGESTS) return null;
  return `scheme {${hash.scheme}} is not read`;
}

function verifyDigest(password: Buffer, hash: DovecotHash): boolean {
  const { algorithm, salted } = DIGESTS[hash.scheme]!;
  const decoded = Buffer.from(hash.data.trim(), hash.encoding ?? 'base64');
  const size = algorithm === 'sha512' ? 64 : 32;
  if (salted ? decoded.length <= size : decoded.length !== size) return false;
  // SSHA: base64(digest(password + salt) + salt)
  const salt = decoded.subarray(size);
  const digest = createHash(algorithm).update(password).update(salt).digest();
  return timingSafeEqual(digest, decoded.subarray(0, size));
}

/** Dovecot compares the bytes the client sent, so the password is not normalised here. */
export async function verifyDovecotHash(password: Buffer, hash: DovecotHash): Promise<boolean> {
  if (unsupportedReason(hash) !== null) return false;
  if (ARGON2_SCHEMES.has(hash.scheme)) return verifyArgon2(password, hash.data);
  if (CRYPT_SCHEMES.has(hash.scheme)) return verifyCryptOffThread(password, hash.data);
  return verifyDigest(password, hash);
}
