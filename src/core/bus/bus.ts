// The change bus: every committed change to a mailbox or to the outbound queue is
// published here, so that a delivery reaches IMAP IDLE and other sessions and a queue
// command reaches the relay worker. Events are published only after the change is
// durable.
//
// Changes made by OTHER processes on the same data (the CLI next to the server, or
// other nodes with a networked backend) arrive through the same feed: the SQLite
// backend appends every event to a change log in the transaction of the change and
// the server reads the log when the database moves (sqlite/change-log.ts); PostgreSQL
// would use LISTEN/NOTIFY. Either way a process hears its own changes once, directly
// after the commit, and the others' changes from the log, in commit order.

// `uids` are ascending; `modseq` is the mailbox's highest modseq right after the change
// (RFC 7162), so a session can tell whether it has already seen it. The store always
// sets it; it is optional only so that hand-made events in tests stay short.
export type ChangeEvent =
  | { kind: 'append'; accountId: number; mailboxId: number; uids: number[]; modseq?: number }
  | { kind: 'flags'; accountId: number; mailboxId: number; uids: number[]; modseq?: number }
  | { kind: 'expunge'; accountId: number; mailboxId: number; uids: number[]; modseq?: number }
  | MailboxesEvent;

/**
 * The account's mailbox list or subscriptions changed. `change` and the names say what
 * happened (absent only from older publishers): 'delete' tells a session that has
 * `mailboxId` selected that it is gone; 'rename' keeps the id, with the old name.
 */
export interface MailboxesEvent {
  kind: 'mailboxes';
  accountId: number;
  change?: 'create' | 'rename' | 'delete' | 'subscribe' | 'unsubscribe' | 'special-use';
  mailboxId?: number;
  name?: string;
  oldName?: string;
}

/**
 * The outbound queue changed in a way that may make an entry due (or no longer so):
 * the relay worker looks at the queue again at once instead of at its next poll.
 */
export interface QueueEvent {
  kind: 'queue';
  queueId: string;
  change: 'enqueue' | 'retry' | 'release' | 'hold' | 'remove';
}

/** Everything the feed carries; events of one account, and queue events. */
export type StoreEvent = ChangeEvent | QueueEvent;

export type ChangeListener = (event: ChangeEvent) => void;
export type QueueListener = (event: QueueEvent) => void;

/** What the store offers its users: listening. Each returns the function that stops listening. */
export interface ChangeFeed {
  /** Listens to the changes of one account. */
  subscribe(accountId: number, listener: ChangeListener): () => void;
  /** Listens to changes of the outbound queue. */
  subscribeQueue(listener: QueueListener): () => void;
}

/** The feed with its publishing side, which only the store (and tests) use. */
export interface ChangeBus extends ChangeFeed {
  publish(event: StoreEvent): void;
}

/** In-process bus: enough for one node; a networked backend wraps or replaces it. */
export class LocalChangeBus implements ChangeBus {
  private readonly listeners = new Map<number, Set<ChangeListener>>();
  private readonly queueListeners = new Set<QueueListener>();

  publish(event: StoreEvent): void {
    if (event.kind === 'queue') return notifyAll(this.queueListeners, event);
    const set = this.listeners.get(event.accountId);
    if (set) notifyAll(set, event);
  }

  subscribeQueue(listener: QueueListener): () => void {
    this.queueListeners.add(listener);
    return () => this.queueListeners.delete(listener);
  }

  subscribe(accountId: number, listener: ChangeListener): () => void {
    let set = this.listeners.get(accountId);
    if (!set) {
      set = new Set();
      this.listeners.set(accountId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(accountId);
    };
  }
}

function notifyAll<E>(listeners: Set<(event: E) => void>, event: E): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch {
      // A faulty listener must not stop the others from hearing the change.
    }
  }
}
