// The composition root: configuration → store → TLS → services → listeners.
// Nothing else in Septet wires things together.

import { hostname as systemHostname } from 'node:os';
import type { Logger } from 'pino';
import { PasswordAuthenticator } from './core/auth/authenticator.ts';
import { BanGuard } from './core/auth/ban-guard.ts';
import { LocalChangeBus } from './core/bus/bus.ts';
import { ConfigError } from './core/config/load.ts';
import { listeners, type Config, type ListenerName } from './core/config/schema.ts';
import { NetworkList } from './core/net/address.ts';
import { ListenerGroup, type BoundListener, type ConnectionHandler } from './core/net/listener.ts';
import { connectionLimitsFrom } from './core/net/limits-config.ts';
import type { TlsProvider } from './core/net/connection.ts';
import { becomeUser, canBindPrivilegedPorts, ensureSystemUser, isRoot } from './core/os/privileges.ts';
import { makePrivateDir, secureTree } from './core/os/private-files.ts';
import { checkDataFolders, currentUserName } from './data-folders.ts';
import { openSqliteStore } from './core/store/sqlite/sqlite-store.ts';
import type { Store } from './core/store/types.ts';
import { CertificateManager } from './core/tls/certificate-manager.ts';
import { createMailService } from './mail/mail-service.ts';
import { createRelayWorker } from './mail/relay/worker.ts';
import { createPop3Handler } from './pop3/server.ts';
import { createImapHandler } from './imap/server.ts';
import { createFtpHandler, ftpRefusal } from './ftp/server.ts';
import { createTftpServer } from './tftp/server.ts';
import { createSmtpHandler, smtpRefusal } from './smtp/server.ts';

export interface StartOptions {
  config: Config;
  log: Logger;
}

export interface RunningServer {
  readonly listeners: BoundListener[];
  readonly store: Store;
  readonly tls: CertificateManager;
  /** Stops accepting, lets sessions finish for up to graceMs, closes the store. */
  stop(graceMs?: number): Promise<void>;
}

/** --port-offset: given, or 0 when ports below 1024 can be bound, else 10000. */
export async function effectivePortOffset(config: Config): Promise<number> {
  if (config.port_offset >= 0) return config.port_offset;
  return (await canBindPrivilegedPorts()) ? 0 : 10000;
}

/**
 * Until the store and the certificates are ready (after the privilege drop), the
 * listeners are already bound; a connection that arrives in between waits.
 */
class DeferredHandler implements ConnectionHandler {
  private handler: ConnectionHandler | null = null;
  private readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private readonly fallbackRefusal: (reason: Parameters<ConnectionHandler['refusal']>[0]) => string;
  constructor(fallbackRefusal: (reason: Parameters<ConnectionHandler['refusal']>[0]) => string) {
    this.fallbackRefusal = fallbackRefusal;
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }
  set(handler: ConnectionHandler): void {
    this.handler = handler;
    this.resolveReady();
  }
  async handle(conn: Parameters<ConnectionHandler['handle']>[0]): Promise<void> {
    await this.ready;
    return this.handler!.handle(conn);
  }
  refusal(reason: Parameters<ConnectionHandler['refusal']>[0]): string {
    return this.handler ? this.handler.refusal(reason) : this.fallbackRefusal(reason);
  }
}

/** What a client hears if it connects in the moment between binding and readiness. */
const notReadyRefusal: Record<(typeof listeners)[ListenerName]['protocol'], string> = {
  smtp: smtpRefusal('starting'),
  pop3: '-ERR [SYS/TEMP] not available\r\n',
  imap: '* BYE [UNAVAILABLE] not available\r\n',
  ftp: ftpRefusal('starting'),
};

/** TLS contexts are asked for by implicit-TLS listeners; before start-up ends there are none. */
class DeferredTls implements TlsProvider {
  target: TlsProvider | null = null;
  contextFor(servername: string | undefined) {
    if (!this.target) throw new Error('TLS is not ready yet');
    return this.target.contextFor(servername);
  }
}

