// What a session with a mailbox selected believes the mailbox looks like: the map from
// message sequence numbers to UIDs as the client knows it (RFC 3501 §2.3.1.2), a
// compact Uint32Array of 4 octets per message, and the changes made by others that
// the client has not been told yet. The view changes only when the session announces
// a change (EXISTS, EXPUNGE), so sequence numbers in the client's commands always
// mean what the client thinks they mean.

import type { ChangeEvent } from '../core/bus/bus.ts';
import type { Mailbox } from '../core/store/types.ts';
import { resolveRanges, type SequenceSet } from './sequence-set.ts';
import { bad } from './replies.ts';

export class MailboxView {
  readonly mailboxId: number;
  /** Name as the client selected it (INBOX canonical). */
  name: string;
  readonly uidValidity: number;
  readonly readOnly: boolean;
  /** Ascending UIDs; entries [0, count) are live. */
  private uids: Uint32Array;
  private count: number;
  /** \Recent UIDs for this session (RFC 3501 §2.3.2): half-open [from, to) ranges. */
  private recentRanges: [number, number][] = [];
  /** Something was appended or expunged since the last sync: re-read the UID list. */
  membershipChanged = false;
  /** UIDs whose flags others changed and the client has not been told. */
  readonly flagChanges = new Set<number>();
  /** The mailbox (or the whole view) went away: the session must leave it. */
  deleted = false;
  /** Highest modseq the client has been told about (RFC 7162 §3.1.2.1). */
  highestModseq: number;
  /** UIDs the last SEARCH ... SAVE remembered (RFC 5182), or null. */
  savedSearch: number[] | null = null;
  /** Keywords the client has heard in FLAGS (folded -> spelling), see keywords.ts. */
  readonly keywords = new Map<string, string>();

  constructor(mailbox: Mailbox, uids: Uint32Array, readOnly: boolean) {
    this.mailboxId = mailbox.id;
    this.name = mailbox.name;
    this.uidValidity = mailbox.uidValidity;
    this.readOnly = readOnly;
    this.uids = uids;
    this.count = uids.length;
    this.highestModseq = mailbox.highestModseq;
  }

  /** Messages the client knows about (its EXISTS). */
  get exists(): number {
    return this.count;
  }

  /** UID of sequence number seq (1-based); 0 when out of range. */
  uidAt(seq: number): number {
    return seq >= 1 && seq <= this.count ? this.uids[seq - 1]! : 0;
  }

