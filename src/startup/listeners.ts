// Binding every enabled service's TCP listeners (with the port offset) and TFTP's UDP
// sockets, while the process may still be root. Handlers are set later (handlers.ts).

import type { Logger } from 'pino';
import { listeners, type Config, type ListenerName } from '../core/config/schema.ts';
import { NetworkList } from '../core/net/address.ts';
import type { Socket } from 'node:net';
import type { BoundListener, ListenerGroup, ListenerSpec } from '../core/net/listener.ts';
import { createTftpServer, type TftpServer } from '../tftp/server.ts';
import { DeferredHandler } from './deferred.ts';
import { startingRefusal } from './handlers.ts';

export type ListenerEntry = [ListenerName, (typeof listeners)[ListenerName]];

/** The enabled services of the listener table, in its order. */
export function enabledListeners(config: Config): ListenerEntry[] {
  return (Object.entries(listeners) as ListenerEntry[]).filter(([, spec]) => config[spec.section].enabled);
}

/** Standard port + offset; 0 stays 0 (an ephemeral port, in tests). */
export function portWithOffset(name: string, port: number, offset: number): number {
  if (port === 0) return 0;
  if (port + offset > 65535) throw new Error(`${name}: port ${port} + offset ${offset} is above 65535`);
  return port + offset;
}

function listenerSpec(config: Config, [name, spec]: ListenerEntry, portOffset: number): ListenerSpec {
  const section = config[spec.section];
  const port = portWithOffset(name, section.port, portOffset);
  const proxyTrusted = new NetworkList(section.proxy_trusted_networks);
  // HTTPS does its TLS handshake in the web server itself (src/web/server.ts): Node's
  // HTTP/2 only runs on TLS sockets its own server made.
  const implicitTls = spec.tls === 'implicit' && spec.protocol !== 'http';
  return { name, addresses: config.listen, port, implicitTls, proxyProtocol: section.proxy_protocol, proxyTrusted };
}

/** Binds every enabled TCP service; closes the group if one cannot be bound. */
export async function bindTcpListeners(config: Config, group: ListenerGroup, portOffset: number): Promise<{ deferred: Map<ListenerName, DeferredHandler>; bound: BoundListener[] }> {
  const deferred = new Map<ListenerName, DeferredHandler>();
  const bound: BoundListener[] = [];
  try {
    for (const entry of enabledListeners(config)) {
      const handler = new DeferredHandler(() => startingRefusal(entry[1].protocol));
      deferred.set(entry[0], handler);
      bound.push(...(await group.listen(listenerSpec(config, entry, portOffset), handler)));
    }
  } catch (error) {
    await group.close(0);
    throw error;
  }
  return { deferred, bound };
}

/**
 * A worker's services: the primary binds and accepts (src/startup/workers/primary.ts),
 * and each socket it passes is served through `accept` of its listener's name.
 */
export function attachTcpListeners(config: Config, group: ListenerGroup, portOffset: number): { deferred: Map<ListenerName, DeferredHandler>; accept: Map<string, (socket: Socket) => void> } {
  const deferred = new Map<ListenerName, DeferredHandler>();
  const accept = new Map<string, (socket: Socket) => void>();
  for (const entry of enabledListeners(config)) {
    const handler = new DeferredHandler(() => startingRefusal(entry[1].protocol));
    deferred.set(entry[0], handler);
    accept.set(entry[0], group.attach(listenerSpec(config, entry, portOffset), handler));
  }
  return { deferred, accept };
}

/**
 * TFTP is UDP: its own sockets, bound with the TCP listeners (port 69 needs root) but
 * answering only after the privilege drop (tftp.serve()), as the TCP handlers wait.
 */
export async function bindTftp(config: Config, log: Logger, portOffset: number, isBanned: (address: string) => boolean): Promise<{ tftp: TftpServer | null; bound: BoundListener[] }> {
  if (!config.tftp.enabled) return { tftp: null, bound: [] };
  const tftp = createTftpServer({ config, log: log.child({ service: 'tftp' }), dataDir: config.data, isBanned });
  return { tftp, bound: await tftp.listen(config.listen, portWithOffset('tftp', config.tftp.port, portOffset)) };
}
