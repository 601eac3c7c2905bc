// Password hashes: the ones Septet writes (auth.password_scheme: scrypt or argon2id) and
// the ones it only reads, imported from Dovecot ("{SCHEME}data", schemes/dovecot.ts).
// Every stored hash says what it is, so the configured scheme can change at any time:
// a login with an older hash succeeds and replaces it (isCurrentHash, authenticator.ts).

import { DOVECOT_ARGON2ID, hashArgon2id, parseArgon2, verifyArgon2, type Argon2Parameters } from './schemes/argon2.ts';
import { parseDovecotHash, verifyDovecotHash } from './schemes/dovecot.ts';
import { hashScrypt, isScryptHash, scryptCostOf, verifyScrypt } from './schemes/scrypt.ts';

export const PASSWORD_SCHEMES = ['scrypt', 'argon2id'] as const;
export type PasswordScheme = (typeof PASSWORD_SCHEMES)[number];

/** How new hashes are made. */
export type PasswordPolicy = { scheme: 'scrypt'; cost: number } | ({ scheme: 'argon2id' } & Argon2Parameters);

export const DEFAULT_POLICY: PasswordPolicy = { scheme: 'scrypt', cost: 16384 };

/** The [auth] settings that make the policy. */
export interface PasswordSettings {
  password_scheme: string;
  scrypt_cost: number;
  argon2_memory_kib: number;
  argon2_passes: number;
  argon2_parallelism: number;
}

export function passwordPolicy(auth: PasswordSettings): PasswordPolicy {
  if (auth.password_scheme === 'argon2id') {
    return { scheme: 'argon2id', memoryKib: auth.argon2_memory_kib, passes: auth.argon2_passes, parallelism: auth.argon2_parallelism };
  }
  return { scheme: 'scrypt', cost: auth.scrypt_cost };
}

/**
 * A new hash of `password`. A number is a scrypt cost (the tests' short form). Septet's own
 * hashes are of the NFC form, so that "ä" typed as one or two code points logs in alike.
 */
export function hashPassword(password: string, policy: PasswordPolicy | number = DEFAULT_POLICY): Promise<string> {
  const chosen = typeof policy === 'number' ? ({ scheme: 'scrypt', cost: policy } as const) : policy;
  if (chosen.scheme === 'argon2id') return hashArgon2id(Buffer.from(password.normalize('NFC')), chosen);
  return hashScrypt(password, chosen.cost);
}

/** true when the password matches; false for a wrong password or an unreadable or unknown hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (isScryptHash(stored)) return verifyScrypt(password, stored);
  if (stored.startsWith('$argon2')) return verifyArgon2(Buffer.from(password.normalize('NFC')), stored);
  const imported = parseDovecotHash(stored);
  return imported ? verifyDovecotHash(Buffer.from(password), imported) : false;
}

/** true when `stored` is what `policy` would make now (same scheme and parameters). */
export function isCurrentHash(stored: string, policy: PasswordPolicy): boolean {
  if (policy.scheme === 'scrypt') return scryptCostOf(stored) === policy.cost;
  const parsed = parseArgon2(stored);
  return (
    parsed !== null &&
    parsed.algorithm === 'argon2id' &&
    parsed.memoryKib === policy.memoryKib &&
    parsed.passes === policy.passes &&
    parsed.parallelism === policy.parallelism
  );
}

/** A short name for `septet user list`: "scrypt", "argon2id", "{SHA512-CRYPT}". */
export function hashSchemeName(stored: string): string {
  if (isScryptHash(stored)) return 'scrypt';
  if (stored.startsWith('$argon2')) return parseArgon2(stored)?.algorithm ?? 'unreadable';
  const imported = parseDovecotHash(stored);
  return imported ? `{${imported.scheme}}` : 'unreadable';
}

export { DOVECOT_ARGON2ID };
