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
      const [address, prefix] = network.split('/');
      const family = isIP(address ?? '');
      if (!address || family === 0) throw new Error(`not an IP network: ${network}`);
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
