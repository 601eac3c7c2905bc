// Checks that involve more than one setting, or a value the schema's types cannot
// describe (a network list, an OpenSSL cipher string). Run once the schema has
// filled in the defaults; a ConfigError names the key and what to do.

import { NetworkList } from '../net/address.ts';
import { nodeCipherList } from '../tls/cipher-policy.ts';
import { listeners, type Config } from './schema.ts';

export class RelationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelationError';
  }
}

/** Throws RelationError (turned into a ConfigError by the loader) for the first problem found. */
export function checkRelations(config: Config): void {
  for (const { section } of Object.values(listeners)) {
    const listener = config[section];
    // A PROXY header is believed only from the balancers named here: otherwise any
    // client could claim 127.0.0.1 and get loopback trust (plaintext login, relaying).
    if (listener.proxy_protocol && listener.proxy_trusted_networks.length === 0) {
      throw new RelationError(`${section}.proxy_trusted_networks: required when ${section}.proxy_protocol is on (the addresses of the load balancers allowed to send PROXY headers)`);
    }
    for (const network of listener.proxy_trusted_networks) {
      if (!isNetwork(network)) throw new RelationError(`${section}.proxy_trusted_networks: "${network}" is not an address or CIDR network (e.g. "10.0.0.5" or "10.0.0.0/24")`);
    }
  }
  try {
    nodeCipherList(config.tls.ciphers, config.tls.ciphersuites);
  } catch (error) {
    throw new RelationError((error as Error).message);
  }
}

function isNetwork(network: string): boolean {
  try {
    new NetworkList([network]);
    return true;
  } catch {
    return false;
  }
}
