// What the SQLite worker can do: every store method as a synchronous function over
// the database. Runs only inside the worker thread (worker.ts). Write operations
// return the value plus the bus events to publish and the blobs that lost their last
// reference; the main thread acts on both after the transaction has committed.
// Accounts, delivery and the queue are here; mailbox contents in mailbox-operations.ts,
// bans and SSH keys in ban-operations.ts and ssh-key-operations.ts.

import { randomBytes } from 'node:crypto';
import type { ChangeEvent, MailboxesEvent } from '../../bus/bus.ts';
import { applyFlags, canonicalFlags, DEFAULT_MAILBOXES, domainOf, hasSeen, INLINE_BLOB_ID_PATTERN, newKeywords, normalizeAddress, normalizeMailboxName } from '../names.ts';
import { StoreError, type Account, type Alias, type DeliveryRequest, type DeliveryResult, type Mailbox, type RecentClaim } from '../types.ts';
import {
  checkQuota,
  Db,
  findAccount,
  findMailbox,
  insertMailbox,
  keywordsOf,
  learnKeywords,
  num,
  str,
  toAccount,
  unreferenced,
  usage,
  type WriteOutcome,
} from './db.ts';
import { banReadOperations, banWriteOperations } from './ban-operations.ts';
import { mailboxReadOperations, mailboxWriteOperations } from './mailbox-operations.ts';
import { queueEvent, queueReadOperations, queueWriteOperations } from './queue-operations.ts';
import { sshKeyReadOperations, sshKeyWriteOperations } from './ssh-key-operations.ts';
import { webSessionReadOperations, webSessionWriteOperations } from './web-session-operations.ts';

export { Db, type WriteOutcome } from './db.ts';

function ensureDefaults(db: Db, accountId: number): ChangeEvent[] {
  if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('not-found', `no account ${accountId}`);
  const events: MailboxesEvent[] = [];
  for (const { name, specialUse } of DEFAULT_MAILBOXES) {
    if (findMailbox(db, accountId, name)) continue;
    const mailbox = insertMailbox(db, accountId, name, specialUse);
    db.run('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)', accountId, name);
    events.push({ kind: 'mailboxes', accountId, change: 'create', mailboxId: mailbox.id, name });
  }
  return events;
}

/** Keeps a small body with the delivery that refers to it; a reference to a missing one is refused. */
function storeInlineBody(db: Db, blobId: string, body: Uint8Array | null): void {
  if (!INLINE_BLOB_ID_PATTERN.test(blobId)) return;
  // OR IGNORE: a second delivery of the same body (its writer's retry) finds it stored.
  if (body) db.run('INSERT OR IGNORE INTO message_bodies (blob_id, data) VALUES (?, ?)', blobId, body);
  else if (!db.get('SELECT 1 FROM message_bodies WHERE blob_id = ?', blobId)) throw new StoreError('not-found', `no blob ${blobId}`);
}

// ---------------------------------------------------------------------------
// Reads: run outside any transaction, each sees the latest committed state.

const accountReadOperations = {
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
  usage: (db: Db, accountId: number): number => usage(db, accountId),
  /** The octets [start, end) of a body kept in the database, or null when there is none. */
  inlineBody: (db: Db, blobId: string, start: number, end: number): Uint8Array | null => {
    const row = db.get('SELECT substr(data, ?, ?) AS data FROM message_bodies WHERE blob_id = ?', start + 1, Math.max(0, end - start), blobId);
    return row ? (row.data as Uint8Array) : null;
  },
};

// ---------------------------------------------------------------------------
// Writes: each runs in its own SAVEPOINT inside a group-commit transaction.

