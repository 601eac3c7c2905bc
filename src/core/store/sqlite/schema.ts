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
