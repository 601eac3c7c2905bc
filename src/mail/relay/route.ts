// Where the relay sends a domain's mail: its MX hosts, or the smart host (for every
// domain, or those in relay.smart_host_domains), and whether STARTTLS with a checked
// certificate is required (relay.require_tls_domains).

import type { Config } from '../../core/config/schema.ts';
import type { DomainRoute, SmartHost } from './domain-delivery.ts';

export function parseSmartHost(config: Config['relay']): SmartHost | null {
  if (!config.smart_host) return null;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(config.smart_host.trim());
  if (!match) throw new Error(`relay.smart_host: "${config.smart_host}" is not host[:port]`);
  const implicitTls = config.smart_host_tls === 'implicit';
  return {
    host: match[1]!.replace(/^\[|\]$/g, ''),
    port: match[2] ? Number(match[2]) : implicitTls ? 465 : 587,
    implicitTls,
    user: config.smart_host_user,
    password: config.smart_host_password,
  };
}

export function routeFor(config: Config['relay'], smartHost: SmartHost | null, domain: string): DomainRoute {
  const lower = domain.toLowerCase();
  const viaSmart = smartHost && (config.smart_host_domains.length === 0 || config.smart_host_domains.some((d) => d.toLowerCase() === lower));
  // Certificates are checked where the operator asked for it (a smart host by its name).
  const required = new Set(config.require_tls_domains.map((d) => d.toLowerCase()));
  const requireTls = viaSmart ? required.has(smartHost.host.toLowerCase()) || required.has(lower) : required.has(lower);
  return { domain: lower, smartHost: viaSmart ? smartHost : null, requireTls };
}

/** The key of a destination's backoff: the smart host, or the domain. */
export function destinationOf(route: DomainRoute): string {
  return route.smartHost ? `smart:${route.smartHost.host}` : route.domain;
}