  /** Sequence number of uid, or 0 when the client does not know it. */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.uids[mid]!;
      if (v < uid) lo = mid + 1;
      else if (v > uid) hi = mid - 1;
      else return mid + 1;
    }
    return 0;
  }

  /** Index of the first UID >= uid. */
  private lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get lastUid(): number {
    return this.count > 0 ? this.uids[this.count - 1]! : 0;
  }

  /** Every UID the client knows, ascending (a view, not a copy). */
  allUids(): Uint32Array {
    return this.uids.subarray(0, this.count);
  }

  /**
   * The (seq, uid) pairs a message set names, ascending. Sequence numbers beyond the
   * mailbox are a BAD (RFC 9051 §6.4.5 / Dovecot: "Invalid messageset"); UIDs that do
   * not exist are simply not there (RFC 3501 §6.4.8).
   */
  resolve(set: SequenceSet, byUid: boolean): { seq: number; uid: number }[] {
    if (set.kind === 'saved') {
      const saved = this.savedSearch ?? [];
      return saved.map((uid) => ({ seq: this.seqOf(uid), uid })).filter((m) => m.seq > 0);
    }
    const out: { seq: number; uid: number }[] = [];
    if (byUid) {
      for (const [a, b] of resolveRanges(set, this.lastUid)) {
        for (let i = this.lowerBound(a); i < this.count && this.uids[i]! <= b; i++) out.push({ seq: i + 1, uid: this.uids[i]! });
      }
      return out;
    }
    const ranges = resolveRanges(set, this.count);
    for (const [a, b] of ranges) {
      if (b > this.count || a < 1) {
        throw bad(this.count === 0 ? 'No messages in the mailbox' : `Message sequence number out of range (the mailbox has ${this.count})`);
      }
      for (let seq = a; seq <= b; seq++) out.push({ seq, uid: this.uids[seq - 1]! });
    }
    return out;
  }

  /** Whether a UID is \Recent for this session. */
  isRecent(uid: number): boolean {
    return this.recentRanges.some(([from, to]) => uid >= from && uid < to);
  }

  /** A claim of [fromUid, toUid) (MailboxStore.claimRecent): every UID below toUid is claimed by someone. */
  addRecent(fromUid: number, toUid: number): void {
    if (toUid > fromUid) this.recentRanges.push([fromUid, toUid]);
    if (toUid > this.claimedBelow) this.claimedBelow = toUid;
  }

  /**
   * A read-only view (EXAMINE) claims nothing, yet shows as \Recent the messages no
   * session has claimed (RFC 3501 §2.3.2, §6.3.2; Dovecot does the same): the last
   * `unclaimed` of the current UIDs, from `fromUid` on (so ranges never overlap).
   */
  peekRecent(current: Uint32Array, unclaimed: number, fromUid = 0): void {
    if (unclaimed <= 0 || current.length === 0) return;
    const first = current[Math.max(0, current.length - unclaimed)]!;
    this.addRecent(Math.max(first, fromUid), current[current.length - 1]! + 1);
  }

  /** UIDs below this were claimed when this session last claimed: no claim can give it more of them. */
  claimedBelow = 0;

  /** \Recent messages among those the client knows. */
  recentCount(): number {
    let n = 0;
    for (const [from, to] of this.recentRanges) n += this.lowerBound(to) - this.lowerBound(from);
    return n;
  }

  /** Notes a change event for this mailbox; nothing is sent yet. */
  note(event: ChangeEvent): void {
    if (event.kind === 'mailboxes') {
      if (event.change === 'delete' && event.mailboxId === this.mailboxId) this.deleted = true;
      if (event.change === 'rename' && event.mailboxId === this.mailboxId && event.name) this.name = event.name;
      return;
    }
    if (event.mailboxId !== this.mailboxId) return;
    if (event.kind === 'flags') for (const uid of event.uids) this.flagChanges.add(uid);
    else this.membershipChanged = true;
  }

  /**
   * Brings the view up to the store's current UID list. Returns the UIDs that left
   * (with their old sequence numbers, highest first, so each EXPUNGE stays valid as
   * it is sent) and how many arrived. With allowExpunge false (RFC 3501 §7.4.1:
   * during FETCH, STORE and SEARCH) removals are kept for later.
   */
  applyUidList(current: Uint32Array, allowExpunge: boolean): { expunged: { seq: number; uid: number }[]; added: number[] } {
    const expunged: { seq: number; uid: number }[] = [];
    const lastKnown = this.lastUid;
    let kept = this.count;
    if (allowExpunge) {
      // Merge walk: every known UID missing from `current` is expunged.
      const next = new Uint32Array(Math.max(current.length, 16));
      let j = 0;
      kept = 0;
      for (let i = 0; i < this.count; i++) {
        const uid = this.uids[i]!;
        while (j < current.length && current[j]! < uid) j++;
        if (j < current.length && current[j] === uid) next[kept++] = uid;
        else expunged.push({ seq: i + 1, uid });
      }
      this.uids = next;
      this.count = kept;
      expunged.reverse();
    } else {
      // Keep the old entries; only growth is applied.
      for (let i = 0; i < this.count; i++) {
        if (!includes(current, this.uids[i]!)) {
          this.membershipChanged = true; // tell about it at the next allowed point
          break;
        }
      }
    }
    const added: number[] = [];
    let start = current.length;
    {
      let lo = 0;
      let hi = current.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (current[mid]! <= lastKnown) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    for (let i = start; i < current.length; i++) added.push(current[i]!);
    if (added.length > 0) {
      const needed = this.count + added.length;
      if (needed > this.uids.length) {
        const grown = new Uint32Array(Math.max(needed, this.uids.length * 2));
        grown.set(this.uids.subarray(0, this.count));
        this.uids = grown;
      }
      for (const uid of added) this.uids[this.count++] = uid;
    }
    for (const { uid } of expunged) this.flagChanges.delete(uid);
    return { expunged, added };
  }

  /** Removes UIDs this session expunged itself (EXPUNGE, MOVE); returns them as applyUidList does. */
  removeUids(uids: readonly number[]): { seq: number; uid: number }[] {
    const gone = new Set(uids);
    const expunged: { seq: number; uid: number }[] = [];
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      const uid = this.uids[i]!;
      if (gone.has(uid)) expunged.push({ seq: i + 1, uid });
      else this.uids[kept++] = uid;
    }
    this.count = kept;
    for (const { uid } of expunged) this.flagChanges.delete(uid);
    return expunged.reverse();
  }
}

function includes(sorted: Uint32Array, uid: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v < uid) lo = mid + 1;
    else if (v > uid) hi = mid - 1;
    else return true;
  }
  return false;
}
