// The composition root: configuration → listeners (bound as root) → store and TLS →
// privilege drop → auth → services → handlers. Nothing else in Septet wires things
// together; each phase lives in src/startup/.

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
import { bindTcpListeners, bindTftp } from './startup/listeners.ts';
import { handOverAndDrop } from './startup/privileges.ts';
import { openCertificates, openStore } from './startup/store-and-tls.ts';

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

export async function startServer({ config, log }: StartOptions): Promise<RunningServer> {
  const hostname = config.hostname || systemHostname();
  const portOffset = await effectivePortOffset(config);
  const banExempt = banExemptions(config);
  await makePrivateDir(config.data);
  const serviceUser = isRoot() ? await ensureSystemUser(config.run_as) : null;

  // 1. Bind while root may be needed; connections wait in deferred handlers.
  const tlsProxy = new DeferredTls();
  // Bans need the store; until it is open (connections wait for it anyway) nobody is banned.
  let bans: BanGuard | null = null;
  const group = new ListenerGroup({ log, tls: tlsProxy, isBanned: (address) => bans?.isBanned(address) ?? false, limits: connectionLimitsFrom(config) });
  const { deferred, bound } = await bindTcpListeners(config, group, portOffset);
  let tftp: Awaited<ReturnType<typeof bindTftp>>['tftp'] = null;
  try {
    const udp = await bindTftp(config, log, portOffset, (address) => bans?.isBannedNow(address) ?? false);
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

  // 3. Services, then the handlers that the waiting connections go to.
  const login = createAuth(config, store, banExempt, log);
  bans = login.bans;
  const mail = createMailService({ config, hostname, store, log: log.child({ component: 'mail' }) });
  // The relay worker delivers queued mail for other domains (MX lookup, retries, bounces).
  const relay = config.relay.enabled ? createRelayWorker({ mail, config }) : null;
  await relay?.start();
  const services = { config, hostname, store, auth: login.auth, tls, mail, log, portOffset };
  for (const [name, handler] of deferred) handler.set(createHandler(name, services));
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

function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
