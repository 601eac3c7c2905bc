// The untagged updates other sessions' changes cause (RFC 3501 §5.2, §7.3-7.4: EXISTS,
// EXPUNGE, FETCH FLAGS; RFC 7162 §3.2.10 VANISHED). Change events from the bus are noted
// in the selected view as they arrive, and told to the client only at a point where it
// may hear them: after a command (the dispatcher calls sync) or while it IDLEs.

import type { ChangeEvent } from '../core/bus/bus.ts';
import type { Account } from '../core/store/types.ts';
import { flagList } from './encode.ts';
import { untaggedStatus } from './replies.ts';
import type { MailboxView } from './selected-view.ts';
import { formatNumberSet } from './sequence-set.ts';
import type { ImapSession } from './session.ts';

export class UpdateTracker {
  private readonly session: ImapSession;
  private unsubscribe: (() => void) | null = null;
  /** Events that arrive while SELECT reads the UID list, replayed into the new view. */
  private selectWatch: ChangeEvent[] | null = null;
  private changeWaiter: (() => void) | null = null;

  constructor(session: ImapSession) {
    this.session = session;
  }

  /** From login on, every change of the account reaches this session. */
  follow(account: Account): void {
    this.unsubscribe = this.session.store.bus.subscribe(account.id, (event) => this.onChange(event));
  }

  /** The session is over: no more events. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private onChange(event: ChangeEvent): void {
    const state = this.session.state;
    if (state.name === 'selected') state.view.note(event);
    this.selectWatch?.push(event);
    const waiter = this.changeWaiter;
    this.changeWaiter = null;
    waiter?.();
  }

  /** Resolves at the next change of the account (IDLE waits on it). */
  nextChange(): { promise: Promise<void>; cancel: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.changeWaiter = resolve;
    return {
      promise,
      cancel: () => {
        if (this.changeWaiter === resolve) this.changeWaiter = null;
      },
    };
  }

  /** Starts collecting change events before SELECT reads the mailbox (see replayInto). */
  watchForSelect(): void {
    this.selectWatch = [];
  }

  /** Gives a newly selected view what changed while it was being read. */
  replayInto(view: MailboxView): void {
    for (const event of this.selectWatch ?? []) view.note(event);
    this.selectWatch = null;
  }

  /** The selection was abandoned: nothing to replay. */
  stopWatching(): void {
    this.selectWatch = null;
  }

  /**
   * Tells the client what changed in the selected mailbox (RFC 3501 §5.2, §7.3-7.4).
   * allowExpunge is false during FETCH, STORE and SEARCH (RFC 3501 §7.4.1), when an
   * EXPUNGE would renumber messages under the client's feet.
   */
  async sync(allowExpunge: boolean): Promise<void> {
    const session = this.session;
    if (session.state.name !== 'selected') return;
    const view = session.state.view;
    if (view.deleted) {
      // The mailbox is gone: there is nothing left to show (Dovecot does the same).
      session.write(untaggedStatus('BYE', 'The selected mailbox was deleted'));
      session.state = { name: 'logout' };
      return;
    }
    if (view.membershipChanged) {
      view.membershipChanged = false;
      await this.announceMembership(view, allowExpunge);
    }
    if (view.flagChanges.size > 0) await this.announceFlagChanges(view);
  }

  /** EXPUNGE (or VANISHED) for messages gone, EXISTS and RECENT for messages added. */
  private async announceMembership(view: MailboxView, allowExpunge: boolean): Promise<void> {
    const session = this.session;
    const { mailboxes } = session.store;
    const current = await mailboxes.listUids(view.mailboxId);
    const { expunged, added } = view.applyUidList(current, allowExpunge);
    if (expunged.length > 0) {
      if (session.qresync) {
        // RFC 7162 §3.2.10: VANISHED replaces EXPUNGE once QRESYNC is enabled.
        session.write(`* VANISHED ${formatNumberSet(expunged.map((e) => e.uid).reverse())}\r\n`);
      } else {
        for (const { seq } of expunged) await session.send(`* ${seq} EXPUNGE\r\n`);
      }
    }
    if (added.length > 0) {
      // Only for UIDs nobody had claimed when this session last did (its own APPENDs claim in their commit).
      if (!view.readOnly && added[added.length - 1]! >= view.claimedBelow) {
        const claim = await mailboxes.claimRecent(view.mailboxId);
        view.addRecent(claim.fromUid, claim.toUid);
      } else {
        view.peekRecent(current, (await mailboxes.status(view.mailboxId)).recent, added[0]);
      }
      session.write(`* ${view.exists} EXISTS\r\n`);
      if (!session.rev2) session.write(`* ${view.recentCount()} RECENT\r\n`);
    }
  }

  /** FETCH (FLAGS) for messages whose flags another session changed (RFC 3501 §7.4.2). */
  private async announceFlagChanges(view: MailboxView): Promise<void> {
    const session = this.session;
    const uids = [...view.flagChanges].sort((a, b) => a - b);
    view.flagChanges.clear();
    for (const meta of await session.store.mailboxes.getMessages(view.mailboxId, uids)) {
      const seq = view.seqOf(meta.uid);
      if (seq === 0) continue;
      const modseq = session.condstore ? ` MODSEQ (${meta.modseq})` : '';
      await session.send(`* ${seq} FETCH (UID ${meta.uid} FLAGS ${flagList(session.flagsOf(meta.flags, meta.uid))}${modseq})\r\n`);
      if (meta.modseq > view.highestModseq) view.highestModseq = meta.modseq;
    }
  }
}
