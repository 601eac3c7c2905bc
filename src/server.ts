// The composition root: configuration → listeners (bound as root) → store and TLS →
// privilege drop → auth → services → handlers. Nothing else in Septet wires things
// together; each phase lives in src/startup/.

import type { Socket } from 'node:net';
import { hostname as systemHostname } from 'node:os';
import type { Logger } from 'pino';
import type { BanGuard } from './core/auth/ban-guard.ts';
import type { Config } from './core/config/schema.ts';
import { ListenerGroup, type BoundListener } from './core/net/listener.ts';
import { connectionLimitsFrom } from './core/net/limits-config.ts';
import { canBindPrivilegedPorts, ensureSystemUser, isRoot } from './core/os/privileges.ts';
import { makePrivateDir } from './core/os/private-files.ts';
import type { Store } from './core/store/types.ts';
import type { CertificateManager } from './core/tls/certificate-manager.ts';
import { createMailService } from './mail/mail-service.ts';
import { createRelayWorker } from './mail/relay/worker.ts';
import { banExemptions, createAuth } from './startup/auth.ts';
import { DeferredTls } from './startup/deferred.ts';
import { createHandler } from './startup/handlers.ts';
import { createTerminalRegistry } from './core/bus/terminal-registry.ts';
import type { TerminalRegistry } from './core/bus/terminals.ts';
import { join } from 'node:path';
import { attachTcpListeners, bindTcpListeners, bindTftp } from './startup/listeners.ts';
import { handOverAndDrop } from './startup/privileges.ts';
import { openCertificates, openStore } from './startup/store-and-tls.ts';
import { ensureHostKeys, type HostKey } from './ssh/host-keys.ts';
import { loadSsh2 } from './ssh/library.ts';
import { startStatusPublisher, statusFolder } from './core/metrics/status-files.ts';

export interface StartOptions {
  config: Config;
  log: Logger;
  /**
   * One of several worker processes (src/startup/workers/): the primary binds and
   * passes connections (RunningServer.accept); TFTP and the relay run in slot 1 only.
   */
  worker?: { slot: number; count: number };
}

export interface RunningServer {
  readonly listeners: BoundListener[];
  readonly store: Store;
  readonly tls: CertificateManager;
  /** In a worker: serves a socket the primary accepted on the listener of that name. */
  readonly accept: Map<string, (socket: Socket) => void>;
  /** Open console terminals (this process's, reaching the other workers'). */
  readonly terminals: TerminalRegistry;
  /** Stops accepting, lets sessions finish for up to graceMs, closes the store. */
  stop(graceMs?: number): Promise<void>;
}

/** --port-offset: given, or 0 when ports below 1024 can be bound, else 10000. */
export async function effectivePortOffset(config: Config): Promise<number> {
  if (config.port_offset >= 0) return config.port_offset;
  return (await canBindPrivilegedPorts()) ? 0 : 10000;
}

export async function startServer({ config, log, worker }: StartOptions): Promise<RunningServer> {
  const hostname = config.hostname || systemHostname();
  const portOffset = await effectivePortOffset(config);
  const banExempt = banExemptions(config);
  await makePrivateDir(config.data);
  const serviceUser = isRoot() ? await ensureSystemUser(config.run_as) : null;

  // 1. Bind while root may be needed; connections wait in deferred handlers.
  const tlsProxy = new DeferredTls();
  // Bans need the store; until it is open (connections wait for it anyway) nobody is banned.
  let bans: BanGuard | null = null;
  const group = new ListenerGroup({ log, tls: tlsProxy, isBanned: (address) => bans?.isBanned(address) ?? false, limits: connectionLimitsFrom(config, worker?.count) });
  const { deferred, bound, accept } = worker
    ? { ...attachTcpListeners(config, group, portOffset), bound: [] as BoundListener[] }
    : { ...(await bindTcpListeners(config, group, portOffset)), accept: new Map<string, (socket: Socket) => void>() };
  // One process serves TFTP (UDP: no connection to hand over) and runs the relay.
  const first = worker === undefined || worker.slot === 1;
  let tftp: Awaited<ReturnType<typeof bindTftp>>['tftp'] = null;
  try {
    const udp = first ? await bindTftp(config, log, portOffset, (address) => bans?.isBannedNow(address) ?? false) : { tftp: null, bound: [] };
    tftp = udp.tftp;
    bound.push(...udp.bound);
  } catch (error) {
    await group.close(0);
    throw error;
  }

  // 2. Store and certificates, then hand the data directory over and drop root.
  const store = await openStore(config, log);
  const tls = await openCertificates(config, hostname, log);
  try {
    await handOverAndDrop(config, serviceUser, tftp, log);
  } catch (error) {
    await Promise.all([group.close(0), tftp?.close()]);
    tls.close();
    await store.close();
    throw error;
  }
  tls.watch();
  tlsProxy.target = tls;
  // SSH host keys, made at the first start as the service user (several workers may race: the first wins).
  let sshHostKeys: HostKey[] | null = null;
  if (config.ssh.enabled) {
    try {
      // ssh2 is loaded first with the configured crypto path: reading the keys needs it.
      loadSsh2(config.ssh.native_crypto);
      sshHostKeys = await ensureHostKeys(config.data);
    } catch (error) {
      await Promise.all([group.close(0), tftp?.close()]);
      tls.close();
      await store.close();
      throw error;
    }
    if (first) for (const key of sshHostKeys) log.info({ service: 'ssh', type: key.type, bits: key.bits, fingerprint: key.fingerprint, file: key.file }, `ssh host key ${key.type} ${key.fingerprint}`);
  }

  // 3. Services, then the handlers that the waiting connections go to.
  const login = createAuth(config, store, banExempt, log, worker?.count);
  bans = login.bans;
  const mail = createMailService({ config, hostname, store, log: log.child({ component: 'mail' }) });
  // The relay worker delivers queued mail for other domains (MX lookup, retries, bounces).
  // In one process only: at start it takes back the entries left in flight, which
  // would steal another relay's (claims themselves are atomic: queueClaim).
  const relay = config.relay.enabled && first ? createRelayWorker({ mail, config }) : null;
  await relay?.start();
  // Console terminals of all workers, shared through a private folder (core/bus/terminal-registry.ts).
  const terminals = createTerminalRegistry({ folder: join(config.data, 'run', 'terminals'), warn: (message) => log.warn(message) });
  const services = { config, hostname, store, auth: login.auth, tls, mail, log, portOffset, sshHostKeys, terminals };
  for (const [name, handler] of deferred) handler.set(createHandler(name, services));
  await tftp?.serve();

  // This process's counters and recent log lines, for the web console's status page (core/metrics/).
  const status = await startStatusPublisher({ folder: statusFolder(config.data), worker: worker?.slot ?? null, warn: (message) => log.warn(message) });

  for (const l of bound) log.info({ service: l.name, address: l.address, port: l.port }, `${l.name} listening on ${formatHostPort(l.address, l.port)}`);

  return {
    listeners: bound,
    store,
    tls,
    accept,
    terminals,
    async stop(graceMs = 10_000) {
      await Promise.all([group.close(graceMs), tftp?.close()]);
      await relay?.stop();
      await status.stop();
      await terminals.close();
      tls.close();
      await store.close();
    },
  };
}

function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
