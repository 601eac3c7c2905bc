// The memory backend's state and the small helpers the account, mailbox and delivery
// parts share. Each mailbox keeps its messages sorted by UID, so lookups by UID are
// binary searches and listUids is one pass.

import type { ChangeBus, StoreEvent } from '../../bus/bus.ts';
import { foldCase, nextUidValidity, normalizeMailboxName } from '../names.ts';
import { StoreError, type Account, type Alias, type Mailbox, type MessageMeta, type QueueAttempt, type QueueEntry, type SshKey, type WebSession } from '../types.ts';
import type { MemoryBlobStore } from './memory-blobs.ts';

/** A mailbox with what the public Mailbox does not show. */
export interface MailboxRecord {
  mailbox: Omit<Mailbox, 'subscribed'>;
  /** Ascending by uid. */
  messages: MessageMeta[];
  /** RFC 3501 §2.3.2: UIDs at or above this are not claimed by any session yet. */
  recentUid: number;
  /** Folded keyword -> first spelling, in order of first use. */
  keywords: Map<string, string>;
  /** RFC 7162 §3.2.10: expunged UIDs with the modseq of their expunge. */
  tombstones: { uid: number; modseq: number }[];
}

export interface Tables {
  accounts: Map<number, Account>;
  aliases: Alias[];
  mailboxes: Map<number, MailboxRecord>;
  /** Per account: subscribed names (RFC 3501 §6.3.6), independent of mailboxes. */
  subscriptions: Map<number, Set<string>>;
  queue: Map<string, QueueEntry>;
  /** Per queue id: its delivery attempts, oldest first. */
  queueAttempts: Map<string, QueueAttempt[]>;
  /** SSH public keys of all accounts, oldest first. */
  sshKeys: SshKey[];
  /** Web console sessions by id (hashed token). */
  webSessions: Map<string, WebSession>;
  nextId: { account: number; mailbox: number; message: number; sshKey: number };
  lastUidValidity: number;
}

// Structured copies so callers can never change the store by mutating a result.
export const copyAccount = (a: Account): Account => ({ ...a, createdAt: new Date(a.createdAt) });
export const copyMessage = (m: MessageMeta): MessageMeta => ({ ...m, flags: [...m.flags], internalDate: new Date(m.internalDate) });
export const copyQueueEntry = (q: QueueEntry): QueueEntry => ({
  ...q,
  recipients: q.recipients.map((r) => ({ ...r })),
  createdAt: new Date(q.createdAt),
  nextAttemptAt: new Date(q.nextAttemptAt),
  delayNoticeAt: q.delayNoticeAt ? new Date(q.delayNoticeAt) : null,
});
export const copyAttempt = (a: QueueAttempt): QueueAttempt => ({ ...a, at: new Date(a.at), results: a.results.map((r) => ({ ...r })) });

/** Index of the first message with uid >= the given one (messages.length if none). */
export function lowerBound(messages: readonly MessageMeta[], uid: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (messages[mid]!.uid < uid) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The messages with these UIDs, ascending, each once; unknown UIDs are skipped. */
export function pickByUid(messages: readonly MessageMeta[], uids: readonly number[]): MessageMeta[] {
  const wanted = [...new Set(uids)].sort((a, b) => a - b);
  const out: MessageMeta[] = [];
  for (const uid of wanted) {
    const message = messages[lowerBound(messages, uid)];
    if (message?.uid === uid) out.push(message);
  }
  return out;
}

export class MemoryContext {
  readonly t: Tables;
  readonly bus: ChangeBus;
  readonly blobs: MemoryBlobStore;

  constructor(bus: ChangeBus, blobs: MemoryBlobStore) {
    this.bus = bus;
    this.blobs = blobs;
    this.t = {
      accounts: new Map(),
      aliases: [],
      mailboxes: new Map(),
      subscriptions: new Map(),
      queue: new Map(),
      queueAttempts: new Map(),
      sshKeys: [],
      webSessions: new Map(),
      nextId: { account: 1, mailbox: 1, message: 1, sshKey: 1 },
      lastUidValidity: 0,
    };
  }

  findAccount(address: string): Account | undefined {
    const key = foldCase(address.trim());
    for (const account of this.t.accounts.values()) if (foldCase(account.address) === key) return account;
    return undefined;
  }

  requireAccount(accountId: number): Account {
    const account = this.t.accounts.get(accountId);
    if (!account) throw new StoreError('not-found', `no account ${accountId}`);
    return account;
  }

  mailboxesOf(accountId: number): MailboxRecord[] {
    return [...this.t.mailboxes.values()].filter((r) => r.mailbox.accountId === accountId);
  }

  findMailbox(accountId: number, name: string): MailboxRecord | undefined {
    const wanted = normalizeMailboxName(name);
    return this.mailboxesOf(accountId).find((r) => r.mailbox.name === wanted);
  }

  requireMailbox(mailboxId: number): MailboxRecord {
    const record = this.t.mailboxes.get(mailboxId);
    if (!record) throw new StoreError('not-found', `no mailbox ${mailboxId}`);
    return record;
  }

  subscriptionsOf(accountId: number): Set<string> {
    let set = this.t.subscriptions.get(accountId);
    if (!set) {
      set = new Set();
      this.t.subscriptions.set(accountId, set);
    }
    return set;
  }

  publicMailbox(record: MailboxRecord): Mailbox {
    const { mailbox } = record;
    return { ...mailbox, subscribed: this.t.subscriptions.get(mailbox.accountId)?.has(mailbox.name) ?? false };
  }

  addMailbox(accountId: number, name: string, specialUse: string | null): MailboxRecord {
    this.t.lastUidValidity = nextUidValidity(this.t.lastUidValidity);
    const record: MailboxRecord = {
      mailbox: {
        id: this.t.nextId.mailbox++,
        accountId,
        name,
        uidValidity: this.t.lastUidValidity,
        uidNext: 1,
        specialUse,
        highestModseq: 1,
      },
      messages: [],
      recentUid: 1,
      keywords: new Map(),
      tombstones: [],
    };
    this.t.mailboxes.set(record.mailbox.id, record);
    return record;
  }

  /** Records keywords first used in this mailbox (PERMANENTFLAGS / FLAGS). */
  learnKeywords(record: MailboxRecord, keywords: readonly string[]): void {
    for (const keyword of keywords) record.keywords.set(foldCase(keyword), keyword);
  }

  usageOf(accountId: number): number {
    let total = 0;
    for (const record of this.mailboxesOf(accountId)) for (const m of record.messages) total += m.size;
    return total;
  }

  /** Throws StoreError('quota') when adding `extra` octets would exceed the account's quota. */
  checkQuota(account: Account, extra: number): void {
    if (account.quotaBytes !== null && this.usageOf(account.id) + extra > account.quotaBytes) {
      throw new StoreError('quota', `${account.address} is over quota`);
    }
  }

  private isBlobReferenced(blobId: string): boolean {
    for (const record of this.t.mailboxes.values()) if (record.messages.some((m) => m.blobId === blobId)) return true;
    for (const entry of this.t.queue.values()) if (entry.blobId === blobId) return true;
    return false;
  }

  /** After removing references: drop the blobs nobody refers to any more. */
  async releaseBlobs(blobIds: Iterable<string>): Promise<void> {
    for (const blobId of new Set(blobIds)) if (!this.isBlobReferenced(blobId)) await this.blobs.delete(blobId);
  }

  publish(events: readonly StoreEvent[]): void {
    for (const event of events) this.bus.publish(event);
  }
}
