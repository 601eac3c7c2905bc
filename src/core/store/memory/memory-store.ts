// A complete Store held in memory: for protocol tests (no files, no worker thread)
// and as the executable reading of the contract next to the SQLite backend. Both pass
// src/core/store/conformance.ts. Every method validates first and changes state
// only after all checks pass, so a refused call leaves nothing behind.

import { randomBytes } from 'node:crypto';
import { LocalChangeBus, type ChangeBus, type ChangeEvent } from '../../bus/bus.ts';
import { createLockTable } from '../lock-table.ts';
import {
  applyFlags,
  DEFAULT_MAILBOXES,
  domainOf,
  foldCase,
  nextUidValidity,
  normalizeAddress,
  normalizeMailboxName,
  sameFlags,
} from '../names.ts';
import {
  StoreError,
  type Account,
  type AccountStore,
  type Alias,
  type DeliveryRequest,
  type DeliveryResult,
  type Mailbox,
  type MailboxStore,
  type MessageMeta,
  type MessageStore,
  type QueueEntry,
  type QueueStore,
  type Store,
} from '../types.ts';
import { createMemoryBlobStore } from './memory-blobs.ts';

interface Tables {
  accounts: Map<number, Account>;
  aliases: Alias[];
  mailboxes: Map<number, Mailbox>;
  /** Per mailbox id, ascending by uid. */
  messages: Map<number, MessageMeta[]>;
  queue: Map<string, QueueEntry>;
  nextId: { account: number; mailbox: number; message: number };
  lastUidValidity: number;
}

// Structured copies so callers can never change the store by mutating a result.
const copyAccount = (a: Account): Account => ({ ...a, createdAt: new Date(a.createdAt) });
const copyMailbox = (m: Mailbox): Mailbox => ({ ...m });
const copyMessage = (m: MessageMeta): MessageMeta => ({ ...m, flags: [...m.flags], internalDate: new Date(m.internalDate) });
const copyQueueEntry = (q: QueueEntry): QueueEntry => ({
  ...q,
  recipients: q.recipients.map((r) => ({ ...r })),
  createdAt: new Date(q.createdAt),
  nextAttemptAt: new Date(q.nextAttemptAt),
});

