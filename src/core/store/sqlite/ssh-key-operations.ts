// SSH public keys per account in SQLite (contract: SshKeyStore in ../types.ts; table
// `ssh_keys`, schema 8). Rows go with their account (ON DELETE CASCADE). Blobs cross
// the worker boundary as Uint8Array; sqlite-store.ts turns them back into Buffers.

import { checkSshKeyRecord, type SshKeyRecord } from '../ssh-key-record.ts';
import { StoreError, type SshKey } from '../types.ts';
import { num, str, type Db, type Row, type WriteOutcome } from './db.ts';

const toSshKey = (r: Row): SshKey => ({
  id: num(r.id),
  accountId: num(r.account_id),
  algorithm: str(r.algorithm),
  publicKey: Buffer.from(r.public_key as Uint8Array),
  fingerprint: str(r.fingerprint),
  comment: str(r.comment),
  createdAt: new Date(num(r.created_at)),
});

export const sshKeyReadOperations = {
  sshKeyList: (db: Db, accountId: number): SshKey[] => db.all('SELECT * FROM ssh_keys WHERE account_id = ? ORDER BY id', accountId).map(toSshKey),
  sshKeyFind: (db: Db, accountId: number, publicKey: Uint8Array): SshKey | null => {
    const row = db.get('SELECT * FROM ssh_keys WHERE account_id = ? AND public_key = ?', accountId, publicKey);
    return row ? toSshKey(row) : null;
  },
};

export const sshKeyWriteOperations = {
  sshKeyAdd(db: Db, accountId: number, key: SshKeyRecord): WriteOutcome<SshKey> {
    const record = checkSshKeyRecord(key);
    if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('not-found', `no account ${accountId}`);
    if (db.get('SELECT 1 FROM ssh_keys WHERE account_id = ? AND public_key = ?', accountId, record.publicKey)) {
      throw new StoreError('exists', `the account already has key ${record.fingerprint}`);
    }
    const row = db.get(
      'INSERT INTO ssh_keys (account_id, algorithm, public_key, fingerprint, comment, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      accountId,
      record.algorithm,
      record.publicKey,
      record.fingerprint,
      record.comment,
      Date.now(),
    );
    return { value: toSshKey(row!) };
  },

  sshKeyDelete(db: Db, accountId: number, fingerprint: string): WriteOutcome<boolean> {
    return { value: db.run('DELETE FROM ssh_keys WHERE account_id = ? AND fingerprint = ?', accountId, fingerprint) > 0 };
  },
};
