// The memory backend's MailboxStore: mailboxes, subscriptions, and everything IMAP
// does to the messages in them. Every method validates first and changes state only
// after all checks pass, so a refused call leaves nothing behind; events are
// published after the change.

import type { ChangeEvent, MailboxesEvent } from '../../bus/bus.ts';
import { canonicalFlags, DEFAULT_MAILBOXES, hasSeen, newKeywords, normalizeMailboxName, planFlagChange } from '../names.ts';
import { StoreError, type CopyResult, type MailboxStore, type MessageMeta } from '../types.ts';
import { copyMessage, lowerBound, pickByUid, type MailboxRecord, type MemoryContext } from './memory-tables.ts';

export function createMemoryMailboxStore(ctx: MemoryContext): MailboxStore {
  const { t } = ctx;

  /** Removes messages (by identity) from a mailbox, leaving tombstones; returns their UIDs. */
  const removeMessages = (record: MailboxRecord, gone: readonly MessageMeta[]): number[] => {
    if (gone.length === 0) return [];
    const doomed = new Set(gone);
    record.messages = record.messages.filter((m) => !doomed.has(m));
    // RFC 7162 §3.2.10: an expunge is a change with its own modseq, remembered per UID.
    const modseq = ++record.mailbox.highestModseq;
    const uids = gone.map((m) => m.uid).sort((a, b) => a - b);
    for (const uid of uids) record.tombstones.push({ uid, modseq });
    return uids;
  };

  /** Shared part of COPY and MOVE (RFC 4315, RFC 6851). */
  const copyInto = (srcId: number, uids: readonly number[], dstId: number, checkQuota: boolean) => {
    const src = ctx.requireMailbox(srcId);
    const dst = ctx.requireMailbox(dstId);
    if (src.mailbox.accountId !== dst.mailbox.accountId) throw new StoreError('invalid', 'copy between accounts');
    const originals = pickByUid(src.messages, uids);
    const total = originals.reduce((sum, m) => sum + m.size, 0);
    if (checkQuota) ctx.checkQuota(ctx.requireAccount(dst.mailbox.accountId), total);
    const result: CopyResult = { uidValidity: dst.mailbox.uidValidity, mapping: [] };
    if (originals.length === 0) return { src, dst, originals, result };
    const modseq = ++dst.mailbox.highestModseq;
    for (const original of originals) {
      // Keywords keep the destination's first spelling, like any other flag change there.
      const flags = canonicalFlags(original.flags, dst.keywords);
      ctx.learnKeywords(dst, newKeywords(flags, dst.keywords));
      const uid = dst.mailbox.uidNext++;
      dst.messages.push({ ...copyMessage(original), id: t.nextId.message++, mailboxId: dst.mailbox.id, uid, flags, modseq });
      result.mapping.push({ srcUid: original.uid, dstUid: uid });
    }
    return { src, dst, originals, result };
  };

  const appendEvent = (dst: MailboxRecord, result: CopyResult): ChangeEvent => ({
    kind: 'append',
    accountId: dst.mailbox.accountId,
    mailboxId: dst.mailbox.id,
    uids: result.mapping.map((p) => p.dstUid),
    modseq: dst.mailbox.highestModseq,
  });

  const mailboxes: MailboxStore = {
    async ensureDefaultMailboxes(accountId) {
      ctx.requireAccount(accountId);
      const events: MailboxesEvent[] = [];
      for (const { name, specialUse } of DEFAULT_MAILBOXES) {
        if (ctx.findMailbox(accountId, name)) continue;
        const record = ctx.addMailbox(accountId, name, specialUse);
        ctx.subscriptionsOf(accountId).add(name);
        events.push({ kind: 'mailboxes', accountId, change: 'create', mailboxId: record.mailbox.id, name });
      }
      ctx.publish(events);
    },

    async listMailboxes(accountId) {
      return ctx.mailboxesOf(accountId).map((r) => ctx.publicMailbox(r));
    },

    async getMailbox(accountId, name) {
      const record = ctx.findMailbox(accountId, name);
      return record ? ctx.publicMailbox(record) : null;
    },

    async getMailboxById(mailboxId) {
      const record = t.mailboxes.get(mailboxId);
      return record ? ctx.publicMailbox(record) : null;
    },

    async createMailbox(accountId, name, opts = {}) {
      const normalized = normalizeMailboxName(name);
      ctx.requireAccount(accountId);
      if (ctx.findMailbox(accountId, normalized)) throw new StoreError('exists', `mailbox ${normalized} exists`);
      const record = ctx.addMailbox(accountId, normalized, opts.specialUse ?? null);
      if (opts.subscribe) ctx.subscriptionsOf(accountId).add(normalized);
      ctx.publish([{ kind: 'mailboxes', accountId, change: 'create', mailboxId: record.mailbox.id, name: normalized }]);
      return ctx.publicMailbox(record);
    },

    async renameMailbox(accountId, oldName, newName) {
      const source = ctx.findMailbox(accountId, oldName);
      if (!source) throw new StoreError('not-found', `no mailbox ${oldName}`);
      const target = normalizeMailboxName(newName);
      const from = source.mailbox.name;
      if (ctx.findMailbox(accountId, target)) throw new StoreError('exists', `mailbox ${target} exists`);

      if (from === 'INBOX') {
        // RFC 3501 §6.3.5: INBOX's messages move to a new mailbox; INBOX stays, empty.
        const created = ctx.addMailbox(accountId, target, null);
        created.messages = source.messages.map((m) => ({ ...m, mailboxId: created.mailbox.id }));
        created.mailbox.uidNext = source.mailbox.uidNext;
        created.mailbox.highestModseq = source.mailbox.highestModseq;
        created.recentUid = source.recentUid;
        created.keywords = new Map(source.keywords);
        const uids = removeMessages(source, source.messages);
        ctx.publish([
          { kind: 'mailboxes', accountId, change: 'create', mailboxId: created.mailbox.id, name: target },
          ...(uids.length > 0
            ? [{ kind: 'expunge', accountId, mailboxId: source.mailbox.id, uids, modseq: source.mailbox.highestModseq } as const]
            : []),
        ]);
        return ctx.publicMailbox(created);
      }

      if (target.startsWith(`${from}/`)) throw new StoreError('invalid', `cannot rename ${from} into itself`);
      const moving = ctx.mailboxesOf(accountId).filter((r) => r.mailbox.name === from || r.mailbox.name.startsWith(`${from}/`));
      const renamed = moving.map((record) => ({ record, name: normalizeMailboxName(target + record.mailbox.name.slice(from.length)) }));
      const movingSet = new Set(moving);
      for (const { name } of renamed) {
        const clash = ctx.findMailbox(accountId, name);
        if (clash && !movingSet.has(clash)) throw new StoreError('exists', `mailbox ${name} exists`);
      }
      // Subscriptions move along: all old names out first, then the new ones in, so that
      // "a/b" -> "a" with a child "a/b/b" (which becomes "a/b") keeps both.
      const subscriptions = ctx.subscriptionsOf(accountId);
      const stillSubscribed = renamed.filter(({ record }) => subscriptions.delete(record.mailbox.name));
      for (const { name } of stillSubscribed) subscriptions.add(name);
      const events: MailboxesEvent[] = [];
      for (const { record, name } of renamed) {
        const previous = record.mailbox.name;
        record.mailbox.name = name;
        events.push({ kind: 'mailboxes', accountId, change: 'rename', mailboxId: record.mailbox.id, name, oldName: previous });
      }
      ctx.publish(events);
      return ctx.publicMailbox(source);
    },

    async deleteMailbox(accountId, name) {
      const record = ctx.findMailbox(accountId, name);
      if (!record) throw new StoreError('not-found', `no mailbox ${name}`);
      if (record.mailbox.name === 'INBOX') throw new StoreError('invalid', 'INBOX cannot be deleted');
      t.mailboxes.delete(record.mailbox.id);
      await ctx.releaseBlobs(record.messages.map((m) => m.blobId));
      ctx.publish([{ kind: 'mailboxes', accountId, change: 'delete', mailboxId: record.mailbox.id, name: record.mailbox.name }]);
    },

    async setSpecialUse(mailboxId, specialUse) {
      const record = ctx.requireMailbox(mailboxId);
      if (record.mailbox.specialUse === specialUse) return;
      record.mailbox.specialUse = specialUse;
      const { accountId, name } = record.mailbox;
      ctx.publish([{ kind: 'mailboxes', accountId, change: 'special-use', mailboxId, name }]);
    },

    async subscribe(accountId, name) {
      const normalized = normalizeMailboxName(name);
      ctx.requireAccount(accountId);
      const set = ctx.subscriptionsOf(accountId);
      if (set.has(normalized)) return;
      set.add(normalized);
      ctx.publish([{ kind: 'mailboxes', accountId, change: 'subscribe', name: normalized }]);
    },

    async unsubscribe(accountId, name) {
      const normalized = normalizeMailboxName(name);
      if (!t.subscriptions.get(accountId)?.delete(normalized)) return false;
      ctx.publish([{ kind: 'mailboxes', accountId, change: 'unsubscribe', name: normalized }]);
      return true;
    },

    async listSubscriptions(accountId) {
      return [...(t.subscriptions.get(accountId) ?? [])].sort();
    },

    async status(mailboxId) {
      const { mailbox, messages, recentUid } = ctx.requireMailbox(mailboxId);
      let unseen = 0;
      let firstUnseenUid: number | null = null;
      let size = 0;
      for (const m of messages) {
        size += m.size;
        if (hasSeen(m.flags)) continue;
        unseen++;
        firstUnseenUid ??= m.uid;
      }
      return {
        mailboxId,
        messages: messages.length,
        unseen,
        firstUnseenUid,
        recent: messages.length - lowerBound(messages, recentUid),
        size,
        uidNext: mailbox.uidNext,
        uidValidity: mailbox.uidValidity,
        highestModseq: mailbox.highestModseq,
      };
    },

    async listKeywords(mailboxId) {
      return [...ctx.requireMailbox(mailboxId).keywords.values()];
    },

    async claimRecent(mailboxId) {
      const record = ctx.requireMailbox(mailboxId);
      const fromUid = record.recentUid;
      const toUid = record.mailbox.uidNext;
      record.recentUid = toUid;
      return { fromUid, toUid, count: record.messages.length - lowerBound(record.messages, fromUid) };
    },

    async listMessages(mailboxId) {
      return (t.mailboxes.get(mailboxId)?.messages ?? []).map(copyMessage);
    },

    async listUids(mailboxId) {
      const { messages } = ctx.requireMailbox(mailboxId);
      const uids = new Uint32Array(messages.length);
      for (let i = 0; i < messages.length; i++) uids[i] = messages[i]!.uid;
      return uids;
    },

    async getMessages(mailboxId, uids) {
      return pickByUid(ctx.requireMailbox(mailboxId).messages, uids).map(copyMessage);
    },

    async changesSince(mailboxId, modseq) {
      const record = ctx.requireMailbox(mailboxId);
      return {
        changed: record.messages.filter((m) => m.modseq > modseq).map(copyMessage),
        expunged: record.tombstones.filter((x) => x.modseq > modseq).map((x) => x.uid).sort((a, b) => a - b),
        highestModseq: record.mailbox.highestModseq,
      };
    },

    async usage(accountId) {
      return ctx.usageOf(accountId);
    },

    async quota(accountId) {
      const account = ctx.requireAccount(accountId);
      let messages = 0;
      for (const record of ctx.mailboxesOf(accountId)) messages += record.messages.length;
      return { usedBytes: ctx.usageOf(accountId), limitBytes: account.quotaBytes, messages };
    },

    async expunge(mailboxId, uids) {
      const record = ctx.requireMailbox(mailboxId);
      const gone = pickByUid(record.messages, uids);
      const expunged = removeMessages(record, gone);
      if (expunged.length === 0) return [];
      await ctx.releaseBlobs(gone.map((m) => m.blobId));
      const { accountId, highestModseq } = record.mailbox;
      ctx.publish([{ kind: 'expunge', accountId, mailboxId, uids: expunged, modseq: highestModseq }]);
      return expunged;
    },

    async storeFlags(mailboxId, uids, mode, flags, opts = {}) {
      const record = ctx.requireMailbox(mailboxId);
      const canonical = canonicalFlags(flags, record.keywords);
      const matched = pickByUid(record.messages, uids);
      const changed: number[] = [];
      const modified: number[] = [];
      let modseq = 0;
      for (const message of matched) {
        const plan = planFlagChange(message.flags, message.modseq, mode, canonical, opts.unchangedSince);
        if (plan === 'modified') modified.push(message.uid);
        if (typeof plan === 'string') continue;
        // RFC 7162 §3.1: one new modseq for everything this STORE changes.
        if (modseq === 0) modseq = ++record.mailbox.highestModseq;
        message.flags = plan;
        message.modseq = modseq;
        changed.push(message.uid);
      }
      if (mode !== 'remove' && changed.length > 0) ctx.learnKeywords(record, newKeywords(canonical, record.keywords));
      if (changed.length > 0) {
        ctx.publish([{ kind: 'flags', accountId: record.mailbox.accountId, mailboxId, uids: changed, modseq }]);
      }
      return { messages: matched.map(copyMessage), changed, modified };
    },

    async copyMessages(srcMailboxId, uids, dstMailboxId) {
      const { dst, result } = copyInto(srcMailboxId, uids, dstMailboxId, true);
      if (result.mapping.length > 0) ctx.publish([appendEvent(dst, result)]);
      return result;
    },

    async moveMessages(srcMailboxId, uids, dstMailboxId) {
      // RFC 6851: a move leaves the account's usage as it was, so it is never over quota.
      const { src, dst, originals, result } = copyInto(srcMailboxId, uids, dstMailboxId, false);
      if (result.mapping.length === 0) return result;
      const expunged = removeMessages(src, originals);
      const { accountId, highestModseq } = src.mailbox;
      ctx.publish([appendEvent(dst, result), { kind: 'expunge', accountId, mailboxId: srcMailboxId, uids: expunged, modseq: highestModseq }]);
      return result;
    },
  };
  return mailboxes;
}