export async function startServer({ config, log }: StartOptions): Promise<RunningServer> {
  const dataDir = config.data;
  const hostname = config.hostname || systemHostname();
  const portOffset = await effectivePortOffset(config);
  const banExempt = banExemptions(config.auth.ban_exempt);
  await makePrivateDir(dataDir);

  // Root: bind, make the data directory (and whatever binding created in it) the
  // service user's, then drop root for good.
  const serviceUser = isRoot() ? await ensureSystemUser(config.run_as) : null;

  const tlsProxy = new DeferredTls();
  // Bans need the store; until it is open (connections wait for it anyway) nobody is banned.
  let bans: BanGuard | null = null;
  const group = new ListenerGroup({
    log,
    tls: tlsProxy,
    isBanned: (address) => bans?.isBanned(address) ?? false,
    limits: connectionLimitsFrom(config),
  });
  const deferred = new Map<ListenerName, DeferredHandler>();
  const bound: BoundListener[] = [];
  try {
    for (const [name, spec] of Object.entries(listeners) as [ListenerName, (typeof listeners)[ListenerName]][]) {
      const section = config[spec.section];
      if (!section.enabled) continue;
      const handler = new DeferredHandler(() => notReadyRefusal[spec.protocol]);
      deferred.set(name, handler);
      const port = section.port === 0 ? 0 : section.port + portOffset;
      if (port > 65535) throw new Error(`${name}: port ${section.port} + offset ${portOffset} is above 65535`);
      bound.push(
        ...(await group.listen(
          { name, addresses: config.listen, port, implicitTls: spec.tls === 'implicit', proxyProtocol: section.proxy_protocol, proxyTrusted: new NetworkList(section.proxy_trusted_networks) },
          handler,
        )),
      );
    }
  } catch (error) {
    await group.close(0);
    throw error;
  }

  // TFTP is UDP: its own sockets, bound here with the TCP listeners (port 69 needs root),
  // but answering only after the drop (tftp.serve() below), as the TCP handlers wait.
  const tftp = config.tftp.enabled ? createTftpServer({ config, log: log.child({ service: 'tftp' }), dataDir, isBanned: (address) => bans?.isBannedNow(address) ?? false }) : null;
  if (tftp) {
    try {
      bound.push(...(await tftp.listen(config.listen, config.tftp.port === 0 ? 0 : config.tftp.port + portOffset)));
    } catch (error) {
      await group.close(0);
      throw error;
    }
  }

  // The store's worker thread and the certificates start before root is dropped: the
  // worker's code is then loaded while it can surely be read, and whatever they create
  // in the data directory is handed to the service user with the rest just below.
  const bus = new LocalChangeBus();
  const store = await openSqliteStore({
    dataDir,
    fsync: config.store.fsync,
    bus,
    log: log.child({ component: 'store' }),
    changePollMs: config.store.change_poll_interval_ms,
    changeLogRetentionMs: config.store.change_log_retention * 1000,
  });
  const tls = await CertificateManager.open({
    dataDir,
    hostname,
    certFile: config.tls.cert || undefined,
    keyFile: config.tls.key || undefined,
    sni: config.tls.sni,
    minVersion: config.tls.min_version as 'TLSv1.2' | 'TLSv1.3',
    ciphers: config.tls.ciphers,
    ciphersuites: config.tls.ciphersuites,
    log: log.child({ component: 'tls' }),
  });

  try {
    // Owner-only, and the service user's: repairs what is looser (logged per path).
    await secureTree(dataDir, { owner: serviceUser ?? undefined, log: log.child({ component: 'data' }) });
    if (serviceUser) {
      // setuid applies to every thread of the process, the store's worker included.
      becomeUser(serviceUser);
      log.info({ user: serviceUser.name, uid: serviceUser.uid }, `running as ${serviceUser.name}`);
    }
    // Made as the service user, then checked with every other folder: exit 73 if unusable.
    const userName = serviceUser?.name ?? currentUserName();
    await checkDataFolders(config, dataDir, tftp, userName);
  } catch (error) {
    await Promise.all([group.close(0), tftp?.close()]);
    tls.close();
    await store.close();
    throw error;
  }
  tls.watch();
  tlsProxy.target = tls;

  bans = new BanGuard({
    bans: store.bans,
    banAfterFailures: config.auth.ban_after_failures,
    windowMs: config.auth.ban_window * 1000,
    durationMs: config.auth.ban_duration * 1000,
    exempt: banExempt,
    log: log.child({ component: 'auth' }),
  });
  const auth = new PasswordAuthenticator({
    accounts: store.accounts,
    defaultDomain: config.default_domain,
    freeFailures: config.auth.throttle_free_failures,
    maxDelayMs: config.auth.throttle_max_delay_ms,
    goodSourcesPerAccount: config.auth.throttle_good_sources,
    bans,
    log: log.child({ component: 'auth' }),
  });
  const mail = createMailService({ config, hostname, store, log: log.child({ component: 'mail' }) });
  // The relay worker delivers queued mail for other domains (MX lookup, retries, bounces).
  const relay = config.relay.enabled ? createRelayWorker({ mail, config }) : null;
  await relay?.start();

  for (const [name, handler] of deferred) {
    const spec = listeners[name];
    const serviceLog = log.child({ service: name });
    const implicitTls = spec.tls === 'implicit';
    handler.set(createHandler(spec.protocol));

    function createHandler(protocol: (typeof listeners)[ListenerName]['protocol']): ConnectionHandler {
      switch (protocol) {
        case 'smtp':
          return createSmtpHandler({ mode: spec.mode as 'mta' | 'submission', implicitTls, config, hostname, store, auth, tls, log: serviceLog, mail });
        case 'pop3':
          return createPop3Handler({ config, implicitTls, hostname, store, auth, tls, log: serviceLog });
        case 'imap':
          return createImapHandler({ config, implicitTls, hostname, store, auth, tls, log: serviceLog });
        case 'ftp':
          return createFtpHandler({ config, implicitTls, hostname, dataDir, auth, tls, log: serviceLog, portOffset });
        default: {
          // A listener in the schema's table that nobody wired is a programming error.
          const unwired: never = protocol;
          throw new Error(`no handler for protocol ${String(unwired)}`);
        }
      }
    }
  }

  await tftp?.serve();

  for (const l of bound) log.info({ service: l.name, address: l.address, port: l.port }, `${l.name} listening on ${formatHostPort(l.address, l.port)}`);

  return {
    listeners: bound,
    store,
    tls,
    async stop(graceMs = 10_000) {
      await Promise.all([group.close(graceMs), tftp?.close()]);
      await relay?.stop();
      tls.close();
      await store.close();
    },
  };
}

function banExemptions(networks: string[]): NetworkList {
  try {
    return new NetworkList(networks);
  } catch (error) {
    throw new ConfigError(`auth.ban_exempt: ${(error as Error).message}`);
  }
}

function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
