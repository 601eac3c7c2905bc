// IP address helpers shared by listeners, policy and logs.

import { BlockList, isIP } from 'node:net';

/** "::ffff:127.0.0.1" → "127.0.0.1", so IPv4 clients on a dual-stack socket look like IPv4. */
export function normalizeAddress(address: string): string {
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) return address.slice(7);
  return address;
}

/** 127.0.0.0/8 and ::1. */
export function isLoopbackAddress(address: string): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/** A set of networks written as "10.0.0.0/8", "::1/128" or a bare address. */
export class NetworkList {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(networks: readonly string[]) {
    for (const network of networks) {
      const [address, prefix, extra] = network.split('/');
      const family = isIP(address ?? '');
      // A prefix is plain decimal digits: "10.0.0.0/" must not quietly mean /0 (everyone).
      if (!address || family === 0 || extra !== undefined || (prefix !== undefined && !/^[0-9]{1,3}$/.test(prefix))) {
        throw new Error(`not an IP network: ${network}`);
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
    this.size = networks.length;
  }

  contains(address: string): boolean {
    const a = normalizeAddress(address);
    const family = isIP(a);
    if (family === 0) return false;
    return this.list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * The unit that login throttling and bans count by: an IPv4 address as it is, an
 * IPv6 address as its /64 ("2001:db8:1:2::/64"). One IPv6 host usually holds a whole
 * /64 (RFC 4291 §2.5.4, SLAAC privacy addresses of RFC 8981), so counting single
 * IPv6 addresses would let one attacker look like 2^64 clients (Dovecot and SFTPGo
 * group IPv6 sources the same way). Anything that is not an IP address is returned
 * as it is.
 */
export function sourceNetwork(address: string): string {
  const a = normalizeAddress(address.trim());
  const bare = a.endsWith('/64') ? a.slice(0, -3) : a;
  if (isIP(bare) === 4 && bare === a) return a;
  if (isIP(bare.split('%')[0] ?? '') !== 6) return a;
  const prefix = expandIpv6(bare.split('%')[0]!).slice(0, 4).map((g) => g.toString(16));
  return `${rfc5952(`${prefix.join(':')}:0:0:0:0`)}/64`;
}

/** RFC 5952's canonical text of an IPv6 address ("2001:db8::"), as the WHATWG URL serialiser writes it. */
export function rfc5952(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The eight 16-bit groups of an IPv6 address (which isIP has already accepted). */
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  // An embedded IPv4 tail ("64:ff9b::192.0.2.1") is the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
