// The change bus: every committed change to a mailbox is published here, so that a
// delivery reaches IMAP IDLE and other sessions (and, with a networked backend, other
// nodes). Events are published only after the change is durable.

export type ChangeEvent =
  | { kind: 'append'; accountId: number; mailboxId: number; uids: number[] }
  | { kind: 'flags'; accountId: number; mailboxId: number; uids: number[] }
  | { kind: 'expunge'; accountId: number; mailboxId: number; uids: number[] }
  | { kind: 'mailboxes'; accountId: number };

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
