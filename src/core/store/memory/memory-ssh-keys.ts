// SSH public keys per account in memory (contract: SshKeyStore in ../types.ts). The keys
// live in the shared tables so that deleteUser drops them with the account.

import { checkSshKeyRecord } from '../ssh-key-record.ts';
import { StoreError, type SshKey, type SshKeyStore } from '../types.ts';
import type { MemoryContext } from './memory-tables.ts';

const copy = (key: SshKey): SshKey => ({ ...key, publicKey: Buffer.from(key.publicKey), createdAt: new Date(key.createdAt) });

export function createMemorySshKeyStore(ctx: MemoryContext): SshKeyStore {
  const { t } = ctx;
  return {
    async add(accountId, key) {
      const record = checkSshKeyRecord(key);
      ctx.requireAccount(accountId);
      if (t.sshKeys.some((k) => k.accountId === accountId && k.publicKey.equals(record.publicKey))) {
        throw new StoreError('exists', `the account already has key ${record.fingerprint}`);
      }
      const stored: SshKey = { id: t.nextId.sshKey++, accountId, ...record, createdAt: new Date() };
      t.sshKeys.push(stored);
      return copy(stored);
    },
    async list(accountId) {
      return t.sshKeys.filter((k) => k.accountId === accountId).map(copy);
    },
    async delete(accountId, fingerprint) {
      const before = t.sshKeys.length;
      t.sshKeys = t.sshKeys.filter((k) => !(k.accountId === accountId && k.fingerprint === fingerprint));
      return t.sshKeys.length < before;
    },
    async find(accountId, publicKey) {
      const found = t.sshKeys.find((k) => k.accountId === accountId && k.publicKey.equals(publicKey));
      return found ? copy(found) : null;
    },
  };
}