export function createMemoryStore(options: { bus?: ChangeBus } = {}): Store {
  const bus = options.bus ?? new LocalChangeBus();
  const blobs = createMemoryBlobStore();
  const t: Tables = {
    accounts: new Map(),
    aliases: [],
    mailboxes: new Map(),
    messages: new Map(),
    queue: new Map(),
    nextId: { account: 1, mailbox: 1, message: 1 },
    lastUidValidity: 0,
  };

  const findAccount = (address: string): Account | undefined => {
    const key = foldCase(address.trim());
    for (const account of t.accounts.values()) if (foldCase(account.address) === key) return account;
    return undefined;
  };
  const isAlias = (address: string): boolean => {
    const key = foldCase(address);
    return t.aliases.some((a) => foldCase(a.alias) === key);
  };
  const mailboxesOf = (accountId: number): Mailbox[] => [...t.mailboxes.values()].filter((m) => m.accountId === accountId);
  const findMailbox = (accountId: number, name: string): Mailbox | undefined => {
    const wanted = normalizeMailboxName(name);
    return mailboxesOf(accountId).find((m) => m.name === wanted);
  };
  const usageOf = (accountId: number): number => {
    let total = 0;
    for (const mailbox of mailboxesOf(accountId)) for (const m of t.messages.get(mailbox.id) ?? []) total += m.size;
    return total;
  };
  const isBlobReferenced = (blobId: string): boolean => {
    for (const list of t.messages.values()) if (list.some((m) => m.blobId === blobId)) return true;
    for (const entry of t.queue.values()) if (entry.blobId === blobId) return true;
    return false;
  };
  /** After removing references: drop the blobs nobody refers to any more. */
  const releaseBlobs = async (blobIds: Iterable<string>): Promise<void> => {
    for (const blobId of new Set(blobIds)) if (!isBlobReferenced(blobId)) await blobs.delete(blobId);
  };
  const addMailbox = (accountId: number, name: string, specialUse: string | null): Mailbox => {
    t.lastUidValidity = nextUidValidity(t.lastUidValidity);
    const mailbox: Mailbox = {
      id: t.nextId.mailbox++,
      accountId,
      name,
      uidValidity: t.lastUidValidity,
      uidNext: 1,
      specialUse,
      subscribed: true,
      highestModseq: 1,
    };
    t.mailboxes.set(mailbox.id, mailbox);
    t.messages.set(mailbox.id, []);
    return mailbox;
  };
  const requireMailbox = (mailboxId: number): Mailbox => {
    const mailbox = t.mailboxes.get(mailboxId);
    if (!mailbox) throw new StoreError('not-found', `no mailbox ${mailboxId}`);
    return mailbox;
  };
  const publish = (events: ChangeEvent[]): void => {
    for (const event of events) bus.publish(event);
  };

  const mailboxes: MailboxStore = {
    async ensureDefaultMailboxes(accountId) {
      if (!t.accounts.has(accountId)) throw new StoreError('not-found', `no account ${accountId}`);
      let created = false;
      for (const { name, specialUse } of DEFAULT_MAILBOXES) {
        if (findMailbox(accountId, name)) continue;
        addMailbox(accountId, name, specialUse);
        created = true;
      }
      if (created) publish([{ kind: 'mailboxes', accountId }]);
    },
    async listMailboxes(accountId) {
      return mailboxesOf(accountId).map(copyMailbox);
    },
    async getMailbox(accountId, name) {
      const mailbox = findMailbox(accountId, name);
      return mailbox ? copyMailbox(mailbox) : null;
    },
    async createMailbox(accountId, name, opts = {}) {
      const normalized = normalizeMailboxName(name);
      if (!t.accounts.has(accountId)) throw new StoreError('not-found', `no account ${accountId}`);
      if (findMailbox(accountId, normalized)) throw new StoreError('exists', `mailbox ${normalized} exists`);
      const mailbox = addMailbox(accountId, normalized, opts.specialUse ?? null);
      publish([{ kind: 'mailboxes', accountId }]);
      return copyMailbox(mailbox);
    },
    async listMessages(mailboxId) {
      return (t.messages.get(mailboxId) ?? []).map(copyMessage);
    },
    async usage(accountId) {
      return usageOf(accountId);
    },
    async expunge(mailboxId, uids) {
      const mailbox = requireMailbox(mailboxId);
      const doomed = new Set(uids);
      const list = t.messages.get(mailboxId) ?? [];
      const gone = list.filter((m) => doomed.has(m.uid));
      if (gone.length === 0) return;
      t.messages.set(mailboxId, list.filter((m) => !doomed.has(m.uid)));
      mailbox.highestModseq += 1; // RFC 7162 §3.1.10: an expunge is a change too
      await releaseBlobs(gone.map((m) => m.blobId));
      publish([{ kind: 'expunge', accountId: mailbox.accountId, mailboxId, uids: gone.map((m) => m.uid) }]);
    },
    async storeFlags(mailboxId, uids, mode, flags) {
      const mailbox = requireMailbox(mailboxId);
      const wanted = new Set(uids);
      const matched = (t.messages.get(mailboxId) ?? []).filter((m) => wanted.has(m.uid));
      const changed: number[] = [];
      let modseq = 0;
      for (const message of matched) {
        const next = applyFlags(message.flags, mode, flags);
        if (sameFlags(next, message.flags)) continue;
        if (modseq === 0) modseq = ++mailbox.highestModseq;
        message.flags = next;
        message.modseq = modseq;
        changed.push(message.uid);
      }
      if (changed.length > 0) publish([{ kind: 'flags', accountId: mailbox.accountId, mailboxId, uids: changed }]);
      return matched.map(copyMessage);
    },
  };

  const accounts: AccountStore = {
    async addUser(address, passwordHash, opts = {}) {
      const normalized = normalizeAddress(address);
      if (findAccount(normalized) || isAlias(normalized)) throw new StoreError('exists', `${normalized} exists`);
      const account: Account = {
        id: t.nextId.account++,
        address: normalized,
        passwordHash,
        admin: opts.admin ?? false,
        createdAt: new Date(),
        quotaBytes: null,
      };
      t.accounts.set(account.id, account);
      await mailboxes.ensureDefaultMailboxes(account.id);
      return copyAccount(account);
    },
    async getUser(address) {
      const account = findAccount(address);
      return account ? copyAccount(account) : null;
    },
    async getUserById(id) {
      const account = t.accounts.get(id);
      return account ? copyAccount(account) : null;
    },
    async listUsers() {
      return [...t.accounts.values()].map(copyAccount);
    },
    async listAdmins() {
      return [...t.accounts.values()].filter((a) => a.admin).map(copyAccount);
    },
    async setPassword(address, passwordHash) {
      const account = findAccount(address);
      if (!account) return false;
      account.passwordHash = passwordHash;
      return true;
    },
    async setQuota(address, quotaBytes) {
      if (quotaBytes !== null && !(Number.isSafeInteger(quotaBytes) && quotaBytes >= 0)) {
        throw new StoreError('invalid', `bad quota ${quotaBytes}`);
      }
      const account = findAccount(address);
      if (!account) return false;
      account.quotaBytes = quotaBytes;
      return true;
    },
    async deleteUser(address) {
      const account = findAccount(address);
      if (!account) return false;
      const released: string[] = [];
      for (const mailbox of mailboxesOf(account.id)) {
        for (const m of t.messages.get(mailbox.id) ?? []) released.push(m.blobId);
        t.messages.delete(mailbox.id);
        t.mailboxes.delete(mailbox.id);
      }
      t.accounts.delete(account.id);
      await releaseBlobs(released);
      return true;
    },
    async addAlias(alias, target) {
      const key = normalizeAddress(alias, true);
      const to = normalizeAddress(target);
      if (findAccount(key)) throw new StoreError('exists', `${key} is a user`);
      if (t.aliases.some((a) => foldCase(a.alias) === foldCase(key) && foldCase(a.target) === foldCase(to))) {
        throw new StoreError('exists', `alias ${key} -> ${to} exists`);
      }
      t.aliases.push({ alias: key, target: to });
    },
    async listAliases() {
      return t.aliases.map((a) => ({ ...a }));
    },
    async deleteAlias(alias) {
      const key = foldCase(alias.trim());
      const before = t.aliases.length;
      t.aliases = t.aliases.filter((a) => foldCase(a.alias) !== key);
      return t.aliases.length < before;
    },
    async aliasTargets(alias) {
      const key = foldCase(alias.trim());
      return t.aliases.filter((a) => foldCase(a.alias) === key).map((a) => a.target);
    },
    async domains() {
      const all = new Set<string>();
      for (const a of t.accounts.values()) all.add(domainOf(a.address));
      for (const a of t.aliases) all.add(domainOf(a.alias));
      return [...all].sort();
    },
  };

  const messages: MessageStore = {
    async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
      if (!blobs.has(request.blobId)) throw new StoreError('not-found', `no blob ${request.blobId}`);
      // Check everything first (RFC 5321 §6.1: once accepted, the message must not be
      // lost), so a refusal records nothing at all.
      const targets = request.local.map((target) => {
        const account = t.accounts.get(target.accountId);
        if (!account) throw new StoreError('not-found', `no account ${target.accountId}`);
        const mailbox = findMailbox(account.id, target.mailbox ?? 'INBOX');
        if (!mailbox) throw new StoreError('not-found', `no mailbox ${target.mailbox ?? 'INBOX'} for ${account.address}`);
        return { account, mailbox, flags: applyFlags([], 'add', target.flags ?? []) };
      });
      const added = new Map<number, number>();
      for (const { account } of targets) {
        const total = (added.get(account.id) ?? usageOf(account.id)) + request.size;
        added.set(account.id, total);
        if (account.quotaBytes !== null && total > account.quotaBytes) {
          throw new StoreError('quota', `${account.address} is over quota`);
        }
      }

      const result: DeliveryResult = { local: [], queueId: null };
      const appended = new Map<number, ChangeEvent & { kind: 'append' }>();
      for (const { account, mailbox, flags } of targets) {
        const uid = mailbox.uidNext++;
        const modseq = ++mailbox.highestModseq;
        t.messages.get(mailbox.id)!.push({
          id: t.nextId.message++,
          mailboxId: mailbox.id,
          uid,
          size: request.size,
          flags,
          internalDate: new Date(request.internalDate),
          blobId: request.blobId,
          modseq,
        });
        result.local.push({ accountId: account.id, mailboxId: mailbox.id, uid });
        const event = appended.get(mailbox.id) ?? { kind: 'append', accountId: account.id, mailboxId: mailbox.id, uids: [] };
        event.uids.push(uid);
        appended.set(mailbox.id, event);
      }
      if (request.remote && request.remote.recipients.length > 0) {
        const now = new Date();
        const entry: QueueEntry = {
          id: randomBytes(8).toString('hex'),
          sender: request.remote.sender,
          recipients: request.remote.recipients.map((r) => ({ ...r })),
          blobId: request.blobId,
          size: request.size,
          createdAt: now,
          nextAttemptAt: now,
          attempts: 0,
          state: 'queued',
          lastError: null,
          envid: request.remote.envid ?? null,
          ret: request.remote.ret ?? null,
        };
        t.queue.set(entry.id, entry);
        result.queueId = entry.id;
      }
      publish([...appended.values()]);
      return result;
    },
  };

  const queue: QueueStore = {
    async list() {
      return [...t.queue.values()].map(copyQueueEntry);
    },
    async get(id) {
      const entry = t.queue.get(id);
      return entry ? copyQueueEntry(entry) : null;
    },
    async remove(id) {
      const entry = t.queue.get(id);
      if (!entry) return false;
      t.queue.delete(id);
      await releaseBlobs([entry.blobId]);
      return true;
    },
  };

  return {
    accounts,
    mailboxes,
    messages,
    blobs,
    queue,
    locks: createLockTable(),
    bus,
    async close() {},
  };
}
