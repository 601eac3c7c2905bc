// The worker's connection wrapper, row mapping and the lookups every group of
// operations shares (accounts, mailboxes, keywords, blob references). Runs only
// inside the SQLite worker thread.

import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { StoreEvent } from '../../bus/bus.ts';
import { foldCase, INLINE_BLOB_ID_PATTERN, nextUidValidity, normalizeMailboxName } from '../names.ts';
import { StoreError, type Account, type Mailbox, type MessageMeta, type QueueEntry, type QueueRecipient, type QueueState } from '../types.ts';

export type Row = Record<string, SQLOutputValue>;

/** A connection with a prepared-statement cache. */
export class Db {
  readonly raw: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly arrayStatements = new Map<string, StatementSync>();
  constructor(raw: DatabaseSync) {
    this.raw = raw;
  }
  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.statement(sql).get(...params);
  }
  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.statement(sql).all(...params);
  }
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.statement(sql).run(...params).changes);
  }
  /** Rows as arrays (no per-row object with column names): for big single-column reads. */
  arrays(sql: string, ...params: SQLInputValue[]): SQLOutputValue[][] {
    let statement = this.arrayStatements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      statement.setReturnArrays(true);
      this.arrayStatements.set(sql, statement);
    }
    return statement.all(...params) as unknown as SQLOutputValue[][];
  }
}

export interface WriteOutcome<T> {
  value: T;
  /** Published after the commit, and written to the change log with the change (change-log.ts). */
  events?: StoreEvent[];
  releasedBlobs?: string[];
}

// ---------------------------------------------------------------------------
// Row mapping

