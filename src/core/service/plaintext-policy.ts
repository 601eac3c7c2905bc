// Passwords only over TLS or from loopback (RFC 2595 §9, RFC 8314 §3; RFC 4954 §4 for
// SMTP AUTH), unless the administrator allows plaintext (auth.allow_plaintext). The
// loopback test uses the client address after any PROXY header, which is honoured only
// from proxy_trusted_networks, so a spoofed header cannot claim it.

import type { Config } from '../config/schema.ts';

export interface ConnectionSecurity {
  readonly secure: boolean;
  readonly isLoopback: boolean;
}

/** Whether this connection may carry a password now. */
export function passwordsAllowed(conn: ConnectionSecurity, config: Pick<Config, 'auth'>): boolean {
  return conn.secure || conn.isLoopback || config.auth.allow_plaintext;
}
