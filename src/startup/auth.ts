// Login checking for every service: the password authenticator with its per-source
// throttle, and the ban guard that also refuses banned sources at connect.

import type { Logger } from 'pino';
import { PasswordAuthenticator } from '../core/auth/authenticator.ts';
import { BanGuard } from '../core/auth/ban-guard.ts';
import { passwordPolicy } from '../core/auth/password.ts';
import { ConfigError } from '../core/config/load.ts';
import type { Config } from '../core/config/schema.ts';
import { NetworkList } from '../core/net/address.ts';
import type { Store } from '../core/store/types.ts';

/** auth.ban_exempt, checked before anything is bound (a bad entry names the key). */
export function banExemptions(config: Config): NetworkList {
  try {
    return new NetworkList(config.auth.ban_exempt);
  } catch (error) {
    throw new ConfigError(`auth.ban_exempt: ${(error as Error).message}`);
  }
}

/**
 * `workers`: each worker process counts the failures it sees, and the primary spreads a
 * source's connections over the workers (src/startup/workers/dispatch.ts), so each
 * gets its share of auth.ban_after_failures (rounded up): a source spread over the
 * workers is banned after about that many failures over the whole server, one that
 * stays on one worker sooner. The ban itself is in the store, seen by every worker.
 */
export function createAuth(config: Config, store: Store, exempt: NetworkList, log: Logger, workers = 1): { bans: BanGuard; auth: PasswordAuthenticator } {
  const authLog = log.child({ component: 'auth' });
  const bans = new BanGuard({
    bans: store.bans,
    banAfterFailures: Math.ceil(config.auth.ban_after_failures / workers),
    windowMs: config.auth.ban_window * 1000,
    durationMs: config.auth.ban_duration * 1000,
    exempt,
    log: authLog,
  });
  const auth = new PasswordAuthenticator({
    accounts: store.accounts,
    defaultDomain: config.default_domain,
    // auth.password_scheme: the dummy hash of unknown users and the upgrade of old hashes at login.
    passwordPolicy: passwordPolicy(config.auth),
    freeFailures: config.auth.throttle_free_failures,
    maxDelayMs: config.auth.throttle_max_delay_ms,
    goodSourcesPerAccount: config.auth.throttle_good_sources,
    bans,
    log: authLog,
  });
  return { bans, auth };
}
