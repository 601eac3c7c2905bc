// A complete Store held in memory: for protocol tests (no files, no worker thread)
// and as the executable reading of the contract next to the SQLite backend. Both pass
// src/core/store/conformance.ts. Every method validates first and changes state
// only after all checks pass, so a refused call leaves nothing behind.

import { randomBytes } from 'node:crypto';
import { LocalChangeBus, type ChangeBus, type ChangeEvent } from '../../bus/bus.ts';
import { createLockTable } from '../lock-table.ts';
import { applyFlags, canonicalFlags, domainOf, foldCase, newKeywords, normalizeAddress } from '../names.ts';
import {
  StoreError,
  type Account,
  type AccountStore,
  type DeliveryRequest,
  type DeliveryResult,
  type MessageStore,
  type QueueEntry,
  type Store,
} from '../types.ts';
import { createMemoryBanStore } from './memory-bans.ts';
import { createMemoryBlobStore } from './memory-blobs.ts';
import { createMemoryMailboxStore } from './memory-mailboxes.ts';
import { createMemoryQueueStore } from './memory-queue.ts';
import { createMemoryWebSessionStore } from './memory-web-sessions.ts';
import { createMemorySshKeyStore } from './memory-ssh-keys.ts';
import { copyAccount, MemoryContext } from './memory-tables.ts';

