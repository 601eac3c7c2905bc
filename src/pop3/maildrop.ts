// One session's view of a user's maildrop (their INBOX): the exclusive lock, the
// snapshot of messages taken at login, and the deletion marks. RFC 1939 §8: message
// numbers stay fixed for the whole session, so later deliveries are not seen and
// marks refer to the snapshot.

import type { Account, Mailbox, MessageMeta, Store } from '../core/store/types.ts';
import { Pop3Error, ResponseCode, Text } from './replies.ts';

export class Maildrop {
  readonly account: Account;
  readonly mailbox: Mailbox;
  private readonly messages: readonly MessageMeta[];
  private readonly deleted = new Set<number>();
  private readonly store: Store;
  /** The lock owner, or null when the maildrop is shared. */
  private readonly owner: string | null;
  private released = false;

  private constructor(store: Store, owner: string | null, account: Account, mailbox: Mailbox, messages: readonly MessageMeta[]) {
    this.store = store;
    this.owner = owner;
    this.account = account;
    this.mailbox = mailbox;
    this.messages = messages;
  }

  /**
   * Locks and snapshots the account's INBOX. RFC 1939 §8 / RFC 2449 §8.1.2: a maildrop
   * already held by another session gives -ERR [IN-USE]. The lock is released again
   * if anything after taking it fails.
   */
  static async open(store: Store, account: Account, owner: string, options: { exclusive: boolean } = { exclusive: true }): Promise<Maildrop> {
    const lockName = maildropLockName(account.id);
    // Without the exclusive lock (pop3.exclusive_lock = false, Dovecot's default) sessions
    // share the maildrop; a message two sessions delete is expunged once.
    const owned = options.exclusive ? owner : null;
    if (owned !== null && !(await store.locks.tryLock(lockName, owned))) throw new Pop3Error(Text.maildropLocked, ResponseCode.inUse);
    try {
      let mailbox = await store.mailboxes.getMailbox(account.id, 'INBOX');
      if (!mailbox) {
        await store.mailboxes.ensureDefaultMailboxes(account.id);
        mailbox = await store.mailboxes.getMailbox(account.id, 'INBOX');
      }
      if (!mailbox) throw new Error(`account ${account.id} has no INBOX`);
      const messages = await store.mailboxes.listMessages(mailbox.id);
      return new Maildrop(store, owned, account, mailbox, messages);
    } catch (error) {
      if (owned !== null) await store.locks.unlock(lockName, owned);
      throw error;
    }
  }

  /** Messages in the snapshot, deleted ones included (numbers are 1..size). */
  get size(): number {
    return this.messages.length;
  }

  /** The message numbered n, which must exist and not be marked deleted. */
  message(n: number): MessageMeta {
    const meta = this.messages[n - 1];
    if (!meta) throw new Pop3Error(Text.noSuchMessage(n));
    if (this.deleted.has(n)) throw new Pop3Error(Text.messageDeleted(n));
    return meta;
  }

  /** Messages not marked deleted, with their numbers, in order. */
  *live(): Generator<{ n: number; meta: MessageMeta }> {
    for (let i = 0; i < this.messages.length; i++) {
      const n = i + 1;
      if (!this.deleted.has(n)) yield { n, meta: this.messages[i]! };
    }
  }

  /** RFC 1939 §5 STAT: count and octets of the messages not marked deleted. */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const { meta } of this.live()) {
      count++;
      octets += meta.size;
    }
    return { count, octets };
  }

  /** RFC 1939 §7 UIDL: unique and stable while UIDVALIDITY stays (digits and a dot). */
  uniqueId(meta: MessageMeta): string {
    return `${this.mailbox.uidValidity}.${meta.uid}`;
  }

  markDeleted(n: number): void {
    this.message(n);
    this.deleted.add(n);
  }

  /** RFC 1939 §5 RSET. */
  unmarkAll(): void {
    this.deleted.clear();
  }

  /** RFC 1939 §6 UPDATE: removes the marked messages; returns how many. */
  async commitDeletions(): Promise<number> {
    const uids = [...this.deleted].map((n) => this.messages[n - 1]!.uid);
    if (uids.length > 0) await this.store.mailboxes.expunge(this.mailbox.id, uids);
    this.deleted.clear();
    return uids.length;
  }

  /** Gives the maildrop back; safe to call more than once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.deleted.clear();
    if (this.owner !== null) await this.store.locks.unlock(maildropLockName(this.account.id), this.owner);
  }
}

export function maildropLockName(accountId: number): string {
  return `pop3:${accountId}`;
}
