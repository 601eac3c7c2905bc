// A public key Septet accepts for SSH authentication: its wire blob (RFC 4253 §6.6),
// checked and re-encoded the way OpenSSH re-encodes it, so the fingerprint is the one
// `ssh-keygen -lf` prints and the blob is the one the client offers.
//
// Accepted: ssh-ed25519 (RFC 8709 §4), ecdsa-sha2-nistp256/384/521 with a point on its
// curve (RFC 5656 §3.1), ssh-rsa of at least 2048 bits (RFC 4253 §6.6; signed with
// rsa-sha2-256/512, RFC 8332). Refused: DSA (RFC 4253's ssh-dss: 1024-bit, SHA-1; OpenSSH
// dropped it), RSA below 2048 bits, security-key and certificate types, anything else.

import { createHash, createPublicKey } from 'node:crypto';
import { KeyFormatError } from './errors.ts';
import { SshReader, sshMpint, sshString } from './wire.ts';

export const RSA_MIN_BITS = 2048;
/** OpenSSH's SSH_RSA_MAXIMUM_MODULUS_SIZE. */
export const RSA_MAX_BITS = 16384;
/** Longer comments are cut (RFC 4716 §3.3 allows header values of 1024 octets). */
export const COMMENT_MAX = 1024;

export interface PublicKey {
  /** "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ... */
  algorithm: string;
  /** The wire blob, canonical. */
  blob: Buffer;
  /** RSA: modulus bits; ECDSA: curve size; Ed25519: 256. */
  bits: number;
  /** "SHA256:" + unpadded base64 of SHA-256(blob). */
  fingerprint: string;
  comment: string;
}

const CURVES = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', jwk: 'P-256', bits: 256, size: 32 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', jwk: 'P-384', bits: 384, size: 48 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', jwk: 'P-521', bits: 521, size: 66 },
} as const;

export const ACCEPTED_ALGORITHMS: readonly string[] = ['ssh-ed25519', 'ssh-rsa', ...Object.keys(CURVES)];

/** Key type names OpenSSH knows that we refuse, with the reason. */
function refusal(algorithm: string): string | null {
  if (algorithm === 'ssh-dss') return 'DSA keys (ssh-dss) are refused: in SSH, DSA signs with SHA-1 (RFC 4253 §6.6) and OpenSSH has disabled it; use Ed25519, ECDSA or RSA of 2048 bits or more';
  if (algorithm.startsWith('sk-')) return `security-key (FIDO) keys (${algorithm}) are not supported; use Ed25519, ECDSA or RSA`;
  if (/-cert-v0\d@openssh\.com$/.test(algorithm)) return `OpenSSH certificates (${algorithm}) are not supported; add the plain public key`;
  if (algorithm === 'ssh-ed448') return 'Ed448 keys are not supported; use Ed25519, ECDSA or RSA';
  if (algorithm === 'rsa-sha2-256' || algorithm === 'rsa-sha2-512') return `${algorithm} is a signature algorithm, not a key type: an RSA key says ssh-rsa`;
  return null;
}

/** Whether a token names a key type (accepted or not): how an authorized_keys line tells a key from options. */
export function isKeyTypeName(token: string): boolean {
  return ACCEPTED_ALGORITHMS.includes(token) || refusal(token) !== null;
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Control characters (terminal escapes) become "?"; tabs spaces; trimmed and cut to COMMENT_MAX. */
export function cleanComment(comment: string): string {
  return comment
    .replace(/\t/g, ' ')
    .replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, '?')
    .trim()
    .slice(0, COMMENT_MAX);
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

function bitLength(magnitude: Buffer): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]!));
}

/**
 * Checks a wire blob and returns the key. `declared` is the type the container names
 * (the first field of an OpenSSH line, a PPK header): it must match the blob's.
 */
