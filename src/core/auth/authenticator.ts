// Password login over an AccountStore, with throttling per client source and, for
// sources that never logged in to the account, per account (login-throttle.ts), and
// bans of sources that keep failing (ban-guard.ts). Timing is kept uniform: an
// unknown user costs one hash of the configured scheme like a known one, and a delay
// applies to success and failure alike and never depends on whether the account exists.
// A successful login whose stored hash is of another scheme or cost (an imported Dovecot
// hash, an older scrypt cost) replaces it with one of the configured policy.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import { sourceNetwork } from '../net/address.ts';
import type { Account, AccountStore } from '../store/types.ts';
import type { BanGuard } from './ban-guard.ts';
import { LoginThrottle, type ThrottleOptions } from './login-throttle.ts';
import { hashPassword, isCurrentHash, verifyPassword, type PasswordPolicy } from './password.ts';
import type { Authenticator, LoginAttempt, ProofAttempt } from './types.ts';

export interface AuthenticatorOptions extends Omit<ThrottleOptions, 'freeFailures' | 'maxDelayMs'> {
  accounts: AccountStore;
  /** Appended to a login name without "@" ('' = none). */
  defaultDomain?: string;
  /** How new hashes are made (auth.password_scheme ...): the dummy hash of unknown users and upgrades at login. */
  passwordPolicy?: PasswordPolicy;
  /** Short for passwordPolicy { scheme: 'scrypt', cost } (tests). */
  scryptCost?: number;
  freeFailures?: number;
  maxDelayMs?: number;
  /** Bans sources after repeated failures; a banned source's logins fail without a password check. */
  bans?: BanGuard;
  log?: Logger;
}

export class PasswordAuthenticator implements Authenticator {
  private readonly accounts: AccountStore;
  private readonly defaultDomain: string;
  private readonly throttle: LoginThrottle;
  private readonly policy: PasswordPolicy;
  private readonly bans: BanGuard | undefined;
  private readonly log: Logger | undefined;
  private dummyHash: Promise<string> | null = null;

  constructor(options: AuthenticatorOptions) {
    this.accounts = options.accounts;
    this.defaultDomain = (options.defaultDomain ?? '').trim().toLowerCase();
    this.throttle = new LoginThrottle({ ...options, freeFailures: options.freeFailures ?? 3, maxDelayMs: options.maxDelayMs ?? 15_000 });
    this.policy = options.passwordPolicy ?? { scheme: 'scrypt', cost: options.scryptCost ?? 16384 };
    this.bans = options.bans;
    this.log = options.log;
    // Started now so that the first unknown user does not pay for creating it.
    this.dummyHash = hashPassword('septet-dummy-password', this.policy);
    this.dummyHash.catch(() => {});
  }

  canonicalUsername(username: string): string {
    const at = username.lastIndexOf('@');
    if (at < 0) return this.defaultDomain ? `${username}@${this.defaultDomain}` : username;
    return `${username.slice(0, at)}@${username.slice(at + 1).toLowerCase()}`;
  }

  login(attempt: LoginAttempt): Promise<Account | null> {
    return this.prove(attempt, async (address) => {
      const found = address.includes('@') ? await this.accounts.getUser(address) : null;
      const ok = await verifyPassword(attempt.password, found?.passwordHash ?? (await this.dummy()));
      const account = ok && found ? found : null;
      if (account) await this.upgradeHash(account, attempt.password);
      return account;
    });
  }

  async prove(attempt: ProofAttempt, verify: (address: string) => Promise<Account | null>): Promise<Account | null> {
    const started = Date.now();
    const address = this.canonicalUsername(attempt.username);
    const ticket = this.throttle.begin({ source: sourceNetwork(attempt.remoteAddress), account: address.toLowerCase() });
    const { delayMs } = ticket;
    let account: Account | null = null;
    let banned = false;
    try {
      // A banned source (its connection was accepted before the ban) learns nothing more,
      // not even whether a guess was right.
      banned = (await this.bans?.isBanned(attempt.remoteAddress)) ?? false;
      if (!banned) account = await verify(address);
    } finally {
      // Wait out the delay before answering, whatever the outcome (and on errors too).
      const remaining = delayMs - (Date.now() - started);
      if (remaining > 0) await sleep(remaining);
      this.throttle.end(ticket, account !== null);
    }
    const ban = account || banned ? null : await this.bans?.recordFailure(attempt.remoteAddress);
    this.log?.info(
      { service: attempt.service, remote: attempt.remoteAddress, user: address, ok: account !== null, delayMs, ...(attempt.method ? { method: attempt.method } : {}), ...(banned || ban ? { banned: true } : {}) },
      account ? 'login' : banned ? 'login refused: source banned' : 'login failed',
    );
    return account;
  }

  /** Hashed once, lazily: verifying against it makes "no such user" cost what a wrong password costs. */
  private dummy(): Promise<string> {
    return (this.dummyHash ??= hashPassword('septet-dummy-password', this.policy));
  }

  /**
   * After a successful login, replaces a hash not made by the configured policy. Only the
   * hash just verified is replaced (a password changed meanwhile stays); a failure is
   * logged and the login still succeeds.
   */
  private async upgradeHash(account: Account, password: string): Promise<void> {
    if (isCurrentHash(account.passwordHash, this.policy)) return;
    try {
      const upgraded = await hashPassword(password, this.policy);
      if (await this.accounts.replacePasswordHash(account.address, account.passwordHash, upgraded)) {
        this.log?.info({ user: account.address, scheme: this.policy.scheme }, 'password hash upgraded');
      }
    } catch (error) {
      this.log?.warn({ err: error, user: account.address }, 'could not upgrade a password hash');
    }
  }
}

export const createAuthenticator = (options: AuthenticatorOptions): Authenticator => new PasswordAuthenticator(options);
