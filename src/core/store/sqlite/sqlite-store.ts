// The embedded backend: metadata in SQLite (owned by one worker thread, see
// worker.ts), message bodies as files (blob-files.ts, async I/O on the main thread).
//
// Layout of the data directory:
//   septet.db (+ -wal, -shm)   accounts, aliases, mailboxes, messages, queue, bans, SSH keys
//   blobs/xx/<id>              message bodies larger than store.inline_body_bytes
//                              (smaller ones are rows of message_bodies, inline-blobs.ts)
//
// Nothing but message bodies (immutable, body-cache.ts) is cached here: another
// process (the CLI) may change accounts and aliases at any time, and the next read
// sees it. Changes to mailboxes and the queue reach
// this process's bus also when another process makes them (change-log.ts). Maildrop
// locks live in a lock file every process on the data directory shares
// (lock-file.ts), so they hold across the server's worker processes.

import path from 'node:path';
import { LocalChangeBus, type ChangeBus } from '../../bus/bus.ts';
import type { Logger } from '../../log/logger.ts';
import type { BodyCache } from '../body-cache.ts';
import { createPrivateFile, makePrivateDir } from '../../os/private-files.ts';
import type { AccountStore, BanStore, MailboxStore, MessageStore, QueueStore, SshKey, SshKeyStore, Store, WebSessionStore } from '../types.ts';
import { fanOutFolders, FileBlobStore } from './blob-files.ts';
import { InlineBlobStore } from './inline-blobs.ts';
import { createSharedLocks } from './maildrop-locks.ts';
import { unpackMessages } from './message-codec.ts';
import type { WriteOperations, WriteOutcome } from './operations.ts';
import { SqliteWorkerClient, type Args } from './worker-client.ts';

export interface SqliteStoreOptions {
  dataDir: string;
  fsync: boolean;
  bus?: ChangeBus;
  log?: Logger;
  /** How long a write waits for a lock held by another process (default 10 s). */
  busyTimeoutMs?: number;
  /** How often to look for other processes' changes (default 100 ms; config store.change_poll_interval_ms). */
  changePollMs?: number;
  /** How long the change log keeps a change (default 10 minutes; config store.change_log_retention). */
  changeLogRetentionMs?: number;
  /** Bodies up to this size live in the database (default 64 KiB; config store.inline_body_bytes; 0 = files only). */
  inlineBodyBytes?: number;
  /** All small bodies held in memory at once, received but not yet committed (default 32 MiB; config store.inline_memory_bytes). */
  inlineMemoryBytes?: number;
  /** Recently delivered and read small bodies (config store.body_cache_bytes); none by default. */
  bodyCache?: BodyCache;
  /** Descriptors of bodies kept open between reads (config store.open_body_files; default 64). */
  openBodyFiles?: number;
  /** How long a maildrop lock outlives its holder's last renewal (default 30 s; config store.lock_lease). */
  lockLeaseMs?: number;
}

type Value<F> = F extends (...args: never[]) => WriteOutcome<infer T> ? T : never;

