// The storage contract. Protocol code reaches accounts, mailboxes, messages, the queue
// and message bodies only through these async interfaces, so that the embedded SQLite
// backend and a later PostgreSQL backend can both pass one conformance suite
// (src/core/store/conformance.ts). No SQL above this folder.

import type { Readable } from 'node:stream';
import type { ChangeFeed } from '../bus/bus.ts';

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
  /**
   * May use any address of its own domain as sender on the submission ports
   * (a shared-mailbox operator; Postfix's smtpd_sender_login_maps "@domain user").
   */
  sendAsDomain: boolean;
}

export interface Alias {
  /** Full address of the alias ("sales@example.org") or a catch-all ("@example.org"). */
  alias: string;
  /** A full address: a local user, another alias, or a remote address. */
  target: string;
}

export interface AccountStore {
  /** Throws StoreError('exists') if the address is taken by a user or an alias. */
  addUser(address: string, passwordHash: string, options?: { admin?: boolean; sendAsDomain?: boolean }): Promise<Account>;
  /** Case-insensitive lookup by full address. */
  getUser(address: string): Promise<Account | null>;
  getUserById(id: number): Promise<Account | null>;
  listUsers(): Promise<Account[]>;
  listAdmins(): Promise<Account[]>;
  /** false when there is no such user. */
  setPassword(address: string, passwordHash: string): Promise<boolean>;
  /**
   * Replaces the hash only while it is still `expected` (a login upgrading an old scheme
   * must not undo a password change made meanwhile). false when it changed or there is no such user.
   */
  replacePasswordHash(address: string, expected: string, passwordHash: string): Promise<boolean>;
  /** Bytes, or null for no quota. false when there is no such user. */
  setQuota(address: string, quotaBytes: number | null): Promise<boolean>;
  /** Account.sendAsDomain. false when there is no such user. */
  setSendAsDomain(address: string, allowed: boolean): Promise<boolean>;
  /** Account.admin. false when there is no such user. */
  setAdmin(address: string, admin: boolean): Promise<boolean>;
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
  /** Whether the account subscribes to this name (RFC 3501 §6.3.6; see listSubscriptions). */
  subscribed: boolean;
  /** Highest modification sequence in this mailbox (RFC 7162 §3.1.1); starts at 1. */
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
  /**
   * System flags in their RFC 3501 §2.3.2 spelling ("\\Seen") and keywords as first
   * seen in the mailbox. Never contains "\\Recent": that is a session property
   * (claimRecent), not a stored flag.
   */
  flags: string[];
  internalDate: Date;
  blobId: string;
  /** RFC 7162 §3.1: raised on every change of this message's flags. */
  modseq: number;
}

/** What STATUS, SELECT and LIST-STATUS need, computed by the store without loading messages. */
export interface MailboxStatus {
  mailboxId: number;
  /** RFC 3501 §6.3.10 MESSAGES. */
  messages: number;
  /** RFC 3501 §6.3.10 UNSEEN: messages without \\Seen. */
  unseen: number;
  /** Lowest UID without \\Seen, or null; SELECT's [UNSEEN n] (RFC 3501 §6.3.1) maps it to a sequence number. */
  firstUnseenUid: number | null;
  /** RFC 3501 §6.3.10 RECENT: messages not yet claimed by any session (see claimRecent). */
  recent: number;
  /** RFC 8438 STATUS SIZE: total octets. */
  size: number;
  uidNext: number;
  uidValidity: number;
  /** RFC 7162 §3.1.2.1 HIGHESTMODSEQ. */
  highestModseq: number;
}

/** RFC 7162 §3.1.3: result of a (conditional) STORE. */
export interface StoreFlagsResult {
  /** Every requested message that exists, after the change, in ascending UID order (changed or not). */
  messages: MessageMeta[];
  /** UIDs whose flags actually changed (they got a new modseq). */
  changed: number[];
  /** UIDs refused by unchangedSince (their modseq was greater): the MODIFIED response code. */
  modified: number[];
}

/** RFC 4315 §3 COPYUID / RFC 6851 §4.3: how source UIDs map to destination UIDs. */
export interface CopyResult {
  /** UIDVALIDITY of the destination mailbox. */
  uidValidity: number;
  /** One pair per source message that existed, in ascending source UID order. */
  mapping: { srcUid: number; dstUid: number }[];
}

/** RFC 7162 §3.1.4.1 CHANGEDSINCE and §3.2.5.2 QRESYNC VANISHED (EARLIER). */
export interface ChangesSince {
  /** Messages whose modseq is greater than the given one, ascending UID order. */
  changed: MessageMeta[];
  /** UIDs expunged with a modseq greater than the given one, ascending. */
  expunged: number[];
  highestModseq: number;
}

