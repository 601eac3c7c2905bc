// The server's host keys (RFC 4251 §4.1): Ed25519, ECDSA P-256 and RSA 3072, made at
// the first start in <data>/ssh/ (OpenSSH's file names and private key format, so
// `ssh-keygen -lf` reads them) and reused on every later one, so clients that know the
// host keep trusting it. Several processes may start at once (workers, the CLI): each
// key is written to a temporary file and linked into place, so the first one wins and
// the others read it.

import { publicKeyFromBlob } from '../core/keys/public-key.ts';
import { chown, link, lstat, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../core/os/private-files.ts';
import { parseKey, ssh2 } from './library.ts';

export interface HostKey {
  /** "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" (signing with rsa-sha2-512/256 only). */
  type: string;
  file: string;
  /** The private key as ssh2 reads it (OpenSSH format). */
  privateKey: string;
  /** "SHA256:" + unpadded base64, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** RSA: the modulus size; others their curve's. */
  bits: number;
  /** The public key blob (RFC 4253 §6.6). */
  publicBlob: Buffer;
}

interface KeySpec {
  file: string;
  kind: 'ed25519' | 'ecdsa' | 'rsa';
  bits: number;
}

/** In the order the server prefers them (the client picks from its own list, RFC 4253 §7.1). */
const KEYS: readonly KeySpec[] = [
  { file: 'ssh_host_ed25519_key', kind: 'ed25519', bits: 256 },
  { file: 'ssh_host_ecdsa_key', kind: 'ecdsa', bits: 256 },
  // 3072 bits: NIST SP 800-57 128-bit security, OpenSSH's ssh-keygen default.
  { file: 'ssh_host_rsa_key', kind: 'rsa', bits: 3072 },
];

export function hostKeyFolder(dataDir: string): string {
  return join(dataDir, 'ssh');
}

/**
 * The three host keys, made if missing. When root makes them (the CLI), they are given
 * to the owner of the data directory, the user the server runs as.
 */
export async function ensureHostKeys(dataDir: string): Promise<HostKey[]> {
  const dir = hostKeyFolder(dataDir);
  await makePrivateDir(dir);
  const owner = process.getuid?.() === 0 ? await stat(dataDir).then((s) => ({ uid: s.uid, gid: s.gid }), () => null) : null;
  const keys: HostKey[] = [];
  for (const spec of KEYS) keys.push(await ensureKey(dir, spec, owner));
  if (owner) await chown(dir, owner.uid, owner.gid);
  return keys;
}

/** The host keys that exist, without making any (null when one is missing). */
export async function readHostKeys(dataDir: string): Promise<HostKey[] | null> {
  const dir = hostKeyFolder(dataDir);
  const keys: HostKey[] = [];
  for (const spec of KEYS) {
    const key = await readKey(join(dir, spec.file)).catch(() => null);
    if (!key) return null;
    keys.push(key);
  }
  return keys;
}

async function ensureKey(dir: string, spec: KeySpec, owner: { uid: number; gid: number } | null): Promise<HostKey> {
  const file = join(dir, spec.file);
  const existing = await readKey(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new Error(`${file}: ${error.message}`, { cause: error });
  });
  if (existing) return existing;

  const pair = await generate(spec);
  const temp = join(dir, `.${spec.file}.${randomBytes(6).toString('hex')}.tmp`);
  // 0600 from creation: a private key is never readable by others, not even briefly.
  await writeFile(temp, pair.private, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  try {
    if (owner) await chown(temp, owner.uid, owner.gid);
    await link(temp, file).catch((error: NodeJS.ErrnoException) => {
      // Another process made it first: theirs is the key.
      if (error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temp, { force: true });
  }
  // The public half of the key that won (another process may have linked its own first).
  const key = await readKey(file);
  const line = `${key.type} ${key.publicBlob.toString('base64')} septet host key\n`;
  await writeFile(`${file}.pub`, line, { mode: PRIVATE_FILE_MODE, flag: 'wx' }).catch(() => {});
  if (owner) await chown(`${file}.pub`, owner.uid, owner.gid).catch(() => {});
  return key;
}

async function readKey(file: string): Promise<HostKey> {
  const info = await lstat(file);
  if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
  const privateKey = await readFile(file, 'utf8');
  const parsed = parseKey(privateKey);
  if (!parsed || parsed.getPrivatePEM() === null) throw Object.assign(new Error('not a private key ssh2 can read'), { code: 'EINVAL' });
  const publicBlob = parsed.getPublicSSH();
  return { type: parsed.type, file, privateKey, ...hostKeySize(publicBlob), publicBlob };
}

/**
 * A new key pair that ssh2 reads back. ssh2 1.17.0's own Ed25519 keygen writes, about one
 * time in 250, an OpenSSH private key its parser then calls malformed: such a pair is
 * thrown away and another made.
 */
async function generate(spec: KeySpec): Promise<{ private: string; public: string }> {
  for (let attempt = 1; ; attempt++) {
    const pair = await new Promise<{ private: string; public: string }>((resolve, reject) =>
      ssh2().utils.generateKeyPair(spec.kind, { bits: spec.bits, comment: 'septet host key' }, (error, keys) => (error ? reject(error) : resolve(keys))),
    );
    const parsed = parseKey(pair.private);
    if (parsed && parsed.getPrivatePEM() !== null) return pair;
    if (attempt >= 20) throw new Error(`${spec.file}: the ${spec.kind} keys made cannot be read back`);
  }
}

/** Fingerprint and size as `ssh-keygen -l` prints them, by the one key reader (src/core/keys/). */
function hostKeySize(blob: Buffer): { fingerprint: string; bits: number } {
  const key = publicKeyFromBlob(blob, '');
  return { fingerprint: key.fingerprint, bits: key.bits };
}
