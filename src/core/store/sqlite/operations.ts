// What the SQLite worker can do: every store method as a synchronous function over
// the database. Runs only inside the worker thread (worker.ts). Write operations
// return the value plus the bus events to publish and the blobs that lost their last
// reference; the main thread acts on both after the transaction has committed.

import { randomBytes } from 'node:crypto';
import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { ChangeEvent } from '../../bus/bus.ts';
import {
  applyFlags,
  DEFAULT_MAILBOXES,
  domainOf,
  nextUidValidity,
  normalizeAddress,
  normalizeMailboxName,
  sameFlags,
} from '../names.ts';
import {
  StoreError,
  type Account,
  type Alias,
  type DeliveryRequest,
  type DeliveryResult,
  type Mailbox,
  type MessageMeta,
  type QueueEntry,
  type QueueRecipient,
  type QueueState,
} from '../types.ts';

type Row = Record<string, SQLOutputValue>;

/** A connection with a prepared-statement cache. */
export class Db {
  readonly raw: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
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
}

export interface WriteOutcome<T> {
  value: T;
  events?: ChangeEvent[];
  releasedBlobs?: string[];
}

// ---------------------------------------------------------------------------
// Row mapping

const num = (v: SQLOutputValue | undefined): number => Number(v ?? 0);
const str = (v: SQLOutputValue | undefined): string => String(v ?? '');
const strOrNull = (v: SQLOutputValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

const toAccount = (r: Row): Account => ({
  id: num(r.id),
  address: str(r.address),
  passwordHash: str(r.password_hash),
  admin: num(r.admin) !== 0,
  createdAt: new Date(num(r.created_at)),
  quotaBytes: r.quota_bytes === null || r.quota_bytes === undefined ? null : num(r.quota_bytes),
});
const toMailbox = (r: Row): Mailbox => ({
  id: num(r.id),
  accountId: num(r.account_id),
  name: str(r.name),
  uidValidity: num(r.uid_validity),
  uidNext: num(r.uid_next),
  specialUse: strOrNull(r.special_use),
  subscribed: num(r.subscribed) !== 0,
  highestModseq: num(r.highest_modseq),
});
const toMessage = (r: Row): MessageMeta => ({
  id: num(r.id),
  mailboxId: num(r.mailbox_id),
  uid: num(r.uid),
  size: num(r.size),
  flags: JSON.parse(str(r.flags)) as string[],
  internalDate: new Date(num(r.internal_date)),
  blobId: str(r.blob_id),
  modseq: num(r.modseq),
});
const toQueueEntry = (r: Row): QueueEntry => ({
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
});

// ---------------------------------------------------------------------------
// Shared pieces

const MAILBOX_COLUMNS = 'id, account_id, name, uid_validity, uid_next, special_use, subscribed, highest_modseq';
const MESSAGE_COLUMNS = 'id, mailbox_id, uid, size, flags, internal_date, blob_id, modseq';

function findAccount(db: Db, address: string): Account | null {
  const row = db.get('SELECT * FROM accounts WHERE address = ?', address.trim());
  return row ? toAccount(row) : null;
}

function findMailbox(db: Db, accountId: number, name: string): Mailbox | null {
  const row = db.get(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND name = ?`, accountId, normalizeMailboxName(name));
  return row ? toMailbox(row) : null;
}

function requireMailbox(db: Db, mailboxId: number): Mailbox {
  const row = db.get(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?`, mailboxId);
  if (!row) throw new StoreError('not-found', `no mailbox ${mailboxId}`);
  return toMailbox(row);
}

function insertMailbox(db: Db, accountId: number, name: string, specialUse: string | null): Mailbox {
  const last = num(db.get("SELECT value FROM meta WHERE key = 'last_uid_validity'")?.value);
  const uidValidity = nextUidValidity(last);
  db.run("UPDATE meta SET value = ? WHERE key = 'last_uid_validity'", uidValidity);
  const row = db.get(
    `INSERT INTO mailboxes (account_id, name, uid_validity, special_use) VALUES (?, ?, ?, ?) RETURNING ${MAILBOX_COLUMNS}`,
    accountId,
    name,
    uidValidity,
    specialUse,
  );
  return toMailbox(row!);
}

function usage(db: Db, accountId: number): number {
  return num(
    db.get('SELECT COALESCE(SUM(m.size), 0) AS total FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = ?', accountId)
      ?.total,
  );
}

/** Of these blobs, the ones no message and no queue entry refers to any more. */
function unreferenced(db: Db, blobIds: Iterable<string>): string[] {
  const out: string[] = [];
  for (const blobId of new Set(blobIds)) {
    const used = db.get(
      'SELECT EXISTS (SELECT 1 FROM messages WHERE blob_id = ?1) OR EXISTS (SELECT 1 FROM queue WHERE blob_id = ?1) AS used',
      blobId,
    );
    if (num(used?.used) === 0) out.push(blobId);
  }
  return out;
}

function ensureDefaults(db: Db, accountId: number): ChangeEvent[] {
  if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('not-found', `no account ${accountId}`);
  let created = false;
  for (const { name, specialUse } of DEFAULT_MAILBOXES) {
    if (findMailbox(db, accountId, name)) continue;
    insertMailbox(db, accountId, name, specialUse);
    created = true;
  }
  return created ? [{ kind: 'mailboxes', accountId }] : [];
}

// ---------------------------------------------------------------------------
// Reads: run outside any transaction, each sees the latest committed state.

export const readOperations = {
  getUser: (db: Db, address: string): Account | null => findAccount(db, address),
  getUserById: (db: Db, id: number): Account | null => {
    const row = db.get('SELECT * FROM accounts WHERE id = ?', id);
    return row ? toAccount(row) : null;
  },
  listUsers: (db: Db): Account[] => db.all('SELECT * FROM accounts ORDER BY id').map(toAccount),
  listAdmins: (db: Db): Account[] => db.all('SELECT * FROM accounts WHERE admin != 0 ORDER BY id').map(toAccount),
  listAliases: (db: Db): Alias[] =>
    db.all('SELECT alias, target FROM aliases ORDER BY alias, target').map((r) => ({ alias: str(r.alias), target: str(r.target) })),
  aliasTargets: (db: Db, alias: string): string[] =>
    db.all('SELECT target FROM aliases WHERE alias = ? ORDER BY rowid', alias.trim()).map((r) => str(r.target)),
  domains: (db: Db): string[] => {
    const all = new Set<string>();
    for (const r of db.all('SELECT address AS a FROM accounts UNION ALL SELECT alias AS a FROM aliases')) all.add(domainOf(str(r.a)).toLowerCase());
    return [...all].sort();
  },
  listMailboxes: (db: Db, accountId: number): Mailbox[] =>
    db.all(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? ORDER BY id`, accountId).map(toMailbox),
  getMailbox: (db: Db, accountId: number, name: string): Mailbox | null => findMailbox(db, accountId, name),
  listMessages: (db: Db, mailboxId: number): MessageMeta[] =>
    db.all(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? ORDER BY uid`, mailboxId).map(toMessage),
  usage: (db: Db, accountId: number): number => usage(db, accountId),
  queueList: (db: Db): QueueEntry[] => db.all('SELECT * FROM queue ORDER BY created_at, id').map(toQueueEntry),
  queueGet: (db: Db, id: string): QueueEntry | null => {
    const row = db.get('SELECT * FROM queue WHERE id = ?', id);
    return row ? toQueueEntry(row) : null;
  },
};

// ---------------------------------------------------------------------------
// Writes: each runs in its own SAVEPOINT inside a group-commit transaction.

export const writeOperations = {
  addUser(db: Db, address: string, passwordHash: string, admin: boolean): WriteOutcome<Account> {
    const normalized = normalizeAddress(address);
    if (findAccount(db, normalized) || db.get('SELECT 1 FROM aliases WHERE alias = ?', normalized)) {
      throw new StoreError('exists', `${normalized} exists`);
    }
    const row = db.get(
      'INSERT INTO accounts (address, password_hash, admin, created_at) VALUES (?, ?, ?, ?) RETURNING *',
      normalized,
      passwordHash,
      admin ? 1 : 0,
      Date.now(),
    );
    const account = toAccount(row!);
    return { value: account, events: ensureDefaults(db, account.id) };
  },

  setPassword(db: Db, address: string, passwordHash: string): WriteOutcome<boolean> {
    return { value: db.run('UPDATE accounts SET password_hash = ? WHERE address = ?', passwordHash, address.trim()) > 0 };
  },

  setQuota(db: Db, address: string, quotaBytes: number | null): WriteOutcome<boolean> {
    if (quotaBytes !== null && !(Number.isSafeInteger(quotaBytes) && quotaBytes >= 0)) throw new StoreError('invalid', `bad quota ${quotaBytes}`);
    return { value: db.run('UPDATE accounts SET quota_bytes = ? WHERE address = ?', quotaBytes, address.trim()) > 0 };
  },

  deleteUser(db: Db, address: string): WriteOutcome<boolean> {
    const account = findAccount(db, address);
    if (!account) return { value: false };
    const blobIds = db
      .all('SELECT DISTINCT m.blob_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = ?', account.id)
      .map((r) => str(r.blob_id));
    db.run('DELETE FROM accounts WHERE id = ?', account.id); // mailboxes and messages cascade
    return { value: true, releasedBlobs: unreferenced(db, blobIds) };
  },

  addAlias(db: Db, alias: string, target: string): WriteOutcome<void> {
    const key = normalizeAddress(alias, true);
    const to = normalizeAddress(target);
    if (findAccount(db, key)) throw new StoreError('exists', `${key} is a user`);
    if (db.get('SELECT 1 FROM aliases WHERE alias = ? AND target = ?', key, to)) throw new StoreError('exists', `alias ${key} -> ${to} exists`);
    db.run('INSERT INTO aliases (alias, target) VALUES (?, ?)', key, to);
    return { value: undefined };
  },

  deleteAlias(db: Db, alias: string): WriteOutcome<boolean> {
    return { value: db.run('DELETE FROM aliases WHERE alias = ?', alias.trim()) > 0 };
  },

  ensureDefaultMailboxes(db: Db, accountId: number): WriteOutcome<void> {
    return { value: undefined, events: ensureDefaults(db, accountId) };
  },

  createMailbox(db: Db, accountId: number, name: string, specialUse: string | null): WriteOutcome<Mailbox> {
    const normalized = normalizeMailboxName(name);
    if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('not-found', `no account ${accountId}`);
    if (findMailbox(db, accountId, normalized)) throw new StoreError('exists', `mailbox ${normalized} exists`);
    return { value: insertMailbox(db, accountId, normalized, specialUse), events: [{ kind: 'mailboxes', accountId }] };
  },

  expunge(db: Db, mailboxId: number, uids: readonly number[]): WriteOutcome<void> {
    const mailbox = requireMailbox(db, mailboxId);
    const gone: number[] = [];
    const blobIds: string[] = [];
    for (const uid of uids) {
      const row = db.get('DELETE FROM messages WHERE mailbox_id = ? AND uid = ? RETURNING blob_id', mailboxId, uid);
      if (!row) continue;
      gone.push(uid);
      blobIds.push(str(row.blob_id));
    }
    if (gone.length === 0) return { value: undefined };
    // RFC 7162 §3.1.10: an expunge changes the mailbox's mod-sequence too.
    db.run('UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ?', mailboxId);
    gone.sort((a, b) => a - b);
    return {
      value: undefined,
      events: [{ kind: 'expunge', accountId: mailbox.accountId, mailboxId, uids: gone }],
      releasedBlobs: unreferenced(db, blobIds),
    };
  },

  storeFlags(db: Db, mailboxId: number, uids: readonly number[], mode: 'set' | 'add' | 'remove', flags: readonly string[]): WriteOutcome<MessageMeta[]> {
    const mailbox = requireMailbox(db, mailboxId);
    const wanted = [...new Set(uids)].sort((a, b) => a - b);
    const result: MessageMeta[] = [];
    const changed: number[] = [];
    let modseq = 0;
    for (const uid of wanted) {
      const row = db.get(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND uid = ?`, mailboxId, uid);
      if (!row) continue;
      const message = toMessage(row);
      const next = applyFlags(message.flags, mode, flags);
      if (!sameFlags(next, message.flags)) {
        if (modseq === 0) {
          modseq = num(db.get('UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq', mailboxId)?.highest_modseq);
        }
        db.run('UPDATE messages SET flags = ?, modseq = ? WHERE id = ?', JSON.stringify(next), modseq, message.id);
        message.flags = next;
        message.modseq = modseq;
        changed.push(uid);
      }
      result.push(message);
    }
    return {
      value: result,
      events: changed.length > 0 ? [{ kind: 'flags', accountId: mailbox.accountId, mailboxId, uids: changed }] : [],
    };
  },

  deliver(db: Db, request: DeliveryRequest): WriteOutcome<DeliveryResult> {
    const targets = request.local.map((target) => {
      const account = readOperations.getUserById(db, target.accountId);
      if (!account) throw new StoreError('not-found', `no account ${target.accountId}`);
      const mailbox = findMailbox(db, account.id, target.mailbox ?? 'INBOX');
      if (!mailbox) throw new StoreError('not-found', `no mailbox ${target.mailbox ?? 'INBOX'} for ${account.address}`);
      return { account, mailbox, flags: applyFlags([], 'add', target.flags ?? []) };
    });
    // Quota before anything is written; several targets of one account add up.
    const projected = new Map<number, number>();
    for (const { account } of targets) {
      if (account.quotaBytes === null) continue;
      const total = (projected.get(account.id) ?? usage(db, account.id)) + request.size;
      projected.set(account.id, total);
      if (total > account.quotaBytes) throw new StoreError('quota', `${account.address} is over quota`);
    }

    const internalDate = new Date(request.internalDate).getTime();
    const result: DeliveryResult = { local: [], queueId: null };
    const appended = new Map<number, ChangeEvent & { kind: 'append' }>();
    for (const { account, mailbox, flags } of targets) {
      const row = db.get(
        'UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING uid_next - 1 AS uid, highest_modseq',
        mailbox.id,
      )!;
      const uid = num(row.uid);
      db.run(
        'INSERT INTO messages (mailbox_id, uid, size, flags, internal_date, blob_id, modseq) VALUES (?, ?, ?, ?, ?, ?, ?)',
        mailbox.id,
        uid,
        request.size,
        JSON.stringify(flags),
        internalDate,
        request.blobId,
        num(row.highest_modseq),
      );
      result.local.push({ accountId: account.id, mailboxId: mailbox.id, uid });
      const event = appended.get(mailbox.id) ?? { kind: 'append', accountId: account.id, mailboxId: mailbox.id, uids: [] };
      event.uids.push(uid);
      appended.set(mailbox.id, event);
    }
    const remote = request.remote;
    if (remote && remote.recipients.length > 0) {
      const id = randomBytes(8).toString('hex');
      const now = Date.now();
      db.run(
        'INSERT INTO queue (id, sender, recipients, blob_id, size, created_at, next_attempt_at, envid, ret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        id,
        remote.sender,
        JSON.stringify(remote.recipients),
        request.blobId,
        request.size,
        now,
        now,
        remote.envid ?? null,
        remote.ret ?? null,
      );
      result.queueId = id;
    }
    return { value: result, events: [...appended.values()] };
  },

  queueRemove(db: Db, id: string): WriteOutcome<boolean> {
    const row = db.get('DELETE FROM queue WHERE id = ? RETURNING blob_id', id);
    if (!row) return { value: false };
    return { value: true, releasedBlobs: unreferenced(db, [str(row.blob_id)]) };
  },
};

export type ReadOperations = typeof readOperations;
export type WriteOperations = typeof writeOperations;
