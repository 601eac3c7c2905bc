// The storage contract. Protocol code reaches accounts, mailboxes, messages, the queue
// and message bodies only through these async interfaces, so that the embedded SQLite
// backend and a later PostgreSQL backend can both pass one conformance suite
// (src/core/store/conformance.ts). No SQL above this folder.

import type { Readable } from 'node:stream';
import type { ChangeBus } from '../bus/bus.ts';

/** Errors a backend raises for conditions the caller is expected to handle. */
export type StoreErrorCode = 'exists' | 'not-found' | 'invalid' | 'quota' | 'locked';
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------
// Accounts and aliases

export interface Account {
  id: number;
  /** Full address, local part as given, domain lower-cased. Unique case-insensitively. */
  address: string;
  passwordHash: string;
  admin: boolean;
  createdAt: Date;
  /** Bytes; null = no quota. */
  quotaBytes: number | null;
}

export interface Alias {
  /** Full address of the alias ("sales@example.org") or a catch-all ("@example.org"). */
  alias: string;
  /** A full address: a local user, another alias, or a remote address. */
  target: string;
}

export interface AccountStore {
  /** Throws StoreError('exists') if the address is taken by a user or an alias. */
  addUser(address: string, passwordHash: string, options?: { admin?: boolean }): Promise<Account>;
  /** Case-insensitive lookup by full address. */
  getUser(address: string): Promise<Account | null>;
  getUserById(id: number): Promise<Account | null>;
  listUsers(): Promise<Account[]>;
  listAdmins(): Promise<Account[]>;
  /** false when there is no such user. */
  setPassword(address: string, passwordHash: string): Promise<boolean>;
  /** Bytes, or null for no quota. false when there is no such user. */
  setQuota(address: string, quotaBytes: number | null): Promise<boolean>;
  /** Removes the user, their mailboxes and messages. false when there is no such user. */
  deleteUser(address: string): Promise<boolean>;

  /** Throws StoreError('exists') for a duplicate pair or an alias that is a user. */
  addAlias(alias: string, target: string): Promise<void>;
  listAliases(): Promise<Alias[]>;
  /** Deletes every target of the alias. false when there was none. */
  deleteAlias(alias: string): Promise<boolean>;
  /** Direct targets of one alias (case-insensitive); [] when it is not an alias. */
  aliasTargets(alias: string): Promise<string[]>;

  /** Lower-cased domains of all users and aliases. */
  domains(): Promise<string[]>;
}

// ---------------------------------------------------------------------------
// Mailboxes and messages (the model IMAP needs: RFC 3501 §2.3.1)

export interface Mailbox {
  id: number;
  accountId: number;
  /** Hierarchy delimiter "/"; "INBOX" is always upper-case. */
  name: string;
  uidValidity: number;
  uidNext: number;
  /** RFC 6154 special-use attribute ("\\Sent", ...), or null. */
  specialUse: string | null;
  subscribed: boolean;
  /** Highest modification sequence in this mailbox (RFC 7162), for CONDSTORE later. */
  highestModseq: number;
}

export interface MessageMeta {
  /** Store-wide id of this mailbox entry. */
  id: number;
  mailboxId: number;
  /** Strictly ascending within a mailbox, never reused while uidValidity stays. */
  uid: number;
  /** Octets of the stored message, which has CRLF line ends. */
  size: number;
  flags: string[];
  internalDate: Date;
  blobId: string;
  modseq: number;
}

export interface MailboxStore {
  /** INBOX plus the special-use folders (Sent, Drafts, Trash, Junk, Archive); idempotent. */
  ensureDefaultMailboxes(accountId: number): Promise<void>;
  listMailboxes(accountId: number): Promise<Mailbox[]>;
  /** "inbox" in any case names INBOX. */
  getMailbox(accountId: number, name: string): Promise<Mailbox | null>;
  /** Throws StoreError('exists'). */
  createMailbox(accountId: number, name: string, options?: { specialUse?: string | null }): Promise<Mailbox>;
  /** Messages of a mailbox in ascending UID order. */
  listMessages(mailboxId: number): Promise<MessageMeta[]>;
  /** Total octets of all messages of an account (for quota). */
  usage(accountId: number): Promise<number>;
  /** Removes the given messages; a blob goes when nothing refers to it any more. */
  expunge(mailboxId: number, uids: readonly number[]): Promise<void>;
  /** Replaces (mode 'set'), adds or removes flags; returns the updated messages. */
  storeFlags(mailboxId: number, uids: readonly number[], mode: 'set' | 'add' | 'remove', flags: readonly string[]): Promise<MessageMeta[]>;
}

