// Septet's TLS certificates: the configured files (or a self-signed one made at the
// first start), extra ones chosen by SNI, and reloading without a restart (SIGHUP, or
// a change to the files, as when certbot renews). A reload that fails keeps serving
// the certificates that worked.

import { randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { TlsProvider } from '../net/connection.ts';
import { DEFAULT_TLS12_CIPHERS, DEFAULT_TLS13_CIPHERSUITES, nodeCipherList } from './cipher-policy.ts';
import { ensureSelfSigned, selfSignedPaths } from './self-signed-files.ts';
import { CertificateError, loadCertificate, type ContextPolicy, type LoadedCertificate, type TlsMinVersion } from './secure-context.ts';
import { parseSniEntry, sniMatches, type SniEntry } from './sni.ts';

export interface CertificateManagerOptions {
  dataDir: string;
  /** Host name for a self-signed certificate. */
  hostname: string;
  /** tls.cert and tls.key; both empty or absent = self-signed in <dataDir>/tls/. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** tls.sni entries, "hostname=cert.pem:key.pem". */
  sni: readonly string[];
  minVersion: TlsMinVersion;
  /** tls.ciphers (TLS 1.2, OpenSSL syntax); default DEFAULT_TLS12_CIPHERS. */
  ciphers?: string | undefined;
  /** tls.ciphersuites (TLS 1.3); default DEFAULT_TLS13_CIPHERSUITES. */
  ciphersuites?: string | undefined;
  log: Logger;
}

interface CertificateSet {
  main: LoadedCertificate;
  sni: Array<{ entry: SniEntry; cert: LoadedCertificate }>;
}

/** Certificates expiring sooner than this are warned about at each load. */
const EXPIRY_WARNING_MS = 14 * 24 * 3600 * 1000;

export class CertificateManager implements TlsProvider {
  private readonly log: Logger;
  private readonly policy: ContextPolicy;
  private readonly certFile: string;
  private readonly keyFile: string;
  private readonly sniEntries: SniEntry[];
  private current: CertificateSet;
  private watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | null = null;
  private reloadChain: Promise<boolean> = Promise.resolve(true);

  private constructor(o: { log: Logger; policy: ContextPolicy; certFile: string; keyFile: string; sniEntries: SniEntry[]; current: CertificateSet }) {
    this.log = o.log;
    this.policy = o.policy;
    this.certFile = o.certFile;
    this.keyFile = o.keyFile;
    this.sniEntries = o.sniEntries;
    this.current = o.current;
  }

  /** Loads (or makes) the certificates. Throws CertificateError when they cannot be used. */
  static async open(options: CertificateManagerOptions): Promise<CertificateManager> {
    const log = options.log;
    if (options.minVersion !== 'TLSv1.2' && options.minVersion !== 'TLSv1.3') {
      throw new CertificateError(`tls.min_version: expected TLSv1.2 or TLSv1.3, got ${String(options.minVersion)}`);
    }
    if (Boolean(options.certFile) !== Boolean(options.keyFile)) {
      throw new CertificateError('tls.cert and tls.key must be set together');
    }
    let ciphers: string;
    try {
      ciphers = nodeCipherList(options.ciphers ?? DEFAULT_TLS12_CIPHERS, options.ciphersuites ?? DEFAULT_TLS13_CIPHERSUITES);
    } catch (error) {
      throw new CertificateError((error as Error).message, { cause: error });
    }
    const policy: ContextPolicy = { minVersion: options.minVersion, ciphers, ticketKeys: randomBytes(48) };
    const sniEntries = options.sni.map(parseSniEntry);

    let main: LoadedCertificate;
    let certFile: string;
    let keyFile: string;
    if (options.certFile) {
      certFile = resolve(options.certFile);
      keyFile = resolve(options.keyFile!);
      main = await loadCertificate(certFile, keyFile, policy);
    } else {
      main = await ensureSelfSigned(options.dataDir, options.hostname, policy, log);
      ({ certFile, keyFile } = selfSignedPaths(options.dataDir));
    }
    const sni = await Promise.all(sniEntries.map(async (entry) => ({ entry, cert: await loadCertificate(entry.certFile, entry.keyFile, policy) })));
    const manager = new CertificateManager({ log, policy, certFile, keyFile, sniEntries, current: { main, sni } });
    manager.describe('TLS certificates loaded');
    return manager;
  }

  /** TlsProvider: the certificate for the name the client asked for, else the main one. */
  contextFor(servername: string | undefined): SecureContext {
    return this.certificateFor(servername).context;
  }

  /** The PEM chain a client asking for `servername` gets. */
  certificatePem(servername?: string): string {
    return this.certificateFor(servername).certPem;
  }

  /** SHA-256 fingerprint ("AB:CD:…") of the certificate a client asking for `servername` gets. */
  fingerprint(servername?: string): string {
    return this.certificateFor(servername).fingerprint;
  }

  /**
   * Reads every certificate file again. All or nothing: if any file is unreadable,
   * not PEM, or its key does not match, the old certificates stay and the error is
   * logged. Resolves to whether the new files are now in use.
   */
  reload(): Promise<boolean> {
    // One reload at a time; a reload asked for during another runs after it.
    this.reloadChain = this.reloadChain.then(() => this.reloadNow());
    return this.reloadChain;
  }

  /**
   * Reloads when a certificate or key file changes. The folders are watched rather
   * than the files, because renewals replace files (rename, symlink swap), which a
   * watch on the old file would not see. Several events in a row make one reload.
   */
  watch(debounceMs = 1000): void {
    if (this.watchers.length > 0) return;
    const files = [this.certFile, this.keyFile, ...this.sniEntries.flatMap((e) => [e.certFile, e.keyFile])];
    const byFolder = new Map<string, Set<string>>();
    for (const file of files) {
      const names = byFolder.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byFolder.set(dirname(file), names);
    }
    for (const [folder, names] of byFolder) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, filename) => {
          if (filename === null || names.has(filename.toString())) this.scheduleReload(debounceMs);
        });
        watcher.on('error', (error) => this.log.warn({ folder, err: error.message }, 'watching certificate folder failed'));
        this.watchers.push(watcher);
      } catch (error) {
        this.log.warn({ folder, err: (error as Error).message }, 'cannot watch certificate folder; reload with SIGHUP');
      }
    }
  }

  /** Stops watching (pending debounced reloads are dropped). */
  close(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
  }

  private scheduleReload(debounceMs: number): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.reload();
    }, debounceMs);
    this.debounce.unref();
  }

  private async reloadNow(): Promise<boolean> {
    try {
      const [main, sni] = await Promise.all([
        loadCertificate(this.certFile, this.keyFile, this.policy),
        Promise.all(this.sniEntries.map(async (entry) => ({ entry, cert: await loadCertificate(entry.certFile, entry.keyFile, this.policy) }))),
      ]);
      const changed = main.fingerprint !== this.current.main.fingerprint || sni.some((s, i) => s.cert.fingerprint !== this.current.sni[i]?.cert.fingerprint);
      this.current = { main, sni };
      this.describe(changed ? 'TLS certificates reloaded' : 'TLS certificates reloaded, unchanged');
      return true;
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'TLS reload failed; keeping the certificates in use');
      return false;
    }
  }

  private certificateFor(servername: string | undefined): LoadedCertificate {
    if (servername) {
      const { sni } = this.current;
      const exact = sni.find((s) => !s.entry.pattern.startsWith('*.') && sniMatches(s.entry.pattern, servername));
      const match = exact ?? sni.find((s) => s.entry.pattern.startsWith('*.') && sniMatches(s.entry.pattern, servername));
      if (match) return match.cert;
    }
    return this.current.main;
  }

  private describe(message: string): void {
    const all = [{ name: 'default', cert: this.current.main }, ...this.current.sni.map((s) => ({ name: s.entry.pattern, cert: s.cert }))];
    this.log.info({ certificates: all.map((c) => ({ name: c.name, subject: c.cert.subject, fingerprint: c.cert.fingerprint, validTo: c.cert.validTo.toISOString() })) }, message);
    for (const { name, cert } of all) {
      if (cert.validTo.getTime() - Date.now() < EXPIRY_WARNING_MS) {
        this.log.warn({ name, certFile: cert.certFile, validTo: cert.validTo.toISOString() }, 'TLS certificate expires soon or has expired');
      }
    }
  }
}
