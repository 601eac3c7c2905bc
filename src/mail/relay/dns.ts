// The DNS the relay asks: node:dns's Resolver (c-ares, asynchronous; never the
// blocking getaddrinfo), pointed at the servers of `[dns] servers` or the system's.

import { Resolver } from 'node:dns/promises';
import type { MxRecord } from 'node:dns';

/** What MX routing needs from DNS; tests give a table instead. */
export interface DnsLookup {
  resolveMx(domain: string): Promise<MxRecord[]>;
  resolve4(host: string): Promise<string[]>;
  resolve6(host: string): Promise<string[]>;
}

export interface DnsSettings {
  /** "ip" or "ip:port" ("[v6]:port"); empty = the system's resolv.conf. */
  servers: string[];
  /** Seconds per query. */
  timeout: number;
}

export function createDnsLookup(settings: DnsSettings): DnsLookup {
  const resolver = new Resolver({ timeout: settings.timeout * 1000, tries: 2 });
  if (settings.servers.length > 0) resolver.setServers(settings.servers);
  return {
    resolveMx: (domain) => resolver.resolveMx(domain),
    resolve4: (host) => resolver.resolve4(host),
    resolve6: (host) => resolver.resolve6(host),
  };
}

/** c-ares codes meaning "the name or the record does not exist": an answer, not a failure. */
export function isNoSuchRecord(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}

/** NXDOMAIN: the name itself does not exist. */
export function isNoSuchName(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ENOTFOUND';
}
