// Where mail for a domain goes (RFC 5321 §5.1): the MX records in preference order,
// equal preferences shuffled to spread the load; each host's A and AAAA addresses.
// No MX at all: the domain itself is the implicit MX (§5.1). A null MX (RFC 7505:
// one MX "." of preference 0) says the domain takes no mail: a permanent failure.
// A domain literal ("[192.0.2.1]") needs no DNS.

import { isIP } from 'node:net';
import { isNoSuchName, isNoSuchRecord, type DnsLookup } from './dns.ts';

export interface MailHost {
  /** The MX name (or the domain itself, or the literal). */
  name: string;
  preference: number;
  /** IPv4 first, then IPv6: loopback-only test setups and many networks have no IPv6 route. */
  addresses: string[];
}

/** Routing failed; `permanent` decides bounce (5.x.x) or retry (4.x.x). */
export class RouteError extends Error {
  readonly permanent: boolean;
  /** RFC 3463 status for the DSN. */
  readonly status: string;
  constructor(permanent: boolean, status: string, message: string) {
    super(message);
    this.name = 'RouteError';
    this.permanent = permanent;
    this.status = status;
  }
}

/** Sorts by preference and shuffles each group of equal preference (Fisher-Yates). */
export function orderByPreference<T extends { preference: number }>(records: readonly T[], random: () => number = Math.random): T[] {
  const groups = new Map<number, T[]>();
  for (const record of records) {
    const group = groups.get(record.preference) ?? [];
    group.push(record);
    groups.set(record.preference, group);
  }
  const out: T[] = [];
  for (const preference of [...groups.keys()].sort((a, b) => a - b)) {
    const group = groups.get(preference)!;
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [group[i], group[j]] = [group[j]!, group[i]!];
    }
    out.push(...group);
  }
  return out;
}

function domainLiteral(domain: string): string | null {
  const match = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(domain);
  return match && isIP(match[1]!) ? match[1]! : null;
}

async function addressesOf(dns: DnsLookup, host: string): Promise<{ addresses: string[]; temporary: unknown | null; noSuchName: boolean }> {
  if (isIP(host)) return { addresses: [host], temporary: null, noSuchName: false };
  const [v4, v6] = await Promise.allSettled([dns.resolve4(host), dns.resolve6(host)]);
  const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  const failures = [v4, v6].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  const temporary = failures.find((e) => !isNoSuchRecord(e)) ?? null;
  return { addresses, temporary, noSuchName: failures.length === 2 && failures.every(isNoSuchName) };
}

/** The hosts to try for `domain`, best first. Throws RouteError. */
export async function findMailHosts(domain: string, dns: DnsLookup, random: () => number = Math.random): Promise<MailHost[]> {
  const literal = domainLiteral(domain);
  if (literal) return [{ name: literal, preference: 0, addresses: [literal] }];

  let records: { exchange: string; priority: number }[];
  try {
    records = await dns.resolveMx(domain);
  } catch (error) {
    if (!isNoSuchRecord(error)) throw new RouteError(false, '4.4.3', `MX lookup for ${domain} failed: ${(error as Error).message}`);
    records = [];
  }

  // RFC 7505 §3: a single "." MX means "no mail here". Any other "." entry is ignored.
  const isNull = (r: { exchange: string }) => r.exchange === '' || r.exchange === '.';
  if (records.length > 0 && records.every(isNull)) {
    throw new RouteError(true, '5.1.10', `${domain} does not accept mail (null MX, RFC 7505)`);
  }
  const exchanges = records.filter((r) => !isNull(r)).map((r) => ({ name: r.exchange.replace(/\.$/, ''), preference: r.priority }));

  if (exchanges.length === 0) {
    // RFC 5321 §5.1: no MX, so the domain itself is the implicit MX.
    const own = await addressesOf(dns, domain);
    if (own.addresses.length > 0) return [{ name: domain, preference: 0, addresses: own.addresses }];
    if (own.temporary) throw new RouteError(false, '4.4.3', `address lookup for ${domain} failed: ${(own.temporary as Error).message}`);
    throw new RouteError(true, own.noSuchName ? '5.1.2' : '5.4.4', `${domain}: no such domain or no mail host (no MX, no A/AAAA)`);
  }

  const ordered = orderByPreference(exchanges, random);
  const resolved = await Promise.all(ordered.map((mx) => addressesOf(dns, mx.name)));
  const hosts = ordered.map((mx, i) => ({ ...mx, addresses: resolved[i]!.addresses })).filter((h) => h.addresses.length > 0);
  if (hosts.length > 0) return hosts;
  // MX names without addresses: often a DNS outage or a zone being fixed, so wait and retry.
  throw new RouteError(false, '4.4.3', `no address for any MX of ${domain} (${ordered.map((m) => m.name).join(', ')})`);
}