/** RFC 3501 §2.3.2: the messages that are \\Recent for the one session that claimed them. */
export interface RecentClaim {
  /** The claimer's recent UIDs are those in [fromUid, toUid); empty when fromUid === toUid. */
  fromUid: number;
  toUid: number;
  /** How many existing messages fall in that range. */
  count: number;
}

export interface QuotaUsage {
  /** RFC 9208 STORAGE, in octets (IMAP reports it in units of 1024). */
  usedBytes: number;
  limitBytes: number | null;
  /** RFC 9208 MESSAGE resource. */
  messages: number;
}

export type FlagMode = 'set' | 'add' | 'remove';

/**
 * Mailboxes and their contents. Every method that changes something publishes the
 * matching ChangeEvent (src/core/bus/bus.ts) after the change is durable. Mailbox ids
 * are store-wide; methods taking a mailboxId throw StoreError('not-found') for an
 * unknown one unless stated otherwise.
 */
export interface MailboxStore {
  /** INBOX plus the special-use folders (Sent, Drafts, Trash, Junk, Archive), subscribed; idempotent. */
  ensureDefaultMailboxes(accountId: number): Promise<void>;
  /** Ascending id, i.e. creation order. */
  listMailboxes(accountId: number): Promise<Mailbox[]>;
  /** "inbox" in any case names INBOX. */
  getMailbox(accountId: number, name: string): Promise<Mailbox | null>;
  getMailboxById(mailboxId: number): Promise<Mailbox | null>;
  /**
   * Throws StoreError('exists'). The new mailbox gets a fresh UIDVALIDITY. It is not
   * subscribed unless options.subscribe (RFC 3501 §6.3.3 leaves that to the client).
   */
  createMailbox(accountId: number, name: string, options?: { specialUse?: string | null; subscribe?: boolean }): Promise<Mailbox>;
  /**
   * RFC 3501 §6.3.5. Renames the mailbox and every mailbox below it ("a/b" -> "c/b"),
   * keeping ids, UIDs and UIDVALIDITY, and moves their subscriptions along. Renaming
   * INBOX instead creates the new mailbox, moves all INBOX messages into it (same UIDs,
   * INBOX sees them expunged) and leaves INBOX empty; INBOX's children stay.
   * Throws 'not-found' (no such mailbox), 'exists' (the new name, or a renamed child's,
   * is taken; INBOX always is), 'invalid' (the new name is below the old one: "a" -> "a/b").
   * Returns the renamed (or, for INBOX, the new) mailbox.
   */
  renameMailbox(accountId: number, oldName: string, newName: string): Promise<Mailbox>;
  /**
   * RFC 3501 §6.3.4. Removes this one mailbox (not its children) with its messages;
   * bodies nothing else refers to are deleted. Subscriptions stay (§6.3.6).
   * Throws 'invalid' for INBOX, 'not-found' when there is no such mailbox.
   */
  deleteMailbox(accountId: number, name: string): Promise<void>;
  /** RFC 6154: sets or clears the special-use attribute. */
  setSpecialUse(mailboxId: number, specialUse: string | null): Promise<void>;

  /** RFC 3501 §6.3.6: a subscription is a name; it may exist without a mailbox. Idempotent. */
  subscribe(accountId: number, name: string): Promise<void>;
  /** RFC 3501 §6.3.7. false when the name was not subscribed. */
  unsubscribe(accountId: number, name: string): Promise<boolean>;
  /** Subscribed names, sorted; include names whose mailbox is gone (RFC 3501 §6.3.9 LSUB). */
  listSubscriptions(accountId: number): Promise<string[]>;

  /** Aggregates from indexes and counters; cheap for 100,000 messages. */
  status(mailboxId: number): Promise<MailboxStatus>;
  /** Keywords (flags not starting with "\\") ever used in the mailbox, first spelling, in order of first use. */
  listKeywords(mailboxId: number): Promise<string[]>;
  /**
   * RFC 3501 §2.3.2 \\Recent: atomically hands the caller every UID that arrived since
   * the last claim and moves the mailbox's marker to uidNext, so a concurrent second
   * session gets an empty claim. SELECT calls it once; a selected session calls it again
   * when it learns of new messages. EXAMINE does not call it.
   */
  claimRecent(mailboxId: number): Promise<RecentClaim>;

