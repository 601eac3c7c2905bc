// Opens the data directory's store for one administration command. Works while the
// server runs: both open the same SQLite database, and the server reads accounts
// and aliases from it on every use, so a change takes effect at once; deliveries and
// queue commands reach its IMAP sessions and relay through the change log
// (core/store/sqlite/change-log.ts).

import { becomeUser, dataDirectoryOwner } from '../core/os/privileges.ts';
import { makePrivateDir, secureTree } from '../core/os/private-files.ts';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.ts';
import type { Store } from '../core/store/types.ts';
import type { Config } from '../core/config/schema.ts';
import { loadSettings } from './args.ts';

export async function withStore<T>(
  values: { data?: string | boolean | undefined; config?: string | boolean | undefined },
  work: (store: Store, config: Config) => Promise<T>,
): Promise<T> {
  const { config, dataDir } = await loadSettings(values);
  const owner = await dataDirectoryOwner(dataDir, config.run_as);
  await makePrivateDir(dataDir);
  // The store's worker starts first, so its code loads before root is given up (the
  // checkout may not be readable by the data directory's owner); setuid then covers
  // the worker thread too.
  const store = await openSqliteStore({ dataDir, fsync: config.store.fsync, changeLogRetentionMs: config.store.change_log_retention * 1000, inlineBodyBytes: config.store.inline_body_bytes, inlineMemoryBytes: config.store.inline_memory_bytes });
  if (owner) {
    try {
      // A new (or root's) data directory: what root just made goes to the service user.
      if (owner.adopt) await secureTree(dataDir, { owner: owner.user });
      becomeUser(owner.user);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

/** "Local@Example.ORG" → "Local@example.org" (shared with the console: src/core/admin/accounts.ts). */
export { normalizeAddress as normalizeAddressArgument } from '../core/admin/accounts.ts';
