// Recipient resolution and relay policy: what every mail entry point (SMTP, the
// submission ports, `septet sendmail`) asks before it accepts an address.
//   - local domains: those of users and aliases, plus config `domains`;
//   - aliases resolve recursively to users (loop-safe, depth-limited); targets in
//     other domains are forwarded through the queue;
//   - plus-addressing ("user+tag@") reaches the user; postmaster@ every local domain
//     reaches the administrators (RFC 5321 §4.5.1); an optional catch-all per domain;
//   - relaying to other domains only for authenticated users or trusted networks
//     (RFC 5321 §3.6.2: never an open relay).

import type { Logger } from 'pino';
import type { Config } from '../core/config/schema.ts';
import { NetworkList } from '../core/net/address.ts';
import type { Account, Store } from '../core/store/types.ts';
import { sameAddress, splitAddress, withoutPlusTag } from './address.ts';

export type Resolution =
  /** A local address: mail goes to these accounts, and to `forward` (alias targets elsewhere) through the queue. */
  | { kind: 'local'; accountIds: number[]; forward: string[] }
  /** An address in another domain: relaying. */
  | { kind: 'remote'; address: string }
  | { kind: 'unknown' };

/** RFC 5321 does not bound alias chains; ten hops is what Postfix and Exim allow too. */
export const MAX_ALIAS_DEPTH = 10;

export interface MailServiceOptions {
  config: Config;
  store: Store;
  log: Logger;
  hostname: string;
}

interface Expansion {
  accounts: Set<number>;
  forward: Set<string>;
  seen: Set<string>;
  catchAll: boolean;
}

export class MailService {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly hostname: string;
  private readonly trusted: NetworkList;
  private readonly sendAsAnyDomains: Set<string>;

  constructor(options: MailServiceOptions) {
    this.config = options.config;
    this.store = options.store;
    this.log = options.log;
    this.hostname = options.hostname;
    this.trusted = new NetworkList(options.config.smtp.trusted_networks);
    this.sendAsAnyDomains = new Set(options.config.submission.send_as_any_domains.map((d) => d.toLowerCase()));
  }

  private readonly queuedListeners = new Set<(queueId: string) => void>();

  /** The relay worker listens here, so that mail for another domain is tried at once. */
  onQueued(listener: (queueId: string) => void): () => void {
    this.queuedListeners.add(listener);
    return () => this.queuedListeners.delete(listener);
  }

  /** Called after a queue entry is durable. */
  notifyQueued(queueId: string): void {
    for (const listener of this.queuedListeners) listener(queueId);
  }

  async localDomains(): Promise<Set<string>> {
    const domains = new Set(this.config.domains.map((d) => d.toLowerCase()));
    for (const d of await this.store.accounts.domains()) domains.add(d.toLowerCase());
    return domains;
  }

  async isLocalDomain(domain: string): Promise<boolean> {
    return (await this.localDomains()).has(domain.toLowerCase());
  }

  /**
   * Where mail for `address` goes. "postmaster" without a domain (RFC 5321
   * §4.1.1.3) names the postmaster of this host.
   */
  async resolveRecipient(address: string): Promise<Resolution> {
    const { local, domain } = splitAddress(address);
    const domains = await this.localDomains();
    if (domain === '') {
      if (local.toLowerCase() !== 'postmaster') return { kind: 'unknown' };
      return this.toResolution(await this.admins());
    }
    if (!domains.has(domain)) return { kind: 'remote', address };
    const expansion: Expansion = { accounts: new Set(), forward: new Set(), seen: new Set(), catchAll: this.config.smtp.catch_all };
    await this.expand(address, 0, expansion, domains);
    if (expansion.accounts.size === 0 && expansion.forward.size === 0) return { kind: 'unknown' };
    return { kind: 'local', accountIds: [...expansion.accounts], forward: [...expansion.forward] };
  }

  /** Relaying to other domains: authenticated users and configured smtp.trusted_networks. */
  mayRelay(client: { account: Account | null; remoteAddress: string }): boolean {
    return client.account !== null || this.trusted.contains(client.remoteAddress);
  }

