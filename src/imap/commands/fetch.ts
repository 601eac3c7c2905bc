// FETCH and UID FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5) with BINARY (RFC 3516) and
// the CONDSTORE / QRESYNC modifiers CHANGEDSINCE and VANISHED (RFC 7162 §3.1.4, §3.2.6).
// Metadata is read in batches; bodies stream from the blob store with backpressure
// (fetch/response.ts), so FETCH 1:* of a large mailbox or BODY[] of a 50 MB message
// keeps memory flat.

import type { MessageMeta } from '../../core/store/types.ts';
import { flagList, imapDateTime } from '../encode.ts';
import { bodyStructure, envelope } from '../fetch/body-structure.ts';
import { parseFetchItems, planFetch, sectionLabel, type FetchItem, type FetchPlan } from '../fetch/items.ts';
import { loadHeader, loadTree, type HeaderInfo } from '../fetch/message-source.ts';
import { FetchResponse, type WholeMessages } from '../fetch/response.ts';
import { pipeDecoded, rootSection, treeSection } from '../fetch/sections.ts';
import type { MimePart } from '../mime.ts';
import { bad, Text } from '../replies.ts';
import type { MailboxView } from '../selected-view.ts';
import { formatNumberSet, inRanges, resolveRanges, type SequenceSet } from '../sequence-set.ts';
import type { ImapSession } from '../session.ts';
import type { ArgParser } from '../wire.ts';
import { SELECTED, type Command, type ParseContext } from './types.ts';

/** Messages whose metadata is read in one store call. */
const BATCH = 512;
/** Messages whose header or MIME tree is read ahead of the one being written. */
const PREFETCH = 16;
/**
 * Whole messages up to this size are read ahead into memory (at most PREFETCH of
 * them) unless they are in the body cache already: a 4 KiB message costs a file read
 * whether streamed or not, so reading the next ones (into the cache too) while this
 * one is written keeps the connection busy.
 */
const SMALL_MESSAGE = 64 * 1024;

interface FetchArguments {
  set: SequenceSet;
  items: FetchItem[];
  /** RFC 7162 §3.1.4.1 CHANGEDSINCE, or null. */
  changedSince: number | null;
  /** RFC 7162 §3.2.6 VANISHED. */
  vanished: boolean;
}

/** sequence-set SP items [SP (modifiers)] (RFC 3501 §6.4.5, RFC 4466 §2.4). */
function parseFetch(args: ArgParser, { uid }: ParseContext): FetchArguments {
  args.sp();
  const set = args.sequenceSet();
  args.sp();
  const items = parseFetchItems(args);
  let changedSince: number | null = null;
  let vanished = false;
  if (args.trySp()) {
    // RFC 7162 §3.1.4.1 / §3.2.6: fetch modifiers.
    args.expect('(');
    while (!args.tryChar(')')) {
      const modifier = args.keyword('fetch modifier');
      if (modifier === 'CHANGEDSINCE') {
        args.sp();
        changedSince = args.modSequence();
      } else if (modifier === 'VANISHED') {
        if (!uid) throw bad(Text.vanishedNeeds);
        vanished = true;
      } else throw bad(`Unknown FETCH modifier ${modifier}`);
      args.trySp();
    }
    if (vanished && changedSince === null) throw bad('VANISHED needs CHANGEDSINCE');
  }
  args.end();
  // RFC 3501 §6.4.8: UID FETCH always returns UID.
  if (uid && !items.some((i) => i.kind === 'uid')) items.unshift({ kind: 'uid' });
  if (changedSince !== null && !items.some((i) => i.kind === 'modseq')) items.push({ kind: 'modseq' });
  return { set, items, changedSince, vanished };
}

export const fetch: Command<FetchArguments> = {
  states: SELECTED,
  noExpunge: true,
  parse: parseFetch,
  async run(session, { set, items, changedSince, vanished }, { uid }) {
    if (vanished && !session.qresync) throw bad(Text.vanishedNeeds);
    if (items.some((i) => i.kind === 'modseq')) await session.useCondstore();
    const plan = planFetch(items);
    const view = session.view;
    const targets = view.resolve(set, uid);
    if (vanished && changedSince !== null) await announceVanished(session, view, set, changedSince);
    const whole: WholeMessages = new Map();
    for (let i = 0; i < targets.length; i += BATCH) {
      await fetchBatch(session, targets.slice(i, i + BATCH), plan, changedSince, whole);
    }
  },
};

/** RFC 7162 §3.2.6: VANISHED (EARLIER) for the UIDs of the set expunged since the modseq. */
async function announceVanished(session: ImapSession, view: MailboxView, set: SequenceSet, changedSince: number): Promise<void> {
  if (set.kind !== 'ranges') return;
  const ranges = resolveRanges(set, view.lastUid);
  const gone = (await session.store.mailboxes.changesSince(view.mailboxId, changedSince)).expunged.filter((u) => inRanges(ranges, u));
  if (gone.length > 0) session.write(`* VANISHED (EARLIER) ${formatNumberSet(gone)}\r\n`);
}

