// The SQLite schema as numbered migrations (schema_version holds the last one
// applied). Never edit a released migration: add the next one.
//
// Message bodies are not in the database: messages.blob_id and queue.blob_id name
// files under <dataDir>/blobs/. References are counted through the blob_id indexes,
// so a blob is deleted when its last message or queue entry goes.

import type { DatabaseSync } from 'node:sqlite';

export const MIGRATIONS: readonly string[] = [
  // 1: first schema
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT INTO meta (key, value) VALUES ('last_uid_validity', 0);

  CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    quota_bytes INTEGER
  ) STRICT;

  CREATE TABLE aliases (
    alias TEXT NOT NULL COLLATE NOCASE,
    target TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (alias, target)
  ) STRICT;

  CREATE TABLE mailboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL DEFAULT 1,
    special_use TEXT,
    subscribed INTEGER NOT NULL DEFAULT 1,
    highest_modseq INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account_id, name)
  ) STRICT;

  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    size INTEGER NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]',
    internal_date INTEGER NOT NULL,
    blob_id TEXT NOT NULL,
    modseq INTEGER NOT NULL,
    UNIQUE (mailbox_id, uid)
  ) STRICT;
  CREATE INDEX messages_by_blob ON messages (blob_id);

  CREATE TABLE queue (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    blob_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'queued',
    last_error TEXT,
    envid TEXT,
    ret TEXT
  ) STRICT;
  CREATE INDEX queue_by_blob ON queue (blob_id);
  CREATE INDEX queue_due ON queue (state, next_attempt_at);
  `,

  // 2: what IMAP needs (RFC 3501, RFC 7162 CONDSTORE/QRESYNC, RFC 8438 STATUS SIZE).
  // STATUS must not scan 100,000 rows: per-mailbox counters kept exact by triggers
  // (so every write path, cascades included, maintains them), a seen column beside
  // the JSON flags, and indexes for unseen, modseq and tombstone lookups.
  `
  ALTER TABLE messages ADD COLUMN seen INTEGER NOT NULL DEFAULT 0;
  UPDATE messages SET seen = EXISTS (SELECT 1 FROM json_each(messages.flags) WHERE lower(json_each.value) = '\\seen');
  CREATE INDEX messages_unseen ON messages (mailbox_id, uid) WHERE seen = 0;
  CREATE INDEX messages_by_modseq ON messages (mailbox_id, modseq);

  ALTER TABLE mailboxes ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE mailboxes ADD COLUMN unseen_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE mailboxes ADD COLUMN total_size INTEGER NOT NULL DEFAULT 0;
  -- RFC 3501 §2.3.2: UIDs at or above this are \Recent for the next session to claim them.
  ALTER TABLE mailboxes ADD COLUMN recent_uid INTEGER NOT NULL DEFAULT 1;
  UPDATE mailboxes SET
    message_count = (SELECT COUNT(*) FROM messages WHERE mailbox_id = mailboxes.id),
    unseen_count = (SELECT COUNT(*) FROM messages WHERE mailbox_id = mailboxes.id AND seen = 0),
    total_size = (SELECT COALESCE(SUM(size), 0) FROM messages WHERE mailbox_id = mailboxes.id);

  CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
    UPDATE mailboxes SET message_count = message_count + 1, unseen_count = unseen_count + 1 - NEW.seen,
      total_size = total_size + NEW.size WHERE id = NEW.mailbox_id;
  END;
  CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
    UPDATE mailboxes SET message_count = message_count - 1, unseen_count = unseen_count - 1 + OLD.seen,
      total_size = total_size - OLD.size WHERE id = OLD.mailbox_id;
  END;
  CREATE TRIGGER messages_count_update AFTER UPDATE OF mailbox_id, seen, size ON messages BEGIN
    UPDATE mailboxes SET message_count = message_count - 1, unseen_count = unseen_count - 1 + OLD.seen,
      total_size = total_size - OLD.size WHERE id = OLD.mailbox_id;
    UPDATE mailboxes SET message_count = message_count + 1, unseen_count = unseen_count + 1 - NEW.seen,
      total_size = total_size + NEW.size WHERE id = NEW.mailbox_id;
  END;

  -- RFC 3501 §6.3.6: subscriptions are names and may outlive their mailbox.
  CREATE TABLE subscriptions (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO subscriptions (account_id, name) SELECT account_id, name FROM mailboxes WHERE subscribed != 0;
  ALTER TABLE mailboxes DROP COLUMN subscribed;

  -- Keywords ever used per mailbox (FLAGS / PERMANENTFLAGS), first spelling, in rowid order.
  CREATE TABLE mailbox_keywords (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL COLLATE NOCASE,
    UNIQUE (mailbox_id, keyword)
  ) STRICT;
  INSERT OR IGNORE INTO mailbox_keywords (mailbox_id, keyword)
    SELECT m.mailbox_id, j.value FROM messages m, json_each(m.flags) j WHERE substr(j.value, 1, 1) != '\\' ORDER BY m.id;

  -- RFC 7162 §3.2.10: expunged UIDs with the modseq of their expunge (QRESYNC VANISHED).
  -- No client saw a modseq before this version, so older expunges need no tombstone.
  CREATE TABLE expunged (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX expunged_by_modseq ON expunged (mailbox_id, modseq);
  `,

  // 3: the relay (src/mail/relay/): per-attempt history with the remote's replies
  // (`septet queue show`), and when the RFC 3464 "delayed" notice went out.
  // queue.recipients (JSON) now also carries each recipient's status and last reply.
  `
  ALTER TABLE queue ADD COLUMN delay_notice_at INTEGER;
  CREATE TABLE queue_attempts (
    queue_id TEXT NOT NULL REFERENCES queue (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    host TEXT,
    results TEXT NOT NULL
  ) STRICT;
  CREATE INDEX queue_attempts_by_entry ON queue_attempts (queue_id, at);
  `,

  // 4: submission sender binding (src/mail/sender-ownership.ts): a user who may send
  // as any address of their own domain (shared mailboxes; `septet user sendas`).
  `
  ALTER TABLE accounts ADD COLUMN send_as_domain INTEGER NOT NULL DEFAULT 0;
  `,

  // 5: bans of client sources after repeated failed logins (src/core/auth/ban-guard.ts),
  // shared with the CLI (`septet ban list|del`). source is an IPv4 address or an IPv6 /64.
  `
  CREATE TABLE bans (
    source TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,

  // 6: the change log (change-log.ts): every published change, written in the
  // transaction of the change, so another process on the same files (the server,
  // when the CLI delivers or retries) hears it. AUTOINCREMENT: ids never go back,
  // even when trimming empties the table, so a reader's "after id N" stays right.
  `
  CREATE TABLE change_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    origin TEXT NOT NULL,
    event TEXT NOT NULL
  ) STRICT;
  CREATE INDEX change_log_by_time ON change_log (at);
  `,

  // 7: small message bodies kept in the database (inline-blobs.ts): written in the
  // transaction of the delivery that first refers to them, so one WAL fsync makes body
  // and metadata durable together. Removed in the transaction that drops the last
  // reference (db.ts unreferenced). A rowid table: rows are large, WITHOUT ROWID suits small ones.
  `
  CREATE TABLE message_bodies (
    blob_id TEXT NOT NULL UNIQUE,
    data BLOB NOT NULL
  ) STRICT;
  `,

  // 8: SSH public keys per account (ssh-key-operations.ts; `septet ssh key add|list|del`),
  // OpenSSH's authorized_keys kept in the store. public_key is the wire blob (RFC 4253
  // §6.6) the client offers; fingerprint is "SHA256:..." of it. Gone with the account.
  `
  CREATE TABLE ssh_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    algorithm TEXT NOT NULL,
    public_key BLOB NOT NULL,
    fingerprint TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, public_key)
  ) STRICT;
  CREATE INDEX ssh_keys_by_fingerprint ON ssh_keys (account_id, fingerprint);
  `,

  // 9: web console sessions (web-session-operations.ts). id is the SHA-256 of the
  // cookie's token, never the token. Gone with the account.
  `
  CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    remote_address TEXT NOT NULL,
    user_agent TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX web_sessions_by_account ON web_sessions (account_id);
  CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
  `,
];

/** Brings the database to the newest schema; safe when two processes open it at once. */
export function migrate(db: DatabaseSync): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  db.exec('BEGIN IMMEDIATE');
  try {
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get();
    const current = Number(row?.version ?? 0);
    if (current > MIGRATIONS.length) {
      throw new Error(`database schema ${current} is newer than this Septet (${MIGRATIONS.length})`);
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version - 1]!);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version);
    }
    db.exec('COMMIT');
    return MIGRATIONS.length;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