export function createMemoryStore(options: { bus?: ChangeBus } = {}): Store {
  const bus = options.bus ?? new LocalChangeBus();
  const blobs = createMemoryBlobStore();
  const ctx = new MemoryContext(bus, blobs);
  const { t } = ctx;
  const isAlias = (address: string): boolean => {
    const key = foldCase(address);
    return t.aliases.some((a) => foldCase(a.alias) === key);
  };
  const mailboxes = createMemoryMailboxStore(ctx);

  const accounts: AccountStore = {
    async addUser(address, passwordHash, opts = {}) {
      const normalized = normalizeAddress(address);
      if (ctx.findAccount(normalized) || isAlias(normalized)) throw new StoreError('exists', `${normalized} exists`);
      const account: Account = {
        id: t.nextId.account++,
        address: normalized,
        passwordHash,
        admin: opts.admin ?? false,
        createdAt: new Date(),
        quotaBytes: null,
        sendAsDomain: opts.sendAsDomain ?? false,
      };
      t.accounts.set(account.id, account);
      await mailboxes.ensureDefaultMailboxes(account.id);
      return copyAccount(account);
    },
    async getUser(address) {
      const account = ctx.findAccount(address);
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
      const account = ctx.findAccount(address);
      if (!account) return false;
      account.passwordHash = passwordHash;
      return true;
    },
    async replacePasswordHash(address, expected, passwordHash) {
      const account = ctx.findAccount(address);
      if (!account || account.passwordHash !== expected) return false;
      account.passwordHash = passwordHash;
      return true;
    },
    async setQuota(address, quotaBytes) {
      if (quotaBytes !== null && !(Number.isSafeInteger(quotaBytes) && quotaBytes >= 0)) {
        throw new StoreError('invalid', `bad quota ${quotaBytes}`);
      }
      const account = ctx.findAccount(address);
      if (!account) return false;
      account.quotaBytes = quotaBytes;
      return true;
    },
    async setSendAsDomain(address, allowed) {
      const account = ctx.findAccount(address);
      if (!account) return false;
      account.sendAsDomain = allowed;
      return true;
    },
    async setAdmin(address, admin) {
      const account = ctx.findAccount(address);
      if (!account) return false;
      account.admin = admin;
      return true;
    },
    async deleteUser(address) {
      const account = ctx.findAccount(address);
      if (!account) return false;
      const released: string[] = [];
      for (const record of ctx.mailboxesOf(account.id)) {
        for (const m of record.messages) released.push(m.blobId);
        t.mailboxes.delete(record.mailbox.id);
      }
      t.subscriptions.delete(account.id);
      t.sshKeys = t.sshKeys.filter((k) => k.accountId !== account.id);
      for (const [id, session] of t.webSessions) if (session.accountId === account.id) t.webSessions.delete(id);
      t.accounts.delete(account.id);
      await ctx.releaseBlobs(released);
      return true;
    },
    async addAlias(alias, target) {
      const key = normalizeAddress(alias, true);
      const to = normalizeAddress(target);
      if (ctx.findAccount(key)) throw new StoreError('exists', `${key} is a user`);
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

  /** Every check of one delivery; `added` carries the octets earlier ones of the same call add per account. */
  function checkDelivery(request: DeliveryRequest, added: Map<number, number>) {
    if (!blobs.has(request.blobId)) throw new StoreError('not-found', `no blob ${request.blobId}`);
    // Check everything first (RFC 5321 §6.1: once accepted, the message must not be
    // lost), so a refusal records nothing at all.
    const targets = request.local.map((target) => {
      const account = ctx.requireAccount(target.accountId);
      const record = ctx.findMailbox(account.id, target.mailbox ?? 'INBOX');
      if (!record) throw new StoreError('not-found', `no mailbox ${target.mailbox ?? 'INBOX'} for ${account.address}`);
      return { account, record, flags: canonicalFlags(target.flags ?? [], record.keywords) };
    });
    for (const { account } of targets) {
      const total = (added.get(account.id) ?? 0) + request.size;
      added.set(account.id, total);
      ctx.checkQuota(account, total);
    }
    return targets;
  }

  /** Records a checked delivery (no check can fail any more). */
  function recordDelivery(request: DeliveryRequest, targets: ReturnType<typeof checkDelivery>): DeliveryResult {
    const result: DeliveryResult = { local: [], queueId: null };
    const appended = new Map<number, ChangeEvent & { kind: 'append' }>();
    for (const { account, record, flags } of targets) {
      const { mailbox } = record;
      const uid = mailbox.uidNext++;
      const modseq = ++mailbox.highestModseq;
      const stored = applyFlags([], 'add', flags);
      ctx.learnKeywords(record, newKeywords(stored, record.keywords));
      record.messages.push({
        id: t.nextId.message++,
        mailboxId: mailbox.id,
        uid,
        size: request.size,
        flags: stored,
        internalDate: new Date(request.internalDate),
        blobId: request.blobId,
        modseq,
      });
      result.local.push({ accountId: account.id, mailboxId: mailbox.id, uid });
      const event = appended.get(mailbox.id) ?? { kind: 'append', accountId: account.id, mailboxId: mailbox.id, uids: [] };
      event.uids.push(uid);
      event.modseq = modseq;
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
        delayNoticeAt: null,
      };
      t.queue.set(entry.id, entry);
      result.queueId = entry.id;
    }
    ctx.publish([...appended.values(), ...(result.queueId ? [{ kind: 'queue', queueId: result.queueId, change: 'enqueue' } as const] : [])]);
    return result;
  }

  const messages: MessageStore = {
    async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
      return recordDelivery(request, checkDelivery(request, new Map()));
    },
    async deliverMany(requests: readonly DeliveryRequest[], options: { claimRecentIn?: number } = {}) {
      // RFC 3502: all or none. Usage only grows by what this call adds, so one pass of
      // checks with the running totals sees what recording them one by one would.
      const added = new Map<number, number>();
      const checked = requests.map((request) => checkDelivery(request, added));
      if (options.claimRecentIn !== undefined) ctx.requireMailbox(options.claimRecentIn);
      const delivered = requests.map((request, i) => recordDelivery(request, checked[i]!));
      // Called without awaiting in between: nothing else runs before the claim.
      const recent = options.claimRecentIn === undefined ? null : await mailboxes.claimRecent(options.claimRecentIn);
      return { delivered, recent };
    },
  };

  const queue = createMemoryQueueStore(ctx);

  return {
    accounts,
    bans: createMemoryBanStore(),
    mailboxes,
    messages,
    blobs,
    queue,
    locks: createLockTable(),
    sshKeys: createMemorySshKeyStore(ctx),
    webSessions: createMemoryWebSessionStore(ctx),
    bus,
    async close() {},
  };
}
