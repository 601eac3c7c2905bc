// Delivering one queued message to the recipients of one domain: find the hosts
// (MX, implicit MX, or the smart host), try them in order — the next host on a
// connection failure or a 4xx for the whole transaction (RFC 5321 §5.1) — and turn
// the replies into one outcome per recipient.

import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { AttemptResult } from '../../core/store/types.ts';
import type { DnsLookup } from './dns.ts';
import type { ConnectionSlots } from './limits.ts';
import type { ConnectionPool } from './connection-pool.ts';
import { findMailHosts, RouteError, type MailHost } from './mx.ts';
import { SmtpClient, type OutboundMessage, type SmtpClientOptions } from './smtp-client/client.ts';
import { formatReply, SmtpClientError } from './smtp-client/replies.ts';

export interface SmartHost {
  host: string;
  port: number;
  implicitTls: boolean;
  user: string;
  password: string;
}

export interface DomainRoute {
  domain: string;
  smartHost: SmartHost | null;
  /** STARTTLS required with a verified certificate (relay.require_tls_domains, and smart hosts with AUTH). */
  requireTls: boolean;
}

export interface DomainDeliveryDeps {
  dns: DnsLookup;
  slots: ConnectionSlots;
  pool: ConnectionPool;
  port: number;
  client: SmtpClientOptions;
}

export interface DomainOutcome {
  results: AttemptResult[];
  /** The host that answered for the recipients (Remote-MTA), or null. */
  host: string | null;
  /** No host could be reached at all: the destination counts as down. */
  unreachable: boolean;
  /** The remote offered DSN (RFC 3461 §5.2: it reports SUCCESS itself). */
  remoteDsn: boolean;
}

/** RFC 3463 codes for failures that are ours, not a remote reply. */
const OWN_STATUS: Partial<Record<SmtpClientError['failure'], string>> = {
  size: '5.3.4',
  smtputf8: '5.6.7',
  timeout: '4.4.2',
  closed: '4.4.2',
  tls: '4.7.5',
  protocol: '4.5.0',
};

const all = (message: OutboundMessage, outcome: AttemptResult['outcome'], reply: string): AttemptResult[] =>
  message.recipients.map((r) => ({ address: r.address, outcome, reply }));

async function hostsFor(route: DomainRoute, deps: DomainDeliveryDeps): Promise<{ hosts: MailHost[]; port: number }> {
  if (!route.smartHost) return { hosts: await findMailHosts(route.domain, deps.dns), port: deps.port };
  const { host, port } = route.smartHost;
  // The smart host's own name, with its addresses: findMailHosts of a name without MX is exactly that.
  const hosts = await findMailHosts(host, { ...deps.dns, resolveMx: () => Promise.resolve([]) });
  return { hosts, port };
}

async function open(route: DomainRoute, host: MailHost, address: string, port: number, deps: DomainDeliveryDeps): Promise<SmtpClient> {
  const smart = route.smartHost;
  // RFC 6066 §3: SNI carries names only, and Node refuses an IP there; a host given as an
  // address (a smart host "127.0.0.3:587") is checked against its address instead.
  const verify: ConnectionOptions = { ...(isIP(host.name) ? { host: host.name } : { servername: host.name }), rejectUnauthorized: route.requireTls };
  const client = await SmtpClient.connect({ address, port, hostName: host.name, implicitTls: smart?.implicitTls ? verify : null }, deps.client);
  try {
    if (!client.conn.secure && client.has('STARTTLS')) {
      try {
        await client.startTls(verify);
      } catch (error) {
        // A smart host with AUTH needs TLS for the password: plaintext would only end in
        // 530 at MAIL, a permanent failure for what is a temporary TLS problem.
        if (route.requireTls || smart?.user) throw error;
        // Opportunistic TLS failed (a broken certificate setup, an old cipher): the
        // connection is gone; go on in plaintext rather than not at all (RFC 3207 §4.1).
        client.conn.close();
        return await SmtpClient.connect({ address, port, hostName: host.name }, deps.client);
      }
    }
    if (route.requireTls && !client.conn.secure) {
      throw new SmtpClientError('tls', `${host.name} does not offer STARTTLS, which is required for ${route.domain}`, { permanent: false });
    }
    if (smart && smart.user) await client.authenticate(smart.user, smart.password);
    return client;
  } catch (error) {
    client.conn.close();
    throw error;
  }
}

export async function deliverToDomain(route: DomainRoute, message: OutboundMessage, deps: DomainDeliveryDeps): Promise<DomainOutcome> {
  let hosts: MailHost[];
  let port: number;
  try {
    ({ hosts, port } = await hostsFor(route, deps));
  } catch (error) {
    if (!(error instanceof RouteError)) throw error;
    return { results: all(message, error.permanent ? 'failed' : 'deferred', `${error.status} ${error.message}`), host: null, unreachable: false, remoteDsn: false };
  }

  let lastError = 'no mail host could be reached';
  let reachedAny = false;
  for (const host of hosts) {
    for (const address of host.addresses) {
      const key = `${address}|${port}|${route.smartHost ? 'smart' : 'mx'}`;
      const release = await deps.slots.acquire(route.domain);
      let client: SmtpClient | null = deps.pool.take(key);
      try {
        client ??= await open(route, host, address, port, deps);
        reachedAny = true;
        const replies = await client.send(message);
        const results: AttemptResult[] = replies.map((r) => ({
          address: r.address,
          outcome: r.accepted ? 'delivered' : r.reply.code >= 500 ? 'failed' : 'deferred',
          reply: formatReply(r.reply),
        }));
        const remoteDsn = client.has('DSN');
        deps.pool.put(key, client);
        client = null;
        return { results, host: host.name, unreachable: false, remoteDsn };
      } catch (error) {
        if (!(error instanceof SmtpClientError)) throw error;
        const text = error.reply ? formatReply(error.reply) : `${OWN_STATUS[error.failure] ?? '4.4.1'} ${error.message}`;
        lastError = `${host.name}[${address}]: ${text}`;
        if (error.failure !== 'connect' && error.failure !== 'timeout') reachedAny = true;
        // Refused for good by a host that took the connection: no other MX will think otherwise.
        if (error.permanent) return { results: all(message, 'failed', text), host: host.name, unreachable: false, remoteDsn: false };
        // Otherwise (connection trouble, a 4xx for the whole transaction): the next host.
      } finally {
        if (client) client.conn.close();
        release();
      }
    }
  }
  return { results: all(message, 'deferred', lastError), host: null, unreachable: !reachedAny, remoteDsn: false };
}
