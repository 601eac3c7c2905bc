// The login contract shared by every protocol. Implementations hash with scrypt and
// slow down repeated failures per client address and per account.

import type { Account } from '../store/types.ts';

export interface LoginAttempt {
  /** As the client typed it: a full address, or a local part when a default domain is set. */
  username: string;
  password: string;
  /** Client address, for throttling and logs. */
  remoteAddress: string;
  /** "smtp", "pop3", ... for logs. */
  service: string;
}

/** A login proved otherwise than by a password (an SSH public-key signature). */
export interface ProofAttempt {
  username: string;
  remoteAddress: string;
  service: string;
  /** "publickey", ...: for logs. */
  method?: string;
}

export interface Authenticator {
  /**
   * The account when the password is right, otherwise null. After failures it
   * resolves only after the throttling delay, so a client cannot guess fast.
   */
  login(attempt: LoginAttempt): Promise<Account | null>;
  /**
   * Like login, for another proof: `verify` gets the canonical address and returns the
   * account when the proof holds (it must cost the same for unknown accounts). The same
   * throttle, delay, bans and log line as a password apply.
   */
  prove(attempt: ProofAttempt, verify: (address: string) => Promise<Account | null>): Promise<Account | null>;
  /** Full address for a login name (adds the default domain when configured). */
  canonicalUsername(username: string): string;
}
