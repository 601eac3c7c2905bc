// What every protocol service is given by the composition root (src/server.ts). Each
// protocol's own deps type extends this with what only it needs (SMTP: its mode and the
// mail service; FTP: the data directory and port offset), so a session is driven in
// tests by building one object of this shape over the in-memory store.

import type { Logger } from 'pino';
import type { Authenticator } from '../auth/types.ts';
import type { Config } from '../config/schema.ts';
import type { TlsProvider } from '../net/connection.ts';
import type { Store } from '../store/types.ts';

export interface ServiceDeps {
  config: Config;
  /** True on the implicit-TLS port of the service (RFC 8314): TLS from the first octet. */
  implicitTls: boolean;
  /** Name used in greetings, Received fields and log lines. */
  hostname: string;
  auth: Authenticator;
  tls: TlsProvider;
  log: Logger;
}

/** The services that keep mail: they read and write the store. */
export interface MailServiceDeps extends ServiceDeps {
  store: Store;
}