/** One store read of metadata, \Seen for the batch, then one response per message. */
async function fetchBatch(session: ImapSession, batch: { seq: number; uid: number }[], plan: FetchPlan, changedSince: number | null, whole: WholeMessages): Promise<void> {
  const view = session.view;
  const metas = new Map<number, MessageMeta>();
  for (const meta of await session.store.mailboxes.getMessages(view.mailboxId, batch.map((t) => t.uid))) {
    if (changedSince === null || meta.modseq > changedSince) metas.set(meta.uid, meta);
  }
  const seenNow = plan.setsSeen && !view.readOnly ? await markSeen(session, metas) : new Set<number>();
  // Headers and MIME trees of the next messages load while this one is written:
  // each load waits on file I/O, so doing them one by one would leave the time idle.
  const prefetch = (k: number) => {
    const meta = batch[k] && metas.get(batch[k]!.uid);
    if (meta) prefetchMessage(session, plan, meta, whole);
  };
  for (let k = 0; k < Math.min(PREFETCH, batch.length); k++) prefetch(k);
  for (let k = 0; k < batch.length; k++) {
    prefetch(k + PREFETCH);
    const { seq, uid } = batch[k]!;
    const meta = metas.get(uid);
    // Expunged by another session and not yet announced: nothing to say (RFC 9051 §6.4.5 allows omitting it).
    if (!meta) continue;
    await writeFetch(session, seq, meta, plan, seenNow.has(uid), whole);
  }
}

/** Starts loading what the plan will need of a message; failures surface when it is written. */
function prefetchMessage(session: ImapSession, plan: FetchPlan, meta: MessageMeta, whole: WholeMessages): void {
  const { blobs } = session.store;
  if (plan.needsTree) loadTree(blobs, meta).catch(() => {});
  else if (plan.needsHeader) loadHeader(blobs, meta, session.limits.headerReadOctets).catch(() => {});
  if (plan.needsWhole && meta.size <= SMALL_MESSAGE && !whole.has(meta.blobId) && !blobs.inMemory(meta.blobId)) {
    const read = blobs.readAll(meta.blobId);
    read.catch(() => {});
    whole.set(meta.blobId, read);
  }
}

/** RFC 3501 §6.4.5: fetching a body sets \Seen; returns the UIDs that changed. */
async function markSeen(session: ImapSession, metas: Map<number, MessageMeta>): Promise<Set<number>> {
  const unseen = [...metas.values()].filter((m) => !m.flags.includes('\\Seen')).map((m) => m.uid);
  if (unseen.length === 0) return new Set();
  const view = session.view;
  const result = await session.store.mailboxes.storeFlags(view.mailboxId, unseen, 'add', ['\\Seen']);
  for (const meta of result.messages) metas.set(meta.uid, meta);
  for (const u of result.changed) view.flagChanges.delete(u);
  return new Set(result.changed);
}

/** Writes one "* n FETCH (...)" response, streaming literals. */
async function writeFetch(session: ImapSession, seq: number, meta: MessageMeta, plan: FetchPlan, seenChanged: boolean, whole: WholeMessages): Promise<void> {
  const { blobs } = session.store;
  let tree: MimePart | null = null;
  let header: HeaderInfo | null = null;
  if (plan.needsTree) {
    tree = await loadTree(blobs, meta);
    header = { fields: tree.header, bodyStart: tree.bodyStart };
  } else if (plan.needsHeader) {
    header = await loadHeader(blobs, meta, session.limits.headerReadOctets);
  }
  // RFC 3501 §7.2.6: a new keyword's FLAGS goes out before this response's first octet.
  session.announceKeywords(meta.flags);
  const response = new FetchResponse(session, seq, meta, whole);
  try {
    for (const item of plan.items) await writeItem(session, response, item, meta, header, tree);
  } finally {
    // Whatever was read ahead for this message is done with: the map stays PREFETCH long.
    whole.delete(meta.blobId);
  }
  // RFC 3501 §6.4.5: when FETCH sets \Seen, the new flags are part of the response.
  if (seenChanged && !plan.items.some((i) => i.kind === 'flags')) response.add(`FLAGS ${flagList(session.flagsOf(meta.flags, meta.uid))}`);
  await response.finish();
}

async function writeItem(session: ImapSession, response: FetchResponse, item: FetchItem, meta: MessageMeta, header: HeaderInfo | null, tree: MimePart | null): Promise<void> {
  const utf8 = session.utf8;
  switch (item.kind) {
    case 'uid':
      return response.add(`UID ${meta.uid}`);
    case 'flags':
      return response.add(`FLAGS ${flagList(session.flagsOf(meta.flags, meta.uid))}`);
    case 'internaldate':
      return response.add(`INTERNALDATE ${imapDateTime(meta.internalDate)}`);
    case 'size':
      return response.add(`RFC822.SIZE ${meta.size}`);
    case 'modseq':
      return response.add(`MODSEQ (${meta.modseq})`);
    case 'envelope':
      return response.add(`ENVELOPE ${envelope(header!.fields, utf8)}`);
    case 'body':
      return response.add(`BODY ${bodyStructure(tree!, false, utf8)}`);
    case 'bodystructure':
      return response.add(`BODYSTRUCTURE ${bodyStructure(tree!, true, utf8)}`);
    case 'rfc822':
      return response.literal('RFC822', { kind: 'range', start: 0, end: meta.size }, null, false);
    case 'rfc822.header':
      return response.literal('RFC822.HEADER', { kind: 'range', start: 0, end: header!.bodyStart }, null, false);
    case 'rfc822.text':
      return response.literal('RFC822.TEXT', { kind: 'range', start: header!.bodyStart, end: meta.size }, null, false);
    case 'section': {
      const source = tree ? treeSection(item.section, tree, item.binary) : rootSection(item.section, meta, header);
      return response.literal(sectionLabel(item), source, item.partial, item.binary);
    }
    case 'binary.size': {
      const source = treeSection(item.section, tree!, true);
      let size = 0;
      if (source.kind === 'range') size = source.end - source.start;
      else if (source.kind === 'bytes') size = source.data.length;
      else if (source.kind === 'decoded') size = await pipeDecoded(session.store.blobs, meta.blobId, source, () => {});
      return response.add(`${sectionLabel(item)} ${source.kind === 'nil' ? 'NIL' : size}`);
    }
  }
}
