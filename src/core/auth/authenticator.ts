// Password login over an AccountStore, with throttling per client address and per
// account. Timing is kept uniform: an unknown user costs one scrypt like a known one,
// and a throttled key delays success and failure alike.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import type { Account, AccountStore } from '../store/types.ts';
import { LoginThrottle, type ThrottleOptions } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { Authenticator, LoginAttempt } from './types.ts';

export interface AuthenticatorOptions extends Omit<ThrottleOptions, 'freeFailures' | 'maxDelayMs'> {
  accounts: AccountStore;
  /** Appended to a login name without "@" ('' = none). */
  defaultDomain?: string;
  /** scrypt cost of the dummy hash verified for unknown users; match auth.scrypt_cost. */
  scryptCost?: number;
  freeFailures?: number;
  maxDelayMs?: number;
  log?: Logger;
}

export class PasswordAuthenticator implements Authenticator {
  private readonly accounts: AccountStore;
  private readonly defaultDomain: string;
  private readonly throttle: LoginThrottle;
  private readonly scryptCost: number;
  private readonly log: Logger | undefined;
  private dummyHash: Promise<string> | null = null;

  constructor(options: AuthenticatorOptions) {
    this.accounts = options.accounts;
    this.defaultDomain = (options.defaultDomain ?? '').trim().toLowerCase();
    this.throttle = new LoginThrottle({ ...options, freeFailures: options.freeFailures ?? 3, maxDelayMs: options.maxDelayMs ?? 15_000 });
    this.scryptCost = options.scryptCost ?? 16384;
    this.log = options.log;
    // Started now so that the first unknown user does not pay for creating it.
    this.dummyHash = hashPassword('septet-dummy-password', this.scryptCost);
    this.dummyHash.catch(() => {});
  }

  canonicalUsername(username: string): string {
    const at = username.lastIndexOf('@');
    if (at < 0) return this.defaultDomain ? `${username}@${this.defaultDomain}` : username;
    return `${username.slice(0, at)}@${username.slice(at + 1).toLowerCase()}`;
  }

  async login(attempt: LoginAttempt): Promise<Account | null> {
    const started = Date.now();
    const address = this.canonicalUsername(attempt.username);
    const accountKey = `account:${address.toLowerCase()}`;
    const keys = [`address:${attempt.remoteAddress}`, accountKey];
    const delayMs = this.throttle.begin(keys);
    let account: Account | null = null;
    try {
      const found = address.includes('@') ? await this.accounts.getUser(address) : null;
      const ok = await verifyPassword(attempt.password, found?.passwordHash ?? (await this.dummy()));
      account = ok && found ? found : null;
    } finally {
      // Wait out the delay before answering, whatever the outcome (and on errors too).
      const remaining = delayMs - (Date.now() - started);
      if (remaining > 0) await sleep(remaining);
      this.throttle.end(keys, account === null, account ? [accountKey] : []);
    }
    this.log?.info(
      { service: attempt.service, remote: attempt.remoteAddress, user: address, ok: account !== null, delayMs },
      account ? 'login' : 'login failed',
    );
    return account;
  }

  /** Hashed once, lazily: verifying against it makes "no such user" cost what a wrong password costs. */
  private dummy(): Promise<string> {
    return (this.dummyHash ??= hashPassword('septet-dummy-password', this.scryptCost));
  }
}

export const createAuthenticator = (options: AuthenticatorOptions): Authenticator => new PasswordAuthenticator(options);