  /**
   * Whether `account` may use `address` as sender on the submission ports (RFC 6409
   * §6.1), in MAIL FROM and in the From:/Sender: header (header-senders.ts): its own
   * address, a plus-variant of it, or an alias that leads to it. Catch-alls do not
   * count, or every address of the domain would. A user with sendAsDomain, or of a
   * domain in submission.send_as_any_domains, may use any address of their own
   * domain (shared mailboxes), as Postfix's smtpd_sender_login_maps "@domain user".
   */
  async senderBelongsTo(account: Account, address: string): Promise<boolean> {
    if (address === '') return false;
    if (sameAddress(address, account.address)) return true;
    const base = withoutPlusTag(address);
    if (base && sameAddress(base, account.address)) return true;
    const ownDomain = splitAddress(account.address).domain;
    if (splitAddress(address).domain === ownDomain && (await this.maySendAsDomain(account))) return true;
    const domains = await this.localDomains();
    if (!domains.has(splitAddress(address).domain)) return false;
    const expansion: Expansion = { accounts: new Set(), forward: new Set(), seen: new Set(), catchAll: false };
    await this.expand(address, 0, expansion, domains);
    return expansion.accounts.has(account.id);
  }

  /**
   * The flag is read again from the store, so `septet user sendas ... off` takes
   * effect in sessions that authenticated before it.
   */
  private async maySendAsDomain(account: Account): Promise<boolean> {
    if (this.sendAsAnyDomains.has(splitAddress(account.address).domain)) return true;
    const current = await this.store.accounts.getUserById(account.id);
    return current?.sendAsDomain === true;
  }

  /** The direct targets of an alias, for EXPN (RFC 5321 §3.5.2). */
  async aliasTargets(address: string): Promise<string[]> {
    return this.store.accounts.aliasTargets(address);
  }

  private async admins(): Promise<Account[]> {
    const admins = await this.store.accounts.listAdmins();
    if (admins.length === 0) this.log.warn('mail for postmaster but there is no administrator account (septet user add --admin)');
    return admins;
  }

  private toResolution(accounts: Account[]): Resolution {
    if (accounts.length === 0) return { kind: 'unknown' };
    return { kind: 'local', accountIds: accounts.map((a) => a.id), forward: [] };
  }

  /** Adds the final targets of `address` to `out`; false when it leads nowhere. */
  private async expand(address: string, depth: number, out: Expansion, domains: Set<string>): Promise<boolean> {
    const key = address.toLowerCase();
    if (out.seen.has(key)) {
      this.log.warn({ address }, 'alias loop');
      return false;
    }
    if (depth > MAX_ALIAS_DEPTH) {
      this.log.warn({ address, depth }, 'alias chain too deep');
      return false;
    }
    out.seen.add(key);
    const { local, domain } = splitAddress(address);
    if (!domains.has(domain)) {
      out.forward.add(address);
      return true;
    }
    const user = await this.store.accounts.getUser(address);
    if (user) {
      out.accounts.add(user.id);
      return true;
    }
    const targets = await this.store.accounts.aliasTargets(address);
    if (targets.length > 0) {
      let any = false;
      for (const target of targets) any = (await this.expand(target, depth + 1, out, domains)) || any;
      return any;
    }
    const base = withoutPlusTag(address);
    if (base) return this.expand(base, depth, out, domains);
    if (local.toLowerCase() === 'postmaster') {
      // RFC 5321 §4.5.1: postmaster exists in every domain we accept mail for.
      const admins = await this.admins();
      for (const admin of admins) out.accounts.add(admin.id);
      return admins.length > 0;
    }
    if (out.catchAll) {
      const catchAll = await this.store.accounts.aliasTargets(`@${domain}`);
      let any = false;
      out.catchAll = false; // one catch-all hop per resolution: no catch-all chains
      for (const target of catchAll) any = (await this.expand(target, depth + 1, out, domains)) || any;
      return any;
    }
    return false;
  }
}

export function createMailService(options: MailServiceOptions): MailService {
  return new MailService(options);
}