  /** Messages of a mailbox in ascending UID order (small mailboxes, POP3, tests). */
  listMessages(mailboxId: number): Promise<MessageMeta[]>;
  /** UIDs of a mailbox, ascending: the sequence-number map of a session (4 bytes each). */
  listUids(mailboxId: number): Promise<Uint32Array>;
  /**
   * Metadata of just these UIDs, ascending by UID; UIDs that do not exist are left out.
   * Fetching 100,000 at once works but costs a few hundred ms; a FETCH can go in chunks.
   */
  getMessages(mailboxId: number, uids: readonly number[]): Promise<MessageMeta[]>;
  /** RFC 7162 CONDSTORE / QRESYNC: what changed and what was expunged after `modseq`. */
  changesSince(mailboxId: number, modseq: number): Promise<ChangesSince>;

  /** Total octets of all messages of an account (for quota). */
  usage(accountId: number): Promise<number>;
  /** RFC 9208 GETQUOTA / GETQUOTAROOT figures. Throws 'not-found' for an unknown account. */
  quota(accountId: number): Promise<QuotaUsage>;

  /**
   * Removes the given messages (unknown UIDs are ignored) and returns the UIDs actually
   * expunged, ascending. They get one new modseq, kept in a tombstone per UID for
   * QRESYNC (RFC 7162 §3.2.10). A body goes when nothing refers to it any more.
   */
  expunge(mailboxId: number, uids: readonly number[]): Promise<number[]>;
  /**
   * Replaces (mode 'set'), adds or removes flags. "\\Recent" is ignored (RFC 3501 §2.3.2:
   * not client-settable); flags compare case-insensitively. With unchangedSince
   * (RFC 7162 §3.1.3), a message whose modseq is greater is left alone and listed in
   * `modified`. All messages changed by one call share one new modseq.
   */
  storeFlags(
    mailboxId: number,
    uids: readonly number[],
    mode: FlagMode,
    flags: readonly string[],
    options?: { unchangedSince?: number },
  ): Promise<StoreFlagsResult>;
  /**
   * RFC 3501 §6.4.7 COPY, RFC 4315 COPYUID. Atomic: all messages or none. Copies share
   * the body, keep flags and internal date, get new UIDs from the destination's uidNext
   * and are \\Recent there. Both mailboxes must belong to one account ('invalid').
   * Throws StoreError('quota') when the copies would exceed the account's quota.
   */
  copyMessages(srcMailboxId: number, uids: readonly number[], dstMailboxId: number): Promise<CopyResult>;
  /**
   * RFC 6851 MOVE: like copyMessages, then expunges the originals, in one transaction.
   * Never over quota (the account's usage does not change). Publishes 'append' on the
   * destination, then 'expunge' on the source.
   */
  moveMessages(srcMailboxId: number, uids: readonly number[], dstMailboxId: number): Promise<CopyResult>;
}

// ---------------------------------------------------------------------------
// Message bodies (blobs): written and fsynced before any metadata refers to them.

export interface BlobWriter {
  /** Appends bytes, honouring backpressure. */
  write(chunk: Buffer): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /**
   * Ends the body. A file body is fsynced: after this resolves the bytes survive a
   * crash. A small body a backend keeps with its metadata (SQLite: inline-blobs.ts)
   * becomes durable in the same commit as the first delivery that refers to it; either
   * way a delivery that resolved has its body durable.
   */
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
  /**
   * Streams a blob, or the octets [start, end) of it. size is the blob's whole size when
   * the caller knows it (MessageMeta.size): a small blob is then read whole and cached.
   */
  read(blobId: string, range?: { start: number; end: number }, size?: number): Readable;
  /** Whole blob in memory; for small blobs and tests only. */
  readAll(blobId: string): Promise<Buffer>;
  /**
   * The whole blob when it is already in memory (the body cache), so a reader skips
   * the file I/O; undefined when it is not. The buffer is shared: never modify it.
   */
  inMemory(blobId: string): Buffer | undefined;
  /** Removes a blob nothing refers to (used by the store itself and by abort paths). */
  delete(blobId: string): Promise<void>;
}

// ---------------------------------------------------------------------------
// Delivery: two-phase. The body is a committed blob; this is the metadata phase,
// one transaction for every local mailbox and the queue entry of one message.

export interface LocalTarget {
  accountId: number;
  /** Defaults to INBOX. IMAP APPEND names its mailbox here. */
  mailbox?: string;
  /** Stored as storeFlags would ("\\Recent" dropped); keywords join the mailbox's list. */
  flags?: string[];
}