// ---------------------------------------------------------------------------
// Message bodies (blobs): written and fsynced before any metadata refers to them.

export interface BlobWriter {
  /** Appends bytes, honouring backpressure. */
  write(chunk: Buffer): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /** Flushes and fsyncs the body; after this resolves the bytes survive a crash. */
  commit(): Promise<{ blobId: string; size: number }>;
  /**
   * Removes whatever was written. Safe to call after a failed write or twice. After a
   * successful commit() it does nothing: the blob then belongs to the caller, who
   * removes it with BlobStore.delete() if the delivery fails.
   */
  abort(): Promise<void>;
}

export interface BlobStore {
  create(): Promise<BlobWriter>;
  /** Streams a blob, or the octets [start, end) of it. */
  read(blobId: string, range?: { start: number; end: number }): Readable;
  /** Whole blob in memory; for small blobs and tests only. */
  readAll(blobId: string): Promise<Buffer>;
  /** Removes a blob nothing refers to (used by the store itself and by abort paths). */
  delete(blobId: string): Promise<void>;
}

// ---------------------------------------------------------------------------
// Delivery: two-phase. The body is a committed blob; this is the metadata phase,
// one transaction for every local mailbox and the queue entry of one message.

export interface LocalTarget {
  accountId: number;
  /** Defaults to INBOX. */
  mailbox?: string;
  flags?: string[];
}

export interface QueueRecipient {
  address: string;
  /** RFC 3461 parameters, kept for the relay issue. */
  notify?: string | null;
  orcpt?: string | null;
}

export interface DeliveryRequest {
  blobId: string;
  size: number;
  internalDate: Date;
  local: LocalTarget[];
  /** Mail for other domains: one queue entry with these recipients. */
  remote?: { sender: string; recipients: QueueRecipient[]; envid?: string | null; ret?: string | null };
}

export interface DeliveryResult {
  /** In the order of request.local. */
  local: { accountId: number; mailboxId: number; uid: number }[];
  queueId: string | null;
}

export interface MessageStore {
  /**
   * Atomically records one message in every local target and the queue. When it
   * resolves the metadata is durable (fsynced), and the bus has been told.
   * Throws StoreError('quota') when a target is over quota (nothing is recorded).
   */
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
}

// ---------------------------------------------------------------------------
// The outbound queue (delivery to other domains comes in a later issue).

export type QueueState = 'queued' | 'held' | 'deferred';
export interface QueueEntry {
  id: string;
  sender: string;
  recipients: QueueRecipient[];
  blobId: string;
  size: number;
  createdAt: Date;
  nextAttemptAt: Date;
  attempts: number;
  state: QueueState;
  lastError: string | null;
  /** RFC 3461 ENVID and RET of the submission, kept for delivery status notifications. */
  envid?: string | null;
  ret?: string | null;
}

export interface QueueStore {
  list(): Promise<QueueEntry[]>;
  get(id: string): Promise<QueueEntry | null>;
  /** Removes the entry (and its blob when nothing else refers to it). */
  remove(id: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------
// Maildrop locks (RFC 1939 §8: one POP3 session holds a maildrop at a time).

export interface LockStore {
  /** true when the lock was taken; false when someone else holds it. */
  tryLock(name: string, owner: string): Promise<boolean>;
  unlock(name: string, owner: string): Promise<void>;
}

export interface Store {
  readonly accounts: AccountStore;
  readonly mailboxes: MailboxStore;
  readonly messages: MessageStore;
  readonly blobs: BlobStore;
  readonly queue: QueueStore;
  readonly locks: LockStore;
  readonly bus: ChangeBus;
  close(): Promise<void>;
}