export function publicKeyFromBlob(blob: Buffer, comment: string, declared?: string): PublicKey {
  const reader = new SshReader(blob);
  const algorithm = reader.name();
  if (declared !== undefined && declared !== algorithm) {
    throw new KeyFormatError(`the key says it is ${declared} but its data is ${algorithm || 'of no type'}`);
  }
  const refused = refusal(algorithm);
  if (refused) throw new KeyFormatError(refused);
  let canonical: Buffer;
  let bits: number;
  if (algorithm === 'ssh-ed25519') {
    // RFC 8709 §4: string "ssh-ed25519", string key (32 octets).
    const key = reader.string();
    if (key.length !== 32) throw new KeyFormatError(`an Ed25519 key has 32 octets, this one ${key.length}`);
    end(reader);
    canonical = Buffer.concat([sshString(algorithm), sshString(key)]);
    bits = 256;
  } else if (algorithm === 'ssh-rsa') {
    // RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n.
    const e = reader.positiveMpint();
    const n = reader.positiveMpint();
    end(reader);
    bits = bitLength(n);
    if (bits < RSA_MIN_BITS) throw new KeyFormatError(`RSA keys of ${bits} bits are refused: at least ${RSA_MIN_BITS} bits`);
    if (bits > RSA_MAX_BITS) throw new KeyFormatError(`RSA keys of ${bits} bits are refused: at most ${RSA_MAX_BITS} bits`);
    if ((n[n.length - 1]! & 1) === 0) throw new KeyFormatError('not an RSA key: the modulus is even');
    if (bitLength(e) < 2 || (e[e.length - 1]! & 1) === 0 || e.length > n.length) throw new KeyFormatError('not an RSA key: bad public exponent');
    checkWithCrypto({ kty: 'RSA', n: b64url(n), e: b64url(e) }, 'RSA');
    canonical = Buffer.concat([sshString(algorithm), sshMpint(e), sshMpint(n)]);
  } else if (algorithm in CURVES) {
    // RFC 5656 §3.1: string type, string curve identifier, string Q (SEC1 point).
    const spec = CURVES[algorithm as keyof typeof CURVES];
    const curve = reader.name();
    if (curve !== spec.curve) throw new KeyFormatError(`an ${algorithm} key must name curve ${spec.curve}, this one names ${curve || 'none'}`);
    const q = reader.string();
    end(reader);
    // OpenSSH takes uncompressed points only (0x04 || x || y).
    if (q.length !== 1 + 2 * spec.size || q[0] !== 0x04) throw new KeyFormatError(`the ${spec.curve} point is not an uncompressed point of ${1 + 2 * spec.size} octets`);
    checkWithCrypto({ kty: 'EC', crv: spec.jwk, x: b64url(q.subarray(1, 1 + spec.size)), y: b64url(q.subarray(1 + spec.size)) }, 'ECDSA');
    canonical = Buffer.concat([sshString(algorithm), sshString(curve), sshString(q)]);
    bits = spec.bits;
  } else {
    throw new KeyFormatError(`unknown key type ${algorithm || '(none)'}: Septet accepts ${ACCEPTED_ALGORITHMS.join(', ')}`);
  }
  return { algorithm, blob: canonical, bits, fingerprint: fingerprintOf(canonical), comment: cleanComment(comment) };
}

function end(reader: SshReader): void {
  if (!reader.done) throw new KeyFormatError('the key blob has data after the key');
}

/** node:crypto (OpenSSL) checks what we cannot by hand: the point is on the curve. */
function checkWithCrypto(jwk: Record<string, string>, what: string): void {
  try {
    createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new KeyFormatError(`not a valid ${what} public key${what === 'ECDSA' ? ' (the point is not on the curve)' : ''}`);
  }
}

/** The authorized_keys form: "type base64 comment". */
export function formatOpenSshLine(key: Pick<PublicKey, 'algorithm' | 'blob' | 'comment'>): string {
  return `${key.algorithm} ${key.blob.toString('base64')}${key.comment ? ` ${key.comment}` : ''}`;
}

/** The short type ssh-keygen -l shows in parentheses. */
export function typeLabel(algorithm: string): string {
  if (algorithm === 'ssh-ed25519') return 'ED25519';
  if (algorithm === 'ssh-rsa') return 'RSA';
  if (algorithm.startsWith('ecdsa-')) return 'ECDSA';
  return algorithm;
}

/** The line `ssh-keygen -lf` prints: "256 SHA256:... comment (ED25519)". */
export function describeKey(key: PublicKey): string {
  return `${key.bits} ${key.fingerprint} ${key.comment || 'no comment'} (${typeLabel(key.algorithm)})`;
}