export const num = (v: SQLOutputValue | undefined): number => Number(v ?? 0);
export const str = (v: SQLOutputValue | undefined): string => String(v ?? '');
export const strOrNull = (v: SQLOutputValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

export const toAccount = (r: Row): Account => ({
  id: num(r.id),
  address: str(r.address),
  passwordHash: str(r.password_hash),
  admin: num(r.admin) !== 0,
  createdAt: new Date(num(r.created_at)),
  quotaBytes: r.quota_bytes === null || r.quota_bytes === undefined ? null : num(r.quota_bytes),
  sendAsDomain: num(r.send_as_domain) !== 0,
});
export const toMailbox = (r: Row): Mailbox => ({
  id: num(r.id),
  accountId: num(r.account_id),
  name: str(r.name),
  uidValidity: num(r.uid_validity),
  uidNext: num(r.uid_next),
  specialUse: strOrNull(r.special_use),
  subscribed: num(r.subscribed) !== 0,
  highestModseq: num(r.highest_modseq),
});
export const toMessage = (r: Row): MessageMeta => ({
  id: num(r.id),
  mailboxId: num(r.mailbox_id),
  uid: num(r.uid),
  size: num(r.size),
  flags: JSON.parse(str(r.flags)) as string[],
  internalDate: new Date(num(r.internal_date)),
  blobId: str(r.blob_id),
  modseq: num(r.modseq),
});
export const toQueueEntry = (r: Row): QueueEntry => ({
  id: str(r.id),
  sender: str(r.sender),
  recipients: JSON.parse(str(r.recipients)) as QueueRecipient[],
  blobId: str(r.blob_id),
  size: num(r.size),
  createdAt: new Date(num(r.created_at)),
  nextAttemptAt: new Date(num(r.next_attempt_at)),
  attempts: num(r.attempts),
  state: str(r.state) as QueueState,
  lastError: strOrNull(r.last_error),
  envid: strOrNull(r.envid),
  ret: strOrNull(r.ret),
  delayNoticeAt: r.delay_notice_at === null || r.delay_notice_at === undefined ? null : new Date(num(r.delay_notice_at)),
});

// ---------------------------------------------------------------------------
// Shared lookups

/** Mailbox columns; `subscribed` comes from the subscriptions table (names, RFC 3501 §6.3.6). */
export const MAILBOX_COLUMNS =
  'id, account_id, name, uid_validity, uid_next, special_use, highest_modseq, ' +
  'EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = mailboxes.account_id AND s.name = mailboxes.name) AS subscribed';
export const MESSAGE_COLUMNS = 'id, mailbox_id, uid, size, flags, internal_date, blob_id, modseq';

export function findAccount(db: Db, address: string): Account | null {
  const row = db.get('SELECT * FROM accounts WHERE address = ?', address.trim());
  return row ? toAccount(row) : null;
}

export function requireAccount(db: Db, accountId: number): Account {
  const row = db.get('SELECT * FROM accounts WHERE id = ?', accountId);
  if (!row) throw new StoreError('not-found', `no account ${accountId}`);
  return toAccount(row);
}

export function findMailbox(db: Db, accountId: number, name: string): Mailbox | null {
  const row = db.get(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND name = ?`, accountId, normalizeMailboxName(name));
  return row ? toMailbox(row) : null;
}

export function getMailboxById(db: Db, mailboxId: number): Mailbox | null {
  const row = db.get(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?`, mailboxId);
  return row ? toMailbox(row) : null;
}

export function requireMailbox(db: Db, mailboxId: number): Mailbox {
  const mailbox = getMailboxById(db, mailboxId);
  if (!mailbox) throw new StoreError('not-found', `no mailbox ${mailboxId}`);
  return mailbox;
}

export function insertMailbox(db: Db, accountId: number, name: string, specialUse: string | null): Mailbox {
  const last = num(db.get("SELECT value FROM meta WHERE key = 'last_uid_validity'")?.value);
  const uidValidity = nextUidValidity(last);
  db.run("UPDATE meta SET value = ? WHERE key = 'last_uid_validity'", uidValidity);
  const row = db.get('INSERT INTO mailboxes (account_id, name, uid_validity, special_use) VALUES (?, ?, ?, ?) RETURNING id', accountId, name, uidValidity, specialUse);
  return requireMailbox(db, num(row?.id));
}

/** Octets of all messages of an account, from the per-mailbox counters. */
export function usage(db: Db, accountId: number): number {
  return num(db.get('SELECT COALESCE(SUM(total_size), 0) AS total FROM mailboxes WHERE account_id = ?', accountId)?.total);
}

/** Throws StoreError('quota') when adding `extra` octets would exceed the account's quota. */
export function checkQuota(db: Db, account: Account, extra: number): void {
  if (account.quotaBytes !== null && usage(db, account.id) + extra > account.quotaBytes) {
    throw new StoreError('quota', `${account.address} is over quota`);
  }
}

/** Folded keyword -> first spelling, for canonicalFlags(). */
export function keywordsOf(db: Db, mailboxId: number): Map<string, string> {
  const known = new Map<string, string>();
  for (const [keyword] of db.arrays('SELECT keyword FROM mailbox_keywords WHERE mailbox_id = ? ORDER BY rowid', mailboxId)) {
    known.set(foldCase(str(keyword)), str(keyword));
  }
  return known;
}

export function learnKeywords(db: Db, mailboxId: number, keywords: readonly string[]): void {
  for (const keyword of keywords) db.run('INSERT OR IGNORE INTO mailbox_keywords (mailbox_id, keyword) VALUES (?, ?)', mailboxId, keyword);
}

/** Of these blobs, the ones no message and no queue entry refers to any more. */
export function unreferenced(db: Db, blobIds: Iterable<string>): string[] {
  const out: string[] = [];
  for (const blobId of new Set(blobIds)) {
    const used = db.get(
      'SELECT EXISTS (SELECT 1 FROM messages WHERE blob_id = ?1) OR EXISTS (SELECT 1 FROM queue WHERE blob_id = ?1) AS used',
      blobId,
    );
    if (num(used?.used) !== 0) continue;
    // A body in the database goes in this transaction; the caller removes files and
    // forgets cached copies of either kind.
    if (INLINE_BLOB_ID_PATTERN.test(blobId)) db.run('DELETE FROM message_bodies WHERE blob_id = ?', blobId);
    out.push(blobId);
  }
  return out;
}