/** The folders the store writes in: the data directory itself and the blob fan-out. */
export function sqliteStoreFolders(dataDir: string): { dataDir: string; blobFolders: string[] } {
  return { dataDir, blobFolders: fanOutFolders(path.join(dataDir, 'blobs')) };
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const bus = options.bus ?? new LocalChangeBus();
  const log = options.log;
  await makePrivateDir(options.dataDir);
  const databasePath = path.join(options.dataDir, 'septet.db');
  // Password hashes: 0600 before SQLite opens it (its -wal and -shm take this mode).
  await createPrivateFile(databasePath);
  await createPrivateFile(path.join(options.dataDir, 'locks.db'));
  const files = new FileBlobStore({ directory: path.join(options.dataDir, 'blobs'), fsync: options.fsync, cache: options.bodyCache, openFiles: options.openBodyFiles });
  await files.open(log);
  const client = await SqliteWorkerClient.start(
    {
      databasePath,
      fsync: options.fsync,
      busyTimeoutMs: options.busyTimeoutMs ?? 10_000,
      changePollMs: options.changePollMs ?? 100,
      changeLogRetentionMs: options.changeLogRetentionMs ?? 600_000,
      lockPath: path.join(options.dataDir, 'locks.db'),
    },
    log,
  );
  const blobs = new InlineBlobStore(files, client, options.inlineBodyBytes ?? 65_536, options.inlineMemoryBytes ?? 33_554_432, options.bodyCache);
  client.onChanges = (events) => {
    for (const event of events) bus.publish(event);
  };

  /** Runs a write; once committed, tells the bus and deletes the blobs it released. */
  async function write<K extends keyof WriteOperations>(op: K, ...args: Args<WriteOperations[K]>): Promise<Value<WriteOperations[K]>> {
    const outcome = (await client.write(op, ...args)) as WriteOutcome<Value<WriteOperations[K]>>;
    // Before any await: other processes' changes (the worker's next messages) come
    // after this commit and must be heard after it.
    for (const event of outcome.events ?? []) bus.publish(event);
    for (const blobId of outcome.releasedBlobs ?? []) {
      // The metadata is already gone; a blob that cannot be removed is only wasted space.
      await blobs.released(blobId).catch((error) => log?.warn({ err: error, blobId }, 'could not delete a message body'));
    }
    return outcome.value;
  }

  const locks = createSharedLocks(client, options.lockLeaseMs ?? 30_000, (error) => log?.warn({ err: error }, 'could not renew maildrop locks'));

  const accounts: AccountStore = {
    addUser: (address, passwordHash, opts = {}) => write('addUser', address, passwordHash, opts.admin ?? false, opts.sendAsDomain ?? false),
    getUser: (address) => client.read('getUser', address),
    getUserById: (id) => client.read('getUserById', id),
    listUsers: () => client.read('listUsers'),
    listAdmins: () => client.read('listAdmins'),
    setPassword: (address, passwordHash) => write('setPassword', address, passwordHash),
    replacePasswordHash: (address, expected, passwordHash) => write('replacePasswordHash', address, expected, passwordHash),
    setQuota: (address, quotaBytes) => write('setQuota', address, quotaBytes),
    setSendAsDomain: (address, allowed) => write('setSendAsDomain', address, allowed),
    setAdmin: (address, admin) => write('setAdmin', address, admin),
    deleteUser: (address) => write('deleteUser', address),
    addAlias: (alias, target) => write('addAlias', alias, target),
    listAliases: () => client.read('listAliases'),
    deleteAlias: (alias) => write('deleteAlias', alias),
    aliasTargets: (alias) => client.read('aliasTargets', alias),
    domains: () => client.read('domains'),
  };

  const mailboxes: MailboxStore = {
    ensureDefaultMailboxes: (accountId) => write('ensureDefaultMailboxes', accountId),
    listMailboxes: (accountId) => client.read('listMailboxes', accountId),
    getMailbox: (accountId, name) => client.read('getMailbox', accountId, name),
    getMailboxById: (mailboxId) => client.read('getMailboxById', mailboxId),
    createMailbox: (accountId, name, opts = {}) => write('createMailbox', accountId, name, opts.specialUse ?? null, opts.subscribe ?? false),
    renameMailbox: (accountId, oldName, newName) => write('renameMailbox', accountId, oldName, newName),
    deleteMailbox: (accountId, name) => write('deleteMailbox', accountId, name),
    setSpecialUse: (mailboxId, specialUse) => write('setSpecialUse', mailboxId, specialUse),
    subscribe: (accountId, name) => write('subscribe', accountId, name),
    unsubscribe: (accountId, name) => write('unsubscribe', accountId, name),
    listSubscriptions: (accountId) => client.read('listSubscriptions', accountId),
    status: (mailboxId) => client.read('status', mailboxId),
    listKeywords: (mailboxId) => client.read('listKeywords', mailboxId),
    claimRecent: (mailboxId) => write('claimRecent', mailboxId),
    listMessages: async (mailboxId) => unpackMessages(await client.read('listMessages', mailboxId)),
    listUids: (mailboxId) => client.read('listUids', mailboxId),
    getMessages: async (mailboxId, uids) => unpackMessages(await client.read('getMessages', mailboxId, [...uids])),
    changesSince: async (mailboxId, modseq) => {
      const changes = await client.read('changesSince', mailboxId, modseq);
      return { ...changes, changed: unpackMessages(changes.changed) };
    },
    usage: (accountId) => client.read('usage', accountId),
    quota: (accountId) => client.read('quota', accountId),
    expunge: (mailboxId, uids) => write('expunge', mailboxId, [...uids]),
    storeFlags: async (mailboxId, uids, mode, flags, opts = {}) => {
      const result = await write('storeFlags', mailboxId, [...uids], mode, [...flags], opts.unchangedSince ?? null);
      return { ...result, messages: unpackMessages(result.messages) };
    },
    copyMessages: (srcMailboxId, uids, dstMailboxId) => write('copyMessages', srcMailboxId, [...uids], dstMailboxId),
    moveMessages: (srcMailboxId, uids, dstMailboxId) => write('moveMessages', srcMailboxId, [...uids], dstMailboxId),
  };

  const messages: MessageStore = {
    // A small body rides along with its first delivery (inline-blobs.ts): one commit for both.
    async deliver(request) {
      const result = await write('deliver', request, blobs.bodyToStore(request.blobId));
      blobs.stored(request.blobId);
      return result;
    },
    async deliverMany(requests, options = {}) {
      const results = await write('deliverMany', [...requests], requests.map((r) => blobs.bodyToStore(r.blobId)), options.claimRecentIn ?? null);
      for (const request of requests) blobs.stored(request.blobId);
      return results;
    },
  };

  const queue: QueueStore = {
    list: () => client.read('queueList'),
    get: (id) => client.read('queueGet', id),
    remove: (id) => write('queueRemove', id),
    due: (now, limit) => client.read('queueDue', now.getTime(), limit),
    claim: (id) => write('queueClaim', id),
    recordAttempt: (id, attempt) => write('queueRecordAttempt', id, attempt.at.getTime(), attempt.host, attempt.results),
    attempts: (id) => client.read('queueAttempts', id),
    defer: (id, nextAttemptAt, lastError) => write('queueDefer', id, nextAttemptAt.getTime(), lastError),
    hold: (id) => write('queueHold', id),
    release: (id) => write('queueRelease', id, Date.now()),
    retryNow: (id) => write('queueRetryNow', id, Date.now()),
    requeueInFlight: () => write('queueRequeueInFlight'),
    setDelayNotice: (id, at) => write('queueSetDelayNotice', id, at.getTime()),
  };

  const bans: BanStore = {
    addBan: (ban) => write('addBan', ban.source, ban.reason, ban.createdAt.getTime(), ban.expiresAt.getTime()),
    listBans: (now) => client.read('listBans', now.getTime()),
    deleteBan: (source, now) => write('deleteBan', source, now.getTime()),
  };

  // Blobs come back from the worker as Uint8Array (structured clone): Buffers again here.
  const asBuffer = (key: SshKey): SshKey => ({ ...key, publicKey: Buffer.from(key.publicKey.buffer, key.publicKey.byteOffset, key.publicKey.byteLength) });
  const sshKeys: SshKeyStore = {
    add: async (accountId, key) => asBuffer(await write('sshKeyAdd', accountId, key)),
    list: async (accountId) => (await client.read('sshKeyList', accountId)).map(asBuffer),
    delete: (accountId, fingerprint) => write('sshKeyDelete', accountId, fingerprint),
    find: async (accountId, publicKey) => {
      const key = await client.read('sshKeyFind', accountId, publicKey);
      return key ? asBuffer(key) : null;
    },
  };

  const webSessions: WebSessionStore = {
    create: (session) => write('webSessionCreate', session.id, session.accountId, session.createdAt.getTime(), session.expiresAt.getTime(), session.remoteAddress, session.userAgent),
    get: (id, now) => client.read('webSessionGet', id, now.getTime()),
    touch: (id, expiresAt) => write('webSessionTouch', id, expiresAt.getTime()),
    delete: (id) => write('webSessionDelete', id),
    deleteForAccount: (accountId, exceptId) => write('webSessionDeleteForAccount', accountId, exceptId ?? null),
    purgeExpired: (now) => write('webSessionPurge', now.getTime()),
  };

  return {
    accounts,
    bans,
    sshKeys,
    webSessions,
    mailboxes,
    messages,
    blobs,
    queue,
    locks,
    bus,
    close: () => {
      files.close();
      locks.stop();
      return client.close();
    },
  };
}
