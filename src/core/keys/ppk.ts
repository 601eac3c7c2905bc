// PuTTY's .ppk files (PuTTY manual, appendix C "PPK file format"), versions 2 and 3.
//
// Reading: only the public part (appendix C.2: "Public-Lines", in the clear even when
// the private part is encrypted) and the comment; nothing asks for the passphrase.
// Writing (the key generator): version 3, unencrypted ("none", MAC with an empty key)
// or aes256-cbc with Argon2id key derivation (C.4), HMAC-SHA-256 over the fields of
// C.2. readPpkPrivate checks a version 3 file's MAC and decrypts it (tests, and to
// prove our key derivation is PuTTY's on files puttygen wrote).

import { argon2Sync, createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { KeyFormatError } from './errors.ts';
import { publicKeyFromBlob, type PublicKey } from './public-key.ts';
import { decodeBase64, sshString } from './wire.ts';

/** PuTTY 0.78's defaults (cmdgen): Argon2id, 8192 KiB, one lane; passes chosen to take about 100 ms. */
export interface Argon2Parameters {
  memory: number;
  passes: number;
  parallelism: number;
}
export const PPK_ARGON2_MEMORY = 8192;
export const PPK_ARGON2_PARALLELISM = 1;
const PPK_ARGON2_TARGET_MS = 100;
/**
 * What we accept when decrypting a file (only tests do; the product reads the public part
 * alone): a hostile file must not make us allocate or compute much. In KiB and passes;
 * PuTTYgen's defaults are 8192 KiB and a pass count calibrated to about 100 ms.
 */
const ARGON2_MAX_MEMORY = 1 << 16;
const ARGON2_MAX_PASSES = 100;
const LINES_MAX = 2000;

const HEADER = /^PuTTY-User-Key-File-(\d+): ?(.*)$/;

export function looksLikePpk(text: string): boolean {
  return /^PuTTY-User-Key-File-\d+:/.test(text.replace(/^\uFEFF/, '').trimStart());
}

interface PpkFields {
  version: number;
  algorithm: string;
  encryption: string;
  comment: string;
  publicBlob: Buffer;
  /** Headers after the public lines, by name, and the private lines' base64. */
  rest: Map<string, string>;
  privateBase64: string | null;
}

function readFields(text: string, wantPrivate: boolean): PpkFields {
  const lines = text.replace(/^\uFEFF/, '').trimStart().split(/\r\n|\n|\r/);
  let i = 0;
  const next = (what: string): string => {
    const line = lines[i++];
    if (line === undefined) throw new KeyFormatError(`the PuTTY key file ends before ${what}`);
    return line;
  };
  const header = (name: string): string => {
    const line = next(`"${name}:"`);
    const colon = line.indexOf(': ');
    if (colon < 0 || line.slice(0, colon) !== name) throw new KeyFormatError(`the PuTTY key file has "${line.slice(0, 40)}" where "${name}:" belongs`);
    return line.slice(colon + 2);
  };
  const count = (name: string): number => {
    const value = header(name);
    if (!/^\d{1,6}$/.test(value) || Number(value) > LINES_MAX) throw new KeyFormatError(`${name}: bad line count ${value.slice(0, 20)}`);
    return Number(value);
  };
  const base64Lines = (n: number, what: string): string => {
    let joined = '';
    for (let k = 0; k < n; k++) joined += next(what).trim();
    return joined;
  };

  const first = HEADER.exec(next('its header'));
  if (!first) throw new KeyFormatError('not a PuTTY key file');
  const version = Number(first[1]);
  // C.5: version 1 was never released; 2 is PuTTY 0.52-0.74, 3 since 0.75.
  if (version === 1) throw new KeyFormatError('PuTTY key files of version 1 are not supported: load the key into PuTTYgen and save it again');
  if (version !== 2 && version !== 3) throw new KeyFormatError(`PuTTY key file version ${first[1]!.slice(0, 10)} is unknown (2 and 3 are supported)`);
  const algorithm = first[2]!.trim();
  const encryption = header('Encryption');
  if (encryption !== 'none' && encryption !== 'aes256-cbc') throw new KeyFormatError(`the PuTTY key file's encryption ${encryption.slice(0, 40)} is unknown`);
  const comment = header('Comment');
  const publicBlob = decodeBase64(base64Lines(count('Public-Lines'), 'the public key lines'), 'the public key');
  const rest = new Map<string, string>();
  let privateBase64: string | null = null;
  if (wantPrivate) {
    for (;;) {
      const line = next('"Private-Lines:"');
      const colon = line.indexOf(': ');
      if (colon < 0) throw new KeyFormatError(`bad line in the PuTTY key file: ${line.slice(0, 40)}`);
      const name = line.slice(0, colon);
      const value = line.slice(colon + 2);
      if (name === 'Private-Lines') {
        i--;
        privateBase64 = base64Lines(count('Private-Lines'), 'the private key lines');
        break;
      }
      rest.set(name, value);
    }
    const mac = next('"Private-MAC:"');
    if (!mac.startsWith('Private-MAC: ')) throw new KeyFormatError('the PuTTY key file has no Private-MAC');
    rest.set('Private-MAC', mac.slice('Private-MAC: '.length).trim());
  }
  return { version, algorithm, encryption, comment, publicBlob, rest, privateBase64 };
}

/** The public key of a PPK v2 or v3 file, with its Comment; the private part is not read. */
export function parsePpkPublic(text: string): PublicKey {
  const fields = readFields(text, false);
  return publicKeyFromBlob(fields.publicBlob, fields.comment, fields.algorithm);
}

/** C.2: the MAC's input: string algorithm, string encryption, string comment, string public, string private plaintext. */
function macInput(algorithm: string, encryption: string, comment: string, publicBlob: Buffer, privatePlain: Buffer): Buffer {
  return Buffer.concat([sshString(algorithm), sshString(encryption), sshString(comment), sshString(publicBlob), sshString(privatePlain)]);
}

/** C.4: Argon2 output = cipher key (32) || IV (16) || MAC key (32); empty secret and associated data. */
function deriveKeys(flavour: 'argon2id' | 'argon2i' | 'argon2d', passphrase: Buffer, salt: Buffer, params: Argon2Parameters) {
  const out = argon2Sync(flavour, { message: passphrase, nonce: salt, memory: params.memory, passes: params.passes, parallelism: params.parallelism, tagLength: 80 });
  return { key: out.subarray(0, 32), iv: out.subarray(32, 48), macKey: out.subarray(48, 80) };
}

/** Passes for about 100 ms at PuTTY's memory setting, as PuTTYgen calibrates them. */
export function calibratePasses(): number {
  const salt = randomBytes(16);
  const started = performance.now();
  deriveKeys('argon2id', Buffer.from('calibration'), salt, { memory: PPK_ARGON2_MEMORY, passes: 1, parallelism: PPK_ARGON2_PARALLELISM });
  const onePass = Math.max(0.5, performance.now() - started);
  return Math.min(200, Math.max(8, Math.round(PPK_ARGON2_TARGET_MS / onePass)));
}

const wrap64 = (bytes: Buffer): string[] => bytes.toString('base64').match(/.{1,64}/g) ?? [];

export interface PpkKeyParts {
  algorithm: string;
  publicBlob: Buffer;
  /** C.3: the algorithm's private fields (e.g. Ed25519: string seed; RSA: mpint d, p, q, iqmp). */
  privateBlob: Buffer;
}

/** A PPK version 3 file; encrypted with aes256-cbc when a passphrase is given. */
export function writePpk(parts: PpkKeyParts, comment: string, passphrase: Buffer | null, argon2?: Argon2Parameters): string {
  if (/[\r\n]/.test(comment)) throw new KeyFormatError('a PuTTY key comment cannot hold line breaks');
  const lines = [`PuTTY-User-Key-File-3: ${parts.algorithm}`, `Encryption: ${passphrase ? 'aes256-cbc' : 'none'}`, `Comment: ${comment}`];
  const publicLines = wrap64(parts.publicBlob);
  lines.push(`Public-Lines: ${publicLines.length}`, ...publicLines);
  let privatePlain = parts.privateBlob;
  let privateStored = privatePlain;
  let macKey: Buffer = Buffer.alloc(0);
  if (passphrase) {
    const params = argon2 ?? { memory: PPK_ARGON2_MEMORY, passes: calibratePasses(), parallelism: PPK_ARGON2_PARALLELISM };
    const salt = randomBytes(16);
    // C.2: padded with random octets to the AES block; the MAC covers the padding.
    const padding = (16 - (privatePlain.length % 16)) % 16;
    privatePlain = Buffer.concat([privatePlain, randomBytes(padding)]);
    const keys = deriveKeys('argon2id', passphrase, salt, params);
    const cipher = createCipheriv('aes-256-cbc', keys.key, keys.iv).setAutoPadding(false);
    privateStored = Buffer.concat([cipher.update(privatePlain), cipher.final()]);
    macKey = keys.macKey;
    lines.push('Key-Derivation: Argon2id', `Argon2-Memory: ${params.memory}`, `Argon2-Passes: ${params.passes}`, `Argon2-Parallelism: ${params.parallelism}`, `Argon2-Salt: ${salt.toString('hex')}`);
  }
  const privateLines = wrap64(privateStored);
  lines.push(`Private-Lines: ${privateLines.length}`, ...privateLines);
  const encryption = passphrase ? 'aes256-cbc' : 'none';
  const mac = createHmac('sha256', macKey).update(macInput(parts.algorithm, encryption, comment, parts.publicBlob, privatePlain)).digest('hex');
  lines.push(`Private-MAC: ${mac}`);
  return lines.join('\n') + '\n';
}

/** A version 3 file's private blob (with padding), after checking its MAC; KeyFormatError for a wrong passphrase. */
export function readPpkPrivate(text: string, passphrase: Buffer | null): PpkKeyParts & { comment: string } {
  const fields = readFields(text, true);
  if (fields.version !== 3) throw new KeyFormatError('only PuTTY key files of version 3 are read in full');
  const stored = decodeBase64(fields.privateBase64 ?? '', 'the private key');
  let plain = stored;
  let macKey: Buffer = Buffer.alloc(0);
  if (fields.encryption === 'aes256-cbc') {
    if (!passphrase) throw new KeyFormatError('the PuTTY key file is encrypted: a passphrase is needed');
    const flavour = fields.rest.get('Key-Derivation')?.toLowerCase();
    if (flavour !== 'argon2id' && flavour !== 'argon2i' && flavour !== 'argon2d') throw new KeyFormatError('unknown Key-Derivation in the PuTTY key file');
    const number = (name: string, max: number): number => {
      const value = fields.rest.get(name) ?? '';
      if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) throw new KeyFormatError(`bad ${name} in the PuTTY key file`);
      return Number(value);
    };
    const params = { memory: number('Argon2-Memory', ARGON2_MAX_MEMORY), passes: number('Argon2-Passes', ARGON2_MAX_PASSES), parallelism: number('Argon2-Parallelism', 16) };
    if (params.memory < 8 * params.parallelism) throw new KeyFormatError('bad Argon2-Memory in the PuTTY key file');
    const saltHex = fields.rest.get('Argon2-Salt') ?? '';
    if (!/^(?:[0-9a-fA-F]{2}){8,64}$/.test(saltHex)) throw new KeyFormatError('bad Argon2-Salt in the PuTTY key file');
    if (stored.length === 0 || stored.length % 16 !== 0) throw new KeyFormatError('the encrypted private key is not whole AES blocks');
    const keys = deriveKeys(flavour, passphrase, Buffer.from(saltHex, 'hex'), params);
    const decipher = createDecipheriv('aes-256-cbc', keys.key, keys.iv).setAutoPadding(false);
    plain = Buffer.concat([decipher.update(stored), decipher.final()]);
    macKey = keys.macKey;
  }
  const expected = createHmac('sha256', macKey).update(macInput(fields.algorithm, fields.encryption, fields.comment, fields.publicBlob, plain)).digest();
  const given = Buffer.from(fields.rest.get('Private-MAC') ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new KeyFormatError(fields.encryption === 'none' ? 'the PuTTY key file is damaged (its MAC does not match)' : 'wrong passphrase, or the PuTTY key file is damaged');
  }
  return { algorithm: fields.algorithm, publicBlob: fields.publicBlob, privateBlob: plain, comment: fields.comment };
}
