// Argon2 (RFC 9106) in the PHC string format that libsodium, and so Dovecot's
// {ARGON2ID}/{ARGON2I}, write: "$argon2id$v=19$m=65536,t=3,p=1$<salt>$<tag>", salt and tag
// in standard base64 without padding. Node's node:crypto computes it on the libuv pool.

import { argon2, randomBytes, timingSafeEqual, type Argon2Algorithm } from 'node:crypto';

export interface Argon2Parameters {
  /** Memory in KiB (m). */
  memoryKib: number;
  /** Passes over the memory (t). */
  passes: number;
  /** Lanes (p). */
  parallelism: number;
}

/** What `doveadm pw -s ARGON2ID` writes (Dovecot 2.3, libsodium's defaults there). */
export const DOVECOT_ARGON2ID: Argon2Parameters = { memoryKib: 65536, passes: 3, parallelism: 1 };

const SALT_BYTES = 16;
const TAG_BYTES = 32;
/** RFC 9106 §3.1: version 0x13 is the only one Node computes. */
const VERSION = 19;
/** Bounds on parameters read from a stored hash, so a tampered row cannot ask for gigabytes or minutes. */
export const MAX_MEMORY_KIB = 1 << 20;
export const MAX_PASSES = 64;
export const MAX_PARALLELISM = 64;

interface ParsedArgon2 extends Argon2Parameters {
  algorithm: Argon2Algorithm;
  salt: Buffer;
  tag: Buffer;
}

const unpadded = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

function derive(algorithm: Argon2Algorithm, password: Buffer, salt: Buffer, tagLength: number, p: Argon2Parameters): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(algorithm, { message: password, nonce: salt, tagLength, memory: p.memoryKib, passes: p.passes, parallelism: p.parallelism }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export function parseArgon2(stored: string): ParsedArgon2 | null {
  const match = /^\$(argon2id|argon2i)\$v=(\d{1,3})\$m=(\d{1,8}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,88})\$([A-Za-z0-9+/]{22,88})$/.exec(stored);
  if (!match) return null;
  const [, algorithm, version, m, t, p, salt, tag] = match as unknown as [string, Argon2Algorithm, string, string, string, string, string, string];
  const parsed = { algorithm, memoryKib: Number(m), passes: Number(t), parallelism: Number(p), salt: Buffer.from(salt, 'base64'), tag: Buffer.from(tag, 'base64') };
  if (Number(version) !== VERSION) return null;
  // RFC 9106 §3.1: m is at least 8p KiB; t and p at least 1.
  if (parsed.parallelism < 1 || parsed.parallelism > MAX_PARALLELISM || parsed.passes < 1 || parsed.passes > MAX_PASSES) return null;
  if (parsed.memoryKib < 8 * parsed.parallelism || parsed.memoryKib > MAX_MEMORY_KIB) return null;
  return parsed;
}

export async function hashArgon2id(password: Buffer, parameters: Argon2Parameters): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const tag = await derive('argon2id', password, salt, TAG_BYTES, parameters);
  const { memoryKib: m, passes: t, parallelism: p } = parameters;
  return `$argon2id$v=${VERSION}$m=${m},t=${t},p=${p}$${unpadded(salt)}$${unpadded(tag)}`;
}

export async function verifyArgon2(password: Buffer, stored: string): Promise<boolean> {
  const parsed = parseArgon2(stored);
  if (!parsed) return false;
  const tag = await derive(parsed.algorithm, password, parsed.salt, parsed.tag.length, parsed);
  return timingSafeEqual(tag, parsed.tag);
}