const accountWriteOperations = {
  addUser(db: Db, address: string, passwordHash: string, admin: boolean, sendAsDomain = false): WriteOutcome<Account> {
    const normalized = normalizeAddress(address);
    if (findAccount(db, normalized) || db.get('SELECT 1 FROM aliases WHERE alias = ?', normalized)) {
      throw new StoreError('exists', `${normalized} exists`);
    }
    const row = db.get(
      'INSERT INTO accounts (address, password_hash, admin, created_at, send_as_domain) VALUES (?, ?, ?, ?, ?) RETURNING *',
      normalized,
      passwordHash,
      admin ? 1 : 0,
      Date.now(),
      sendAsDomain ? 1 : 0,
    );
    const account = toAccount(row!);
    return { value: account, events: ensureDefaults(db, account.id) };
  },

  setPassword(db: Db, address: string, passwordHash: string): WriteOutcome<boolean> {
    return { value: db.run('UPDATE accounts SET password_hash = ? WHERE address = ?', passwordHash, address.trim()) > 0 };
  },

  replacePasswordHash(db: Db, address: string, expected: string, passwordHash: string): WriteOutcome<boolean> {
    return { value: db.run('UPDATE accounts SET password_hash = ? WHERE address = ? AND password_hash = ?', passwordHash, address.trim(), expected) > 0 };
  },

  setQuota(db: Db, address: string, quotaBytes: number | null): WriteOutcome<boolean> {
    if (quotaBytes !== null && !(Number.isSafeInteger(quotaBytes) && quotaBytes >= 0)) throw new StoreError('invalid', `bad quota ${quotaBytes}`);
    return { value: db.run('UPDATE accounts SET quota_bytes = ? WHERE address = ?', quotaBytes, address.trim()) > 0 };
  },

  setSendAsDomain(db: Db, address: string, allowed: boolean): WriteOutcome<boolean> {
    return { value: db.run('UPDATE accounts SET send_as_domain = ? WHERE address = ?', allowed ? 1 : 0, address.trim()) > 0 };
  },

  setAdmin(db: Db, address: string, admin: boolean): WriteOutcome<boolean> {
    return { value: db.run('UPDATE accounts SET admin = ? WHERE address = ?', admin ? 1 : 0, address.trim()) > 0 };
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

  createMailbox(db: Db, accountId: number, name: string, specialUse: string | null, subscribe: boolean): WriteOutcome<Mailbox> {
    const normalized = normalizeMailboxName(name);
    if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('not-found', `no account ${accountId}`);
    if (findMailbox(db, accountId, normalized)) throw new StoreError('exists', `mailbox ${normalized} exists`);
    const mailbox = insertMailbox(db, accountId, normalized, specialUse);
    if (subscribe) {
      db.run('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)', accountId, normalized);
      mailbox.subscribed = true;
    }
    return { value: mailbox, events: [{ kind: 'mailboxes', accountId, change: 'create', mailboxId: mailbox.id, name: normalized }] };
  },

  /**
   * body: the octets of a small body not yet in the database (inline-blobs.ts), stored
   * in this same savepoint so one commit makes body and metadata durable together.
   */
  deliver(db: Db, request: DeliveryRequest, body: Uint8Array | null = null): WriteOutcome<DeliveryResult> {
    storeInlineBody(db, request.blobId, body);
    const targets = request.local.map((target) => {
      const account = accountReadOperations.getUserById(db, target.accountId);
      if (!account) throw new StoreError('not-found', `no account ${target.accountId}`);
      const mailbox = findMailbox(db, account.id, target.mailbox ?? 'INBOX');
      if (!mailbox) throw new StoreError('not-found', `no mailbox ${target.mailbox ?? 'INBOX'} for ${account.address}`);
      const known = keywordsOf(db, mailbox.id);
      const flags = applyFlags([], 'add', canonicalFlags(target.flags ?? [], known));
      return { account, mailbox, flags, keywords: newKeywords(flags, known) };
    });
    // Quota before anything is written; several targets of one account add up.
    const projected = new Map<number, number>();
    for (const { account } of targets) {
      const extra = (projected.get(account.id) ?? 0) + request.size;
      projected.set(account.id, extra);
      checkQuota(db, account, extra);
    }

    const internalDate = new Date(request.internalDate).getTime();
    const result: DeliveryResult = { local: [], queueId: null };
    const appended = new Map<number, ChangeEvent & { kind: 'append' }>();
    for (const { account, mailbox, flags, keywords } of targets) {
      const row = db.get(
        'UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING uid_next - 1 AS uid, highest_modseq',
        mailbox.id,
      )!;
      const uid = num(row.uid);
      const modseq = num(row.highest_modseq);
      db.run(
        'INSERT INTO messages (mailbox_id, uid, size, flags, seen, internal_date, blob_id, modseq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        mailbox.id,
        uid,
        request.size,
        JSON.stringify(flags),
        hasSeen(flags) ? 1 : 0,
        internalDate,
        request.blobId,
        modseq,
      );
      learnKeywords(db, mailbox.id, keywords);
      result.local.push({ accountId: account.id, mailboxId: mailbox.id, uid });
      const event = appended.get(mailbox.id) ?? { kind: 'append', accountId: account.id, mailboxId: mailbox.id, uids: [] };
      event.uids.push(uid);
      event.modseq = modseq;
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
    return { value: result, events: [...appended.values(), ...(result.queueId ? [queueEvent(result.queueId, 'enqueue')] : [])] };
  },

  /** Several messages in one savepoint: all recorded or none (IMAP MULTIAPPEND, RFC 3502 §6.3.11). */
  deliverMany(db: Db, requests: DeliveryRequest[], bodies: (Uint8Array | null)[], claimRecentIn: number | null): WriteOutcome<{ delivered: DeliveryResult[]; recent: RecentClaim | null }> {
    const results: DeliveryResult[] = [];
    const events: ChangeEvent[] = [];
    requests.forEach((request, i) => {
      const outcome = accountWriteOperations.deliver(db, request, bodies[i] ?? null);
      results.push(outcome.value);
      events.push(...((outcome.events ?? []) as ChangeEvent[]));
    });
    const recent = claimRecentIn === null ? null : mailboxWriteOperations.claimRecent(db, claimRecentIn).value;
    return { value: { delivered: results, recent }, events };
  },

  /** A body in the database that its delivery did not take (the abort path): removed unless referenced. */
  dropInlineBody(db: Db, blobId: string): WriteOutcome<void> {
    unreferenced(db, [blobId]);
    return { value: undefined };
  },

};

export const readOperations = { ...accountReadOperations, ...mailboxReadOperations, ...queueReadOperations, ...banReadOperations, ...sshKeyReadOperations, ...webSessionReadOperations };
export const writeOperations = { ...accountWriteOperations, ...mailboxWriteOperations, ...queueWriteOperations, ...banWriteOperations, ...sshKeyWriteOperations, ...webSessionWriteOperations };
export type ReadOperations = typeof readOperations;
export type WriteOperations = typeof writeOperations;