export interface QueueRecipient {
  address: string;
  /** RFC 3461 §4.1 NOTIFY as given ("SUCCESS,FAILURE", "NEVER"), or null for the default (FAILURE,DELAY). */
  notify?: string | null;
  /** RFC 3461 §4.2 ORCPT as given ("rfc822;bob@example.org", xtext decoded), or null. */
  orcpt?: string | null;
  /** Relay progress: 'pending' (or absent) until delivered or failed for good (recordAttempt). */
  status?: RecipientStatus;
  /** The remote's last reply for this recipient ("550 5.1.1 no such user"), or our own reason. */
  lastReply?: string | null;
  /** The host that gave lastReply (RFC 3464 §2.3.5 Remote-MTA). */
  remoteMta?: string | null;
}

export type RecipientStatus = 'pending' | 'delivered' | 'failed';

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
   * IMAP APPEND is a deliver() with one LocalTarget {accountId, mailbox, flags} and the
   * client's internal date; result.local[0].uid is the APPENDUID (RFC 4315 §3).
   */
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
  /**
   * Several deliveries in one transaction: all recorded, or none when any is refused
   * (IMAP MULTIAPPEND, RFC 3502 §6.3.11). Results in the order of requests. With
   * claimRecentIn, the same transaction then does claimRecent(claimRecentIn): an IMAP
   * session appending to the mailbox it has selected claims its own messages' \Recent
   * (RFC 3501 §2.3.2) without a second commit.
   */
  deliverMany(requests: readonly DeliveryRequest[], options?: { claimRecentIn?: number }): Promise<{ delivered: DeliveryResult[]; recent: RecentClaim | null }>;
}

// ---------------------------------------------------------------------------
// The outbound queue, worked by the relay (src/mail/relay/).

/** 'inflight': claimed by the relay worker; back to 'queued' at start (requeueInFlight). */
export type QueueState = 'queued' | 'held' | 'deferred' | 'inflight';
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
  /** When the "delayed" notice (RFC 3464 Action: delayed) went to the sender, or null. */
  delayNoticeAt?: Date | null;
}

/** The outcome of one recipient in one delivery attempt. */
export interface AttemptResult {
  address: string;
  /** 'deferred': try again later (4xx, connection failure); the others are final. */
  outcome: 'delivered' | 'failed' | 'deferred';
  /** The remote's reply or our own reason, one line. */
  reply: string;
  /** The host that gave the reply when it differs per recipient (several domains); else the attempt's host. */
  host?: string | null;
}

/** One delivery attempt, as `septet queue show` lists it. */
export interface QueueAttempt {
  at: Date;
  /** The host (MX or smart host) that answered, or null when none was reached. */
  host: string | null;
  results: AttemptResult[];
}

/**
 * The outbound queue. A new entry (deliver with remote recipients), remove, hold,
 * release and retryNow publish a QueueEvent (src/core/bus/bus.ts) once durable, so
 * that a running relay worker acts on them at once; the relay's own bookkeeping
 * (claim, recordAttempt, defer, setDelayNotice) publishes nothing.
 */
export interface QueueStore {
  /** Oldest id first. */
  list(): Promise<QueueEntry[]>;
  get(id: string): Promise<QueueEntry | null>;
  /** Removes the entry (and its blob when nothing else refers to it), with its attempts. */
  remove(id: string): Promise<boolean>;

  /** Entries in state 'queued' or 'deferred' whose nextAttemptAt <= now, earliest first, at most `limit`. */
  due(now: Date, limit: number): Promise<QueueEntry[]>;
  /**
   * Marks a due entry 'inflight' and returns it; null when it is not 'queued'/'deferred'
   * (another worker took it, it was held or removed). The one way to start an attempt.
   */
  claim(id: string): Promise<QueueEntry | null>;
  /**
   * Appends the attempt to the entry's history and applies its results to the
   * recipients (status, lastReply, remoteMta); counts one attempt. Returns the entry
   * after the change, or null when it is gone.
   */
  recordAttempt(id: string, attempt: QueueAttempt): Promise<QueueEntry | null>;
  /** Attempts of one entry, oldest first ([] for an unknown id). */
  attempts(id: string): Promise<QueueAttempt[]>;
  /**
   * After an attempt: 'deferred' until `nextAttemptAt` (a hold placed meanwhile stays).
   * false when there is no such entry.
   */
  defer(id: string, nextAttemptAt: Date, lastError: string | null): Promise<boolean>;
  /** Operator hold: the relay leaves it alone until release(). false when unknown. */
  hold(id: string): Promise<boolean>;
  /** Ends a hold; the entry is due at once. false when unknown or not held. */
  release(id: string): Promise<boolean>;
  /** Due at once (also ends a hold); false when unknown or in flight. */
  retryNow(id: string): Promise<boolean>;
  /** At start: entries left 'inflight' by a stop or crash go back to 'queued' (at least once). Returns how many. */
  requeueInFlight(): Promise<number>;
  /** Records when the "delayed" notice was sent. */
  setDelayNotice(id: string, at: Date): Promise<boolean>;
}

