// The store and the certificates, opened before root is dropped: the store worker's
// code is then loaded while it can surely be read, and whatever both create in the
// data directory is handed to the service user with the rest (privileges.ts).

import type { Logger } from 'pino';
import { LocalChangeBus } from '../core/bus/bus.ts';
import type { Config } from '../core/config/schema.ts';
import { BodyCache } from '../core/store/body-cache.ts';
import { openSqliteStore } from '../core/store/sqlite/sqlite-store.ts';
import type { Store } from '../core/store/types.ts';
import { CertificateManager } from '../core/tls/certificate-manager.ts';

export function openStore(config: Config, log: Logger): Promise<Store> {
  return openSqliteStore({
    dataDir: config.data,
    fsync: config.store.fsync,
    bus: new LocalChangeBus(),
    log: log.child({ component: 'store' }),
    changePollMs: config.store.change_poll_interval_ms,
    changeLogRetentionMs: config.store.change_log_retention * 1000,
    inlineBodyBytes: config.store.inline_body_bytes,
    inlineMemoryBytes: config.store.inline_memory_bytes,
    bodyCache: new BodyCache({ budgetBytes: config.store.body_cache_bytes, maxEntryBytes: config.store.body_cache_max_message }),
    openBodyFiles: config.store.open_body_files,
    lockLeaseMs: config.store.lock_lease * 1000,
  });
}

export function openCertificates(config: Config, hostname: string, log: Logger): Promise<CertificateManager> {
  return CertificateManager.open({
    dataDir: config.data,
    hostname,
    certFile: config.tls.cert || undefined,
    keyFile: config.tls.key || undefined,
    sni: config.tls.sni,
    minVersion: config.tls.min_version as 'TLSv1.2' | 'TLSv1.3',
    ciphers: config.tls.ciphers,
    ciphersuites: config.tls.ciphersuites,
    log: log.child({ component: 'tls' }),
  });
}
