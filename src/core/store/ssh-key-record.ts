// The checks both backends make on an SshKeyStore.add record (contract in types.ts):
// the store does not parse keys (src/core/keys/ does), but it keeps its one invariant,
// fingerprint = "SHA256:" + unpadded base64 of SHA-256(blob), the form `ssh-keygen -l`
// prints, so `ssh key del FINGERPRINT` always finds what `ssh key list` shows.

import { createHash } from 'node:crypto';
import { StoreError } from './types.ts';

export interface SshKeyRecord {
  algorithm: string;
  publicKey: Buffer;
  fingerprint: string;
  comment: string;
}

/** A fresh copy of the record, or StoreError('invalid'). */
export function checkSshKeyRecord(key: SshKeyRecord): SshKeyRecord {
  if (typeof key.algorithm !== 'string' || key.algorithm.length === 0) throw new StoreError('invalid', 'an SSH key needs its algorithm');
  if (!(key.publicKey instanceof Uint8Array) || key.publicKey.length === 0) throw new StoreError('invalid', 'an SSH key needs its public key blob');
  const publicKey = Buffer.from(key.publicKey);
  const fingerprint = `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
  if (key.fingerprint !== fingerprint) throw new StoreError('invalid', `fingerprint ${key.fingerprint} is not that of the key (${fingerprint})`);
  return { algorithm: key.algorithm, publicKey, fingerprint, comment: String(key.comment ?? '') };
}
