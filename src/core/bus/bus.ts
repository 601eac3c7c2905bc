// The change bus: every committed change to a mailbox is published here, so that a
// delivery reaches IMAP IDLE and other sessions (and, with a networked backend, other
// nodes). Events are published only after the change is durable.

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

export type ChangeListener = (event: ChangeEvent) => void;

export interface ChangeBus {
  publish(event: ChangeEvent): void;
  /** Listens to the changes of one account; returns the function that stops listening. */
  subscribe(accountId: number, listener: ChangeListener): () => void;
}

/** In-process bus: enough for one node; a networked backend wraps or replaces it. */
export class LocalChangeBus implements ChangeBus {
  private readonly listeners = new Map<number, Set<ChangeListener>>();

  publish(event: ChangeEvent): void {
    const set = this.listeners.get(event.accountId);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not stop the others from hearing the change.
      }
    }
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
