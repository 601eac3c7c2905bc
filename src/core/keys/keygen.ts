// The key generator (`septet ssh keygen`, like PuTTYgen): a new Ed25519, ECDSA or RSA
// key pair, its private key as an OpenSSH file (openssh-key-v1, PROTOCOL.key; written
// by ssh2's generator, encrypted as ssh-keygen does: aes256-ctr, bcrypt_pbkdf with 16
// rounds) or a PuTTY .ppk version 3 file (ppk.ts), and its public key checked by the
// same code that checks keys users add.

import { generateKeyPair as generateNodeKeyPair, type KeyObject, type webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { parseAuthorizedKeyLine } from './authorized-keys.ts';
import { KeyFormatError } from './errors.ts';
import { writePpk, type Argon2Parameters } from './ppk.ts';
import { cleanComment, publicKeyFromBlob, RSA_MAX_BITS, RSA_MIN_BITS, type PublicKey } from './public-key.ts';
import { sshMpint, sshString } from './wire.ts';

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';
export type PrivateKeyFormat = 'openssh' | 'ppk';

export const RSA_DEFAULT_BITS = 3072;
export const ECDSA_BITS = [256, 384, 521] as const;

export interface KeygenOptions {
  type: KeyType;
  /** RSA: 2048..16384 (default 3072); ECDSA: 256, 384 or 521 (default 256); Ed25519: 256 or none. */
  bits?: number;
  comment: string;
  format: PrivateKeyFormat;
  /** Encrypts the private key; null or empty: unencrypted. */
  passphrase: Buffer | null;
  /** PPK only: Argon2 settings (default PuTTY's, passes calibrated). */
  argon2?: Argon2Parameters;
}

export interface GeneratedKey {
  publicKey: PublicKey;
  /** The private key file's text. */
  privateKey: string;
}

/** Checks and completes the bits for a type; KeyFormatError with the allowed values. */
export function keyBits(type: KeyType, bits: number | undefined): number {
  switch (type) {
    case 'ed25519':
      if (bits !== undefined && bits !== 256) throw new KeyFormatError('Ed25519 keys have 256 bits; leave out --bits');
      return 256;
    case 'ecdsa':
      if (bits === undefined) return 256;
      if (!(ECDSA_BITS as readonly number[]).includes(bits)) throw new KeyFormatError('ECDSA keys have 256, 384 or 521 bits');
      return bits;
    case 'rsa':
      if (bits === undefined) return RSA_DEFAULT_BITS;
      if (!Number.isSafeInteger(bits) || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) throw new KeyFormatError(`RSA keys have ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits`);
      return bits;
    default:
      throw new KeyFormatError(`unknown key type ${String(type)}: ed25519, ecdsa or rsa`);
  }
}

/** PuTTYgen's default comment: "ed25519-key-20261203". */
export function defaultComment(type: KeyType, now = new Date()): string {
  return `${type}-key-${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

interface Ssh2KeyPair {
  private: string;
  public: string;
}
type Ssh2Generate = (type: string, options: Record<string, unknown>, callback: (error: Error | null, keys: Ssh2KeyPair) => void) => void;
const ssh2 = createRequire(import.meta.url)('ssh2') as { utils: { generateKeyPair: Ssh2Generate } };

export async function generateKey(options: KeygenOptions): Promise<GeneratedKey> {
  const bits = keyBits(options.type, options.bits);
  const comment = cleanComment(options.comment);
  const passphrase = options.passphrase && options.passphrase.length > 0 ? options.passphrase : null;
  if (options.format === 'openssh') {
    const settings: Record<string, unknown> = { bits, comment };
    if (passphrase) Object.assign(settings, { passphrase, cipher: 'aes256-ctr', rounds: 16 });
    return generateOpenSsh(options.type, settings);
  }
  if (options.format !== 'ppk') throw new KeyFormatError(`unknown private key format ${String(options.format)}: openssh or ppk`);
  const parts = await generateParts(options.type, bits);
  const publicKey = publicKeyFromBlob(parts.publicBlob, comment, parts.algorithm);
  return { publicKey, privateKey: writePpk(parts, comment, passphrase, options.argon2) };
}

/**
 * ssh2 1.17's generator drops leading zero octets of the Ed25519 public key (it strips
 * the BIT STRING's unused-bits octet that way, keygen.js parseDERs), so one key in 256 comes
 * out with a 31-octet public key, in the .pub line and inside the private key file alike:
 * unusable. The check of the public line catches it; such a key is thrown away and made
 * again (a fresh random key, so nothing is lost but one draw in 256).
 */
async function generateOpenSsh(type: KeyType, settings: Record<string, unknown>): Promise<GeneratedKey> {
  for (let attempt = 1; ; attempt++) {
    const keys = await new Promise<Ssh2KeyPair>((resolve, reject) => {
      ssh2.utils.generateKeyPair(type, settings, (error, pair) => (error ? reject(error) : resolve(pair)));
    });
    try {
      return { publicKey: parseAuthorizedKeyLine(keys.public), privateKey: keys.private };
    } catch (error) {
      if (!(error instanceof KeyFormatError) || type !== 'ed25519' || attempt >= 8) throw error;
    }
  }
}

const generate = promisify(generateNodeKeyPair);
const fromJwk = (value: string | undefined): Buffer => {
  if (!value) throw new Error('node:crypto gave a key without a component');
  return Buffer.from(value, 'base64url');
};

/** A fresh key's public blob and its PPK private fields (appendix C.3). */
async function generateParts(type: KeyType, bits: number): Promise<{ algorithm: string; publicBlob: Buffer; privateBlob: Buffer }> {
  const jwkOf = async (pair: Promise<{ privateKey: KeyObject }>): Promise<webcrypto.JsonWebKey> => (await pair).privateKey.export({ format: 'jwk' });
  if (type === 'ed25519') {
    const jwk = await jwkOf(generate('ed25519'));
    // C.3.4: string of the 32-octet private key (the seed), as puttygen writes it.
    return { algorithm: 'ssh-ed25519', publicBlob: Buffer.concat([sshString('ssh-ed25519'), sshString(fromJwk(jwk.x))]), privateBlob: sshString(fromJwk(jwk.d)) };
  }
  if (type === 'ecdsa') {
    const curve = `nistp${bits}`;
    const algorithm = `ecdsa-sha2-${curve}`;
    const jwk = await jwkOf(generate('ec', { namedCurve: `P-${bits}` }));
    const point = Buffer.concat([Buffer.from([0x04]), fromJwk(jwk.x), fromJwk(jwk.y)]);
    // C.3.3: mpint private exponent.
    return { algorithm, publicBlob: Buffer.concat([sshString(algorithm), sshString(curve), sshString(point)]), privateBlob: sshMpint(fromJwk(jwk.d)) };
  }
  const jwk = await jwkOf(generate('rsa', { modulusLength: bits, publicExponent: 0x10001 }));
  // C.3.1: mpint d, mpint p, mpint q, mpint iqmp (q^-1 mod p, JWK's "qi", RFC 7518 §6.3.2.6).
  return {
    algorithm: 'ssh-rsa',
    publicBlob: Buffer.concat([sshString('ssh-rsa'), sshMpint(fromJwk(jwk.e)), sshMpint(fromJwk(jwk.n))]),
    privateBlob: Buffer.concat([sshMpint(fromJwk(jwk.d)), sshMpint(fromJwk(jwk.p)), sshMpint(fromJwk(jwk.q)), sshMpint(fromJwk(jwk.qi))]),
  };
}