// ---------------------------------------------------------------------------
// Maildrop locks (RFC 1939 §8: one POP3 session holds a maildrop at a time).

export interface LockStore {
  /** true when the lock was taken; false when someone else holds it. */
  tryLock(name: string, owner: string): Promise<boolean>;
  unlock(name: string, owner: string): Promise<void>;
}

// ---------------------------------------------------------------------------
// Bans of client sources (src/core/auth/ban-guard.ts): refused at connect on every
// protocol until they expire. In the store so that `septet ban list|del` sees and
// lifts them while the server runs.

export interface SourceBan {
  /** sourceNetwork() form: an IPv4 address or an IPv6 /64 ("2001:db8:1:2::/64"). */
  source: string;
  /** Why, for `septet ban list` (e.g. "20 failed logins in 900 s"). */
  reason: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface BanStore {
  /** Bans a source; an existing ban of it is replaced, but never shortened. Drops bans expired by `ban.createdAt`. */
  addBan(ban: SourceBan): Promise<void>;
  /** Bans still in force at `now`, oldest first. */
  listBans(now: Date): Promise<SourceBan[]>;
  /** Lifts the ban of a source; false when none was in force at `now`. */
  deleteBan(source: string, now: Date): Promise<boolean>;
}

// ---------------------------------------------------------------------------
// SSH public keys kept per account (OpenSSH's authorized_keys, in the store)

export interface SshKey {
  id: number;
  accountId: number;
  /** The key's type as on the wire: "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ... */
  algorithm: string;
  /** The public key blob in SSH wire format (RFC 4253 §6.6), as the client offers it. */
  publicKey: Buffer;
  /** "SHA256:" + unpadded base64 of SHA-256(publicKey), as `ssh-keygen -l` prints it. */
  fingerprint: string;
  comment: string;
  createdAt: Date;
}

export interface SshKeyStore {
  /** Throws StoreError('exists') when the account already has this key, 'not-found' for an unknown account. */
  add(accountId: number, key: { algorithm: string; publicKey: Buffer; fingerprint: string; comment: string }): Promise<SshKey>;
  /** Oldest first. */
  list(accountId: number): Promise<SshKey[]>;
  /** false when the account has no key with this fingerprint. */
  delete(accountId: number, fingerprint: string): Promise<boolean>;
  /** The account's key with exactly this blob (public-key authentication), or null. */
  find(accountId: number, publicKey: Buffer): Promise<SshKey | null>;
}

/**
 * A signed-in web console session (src/web/session.ts). The browser holds a random
 * token in a cookie; the store keeps only its SHA-256 (`id`), so a copy of the database
 * signs nobody in. Gone with the account.
 */
export interface WebSession {
  /** Hex SHA-256 of the cookie's token. */
  id: string;
  accountId: number;
  createdAt: Date;
  /** Sliding: moved on by touch() while the session is used. */
  expiresAt: Date;
  /** Where it was signed in from and with what, for the account's session list and logs. */
  remoteAddress: string;
  userAgent: string;
}

export interface WebSessionStore {
  /** Records a new session ('not-found' when the account is gone). */
  create(session: WebSession): Promise<void>;
  /** The session when it exists and has not expired at `now`, else null. */
  get(id: string, now: Date): Promise<WebSession | null>;
  /** Moves the expiry on (sliding idle timeout); false when the session is gone. */
  touch(id: string, expiresAt: Date): Promise<boolean>;
  /** Signs one session out. */
  delete(id: string): Promise<boolean>;
  /** Signs every session of the account out but `exceptId` (after a password change); how many went. */
  deleteForAccount(accountId: number, exceptId?: string): Promise<number>;
  /** Drops sessions expired before `now`; how many went. */
  purgeExpired(now: Date): Promise<number>;
}

export interface Store {
  readonly accounts: AccountStore;
  readonly bans: BanStore;
  readonly mailboxes: MailboxStore;
  readonly messages: MessageStore;
  readonly blobs: BlobStore;
  readonly queue: QueueStore;
  readonly locks: LockStore;
  /** SSH public keys per account; deleted with the account. */
  readonly sshKeys: SshKeyStore;
  /** Web console sessions; deleted with the account. */
  readonly webSessions: WebSessionStore;
  /**
   * Changes to mailboxes and to the queue, this process's and those other processes
   * make on the same data (the CLI next to the server): each heard once, in commit
   * order per process (src/core/bus/bus.ts).
   */
  readonly bus: ChangeFeed;
  close(): Promise<void>;
}
