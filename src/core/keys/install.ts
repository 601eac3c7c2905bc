// Adding parsed public keys to an account: the one path `septet ssh key add`,
// `septet ssh keygen --install` and the console's key commands share.

import { StoreError, type SshKeyStore } from '../store/types.ts';
import type { AuthorizedKey } from './authorized-keys.ts';
import type { PublicKey } from './public-key.ts';

export interface InstallResult {
  added: AuthorizedKey[];
  /** Keys the account had already (or that the input held twice): left as they were. */
  present: AuthorizedKey[];
}

/** Adds each key in order; a key the account has already is skipped, anything else fails. */
export async function installKeys(sshKeys: SshKeyStore, accountId: number, keys: readonly (AuthorizedKey | PublicKey)[]): Promise<InstallResult> {
  const result: InstallResult = { added: [], present: [] };
  const seen = new Set<string>();
  for (const key of keys) {
    const entry: AuthorizedKey = { notes: [], ...key };
    if (seen.has(key.fingerprint)) {
      result.present.push(entry);
      continue;
    }
    seen.add(key.fingerprint);
    try {
      await sshKeys.add(accountId, { algorithm: key.algorithm, publicKey: key.blob, fingerprint: key.fingerprint, comment: key.comment });
      result.added.push(entry);
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'exists')) throw error;
      result.present.push(entry);
    }
  }
  return result;
}

/** "SHA256:abc" or "abc" (as some tools print it) → "SHA256:abc"; null for what is no SHA256 fingerprint. */
export function normalizeFingerprint(text: string): string | null {
  const bare = text.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
  return /^[A-Za-z0-9+/]{43}$/.test(bare) ? `SHA256:${bare}` : null;
}
