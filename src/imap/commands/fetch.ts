// FETCH and UID FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5) with BINARY (RFC 3516) and
// the CONDSTORE / QRESYNC modifiers CHANGEDSINCE and VANISHED (RFC 7162 §3.1.4, §3.2.6).
// Metadata is read in batches; bodies stream from the blob store with backpressure,
// so FETCH 1:* of a large mailbox or BODY[] of a 50 MB message keeps memory flat.

import type { MessageMeta } from '../../core/store/types.ts';
import { flagList, imapDateTime } from '../encode.ts';
import { bodyStructure, envelope } from '../fetch/body-structure.ts';
import { parseFetchItems, planFetch, sectionLabel, type FetchItem, type FetchPlan } from '../fetch/items.ts';
import { loadHeader, loadTree, type HeaderInfo } from '../fetch/message-source.ts';
import { pipeDecoded, rootSection, treeSection, type SectionSource } from '../fetch/sections.ts';
import type { MimePart } from '../mime.ts';
import { bad } from '../replies.ts';
import { formatNumberSet, inRanges, resolveRanges } from '../sequence-set.ts';
import type { ImapSession } from '../session.ts';
import { SELECTED, type Command } from './types.ts';

/** Messages whose metadata is read in one store call. */
const BATCH = 512;
/** Messages whose header or MIME tree is read ahead of the one being written. */
const PREFETCH = 16;
/** Whole messages up to this size are read ahead into memory (at most PREFETCH of them). */
const SMALL_MESSAGE = 64 * 1024;

/**
 * Small messages read ahead for one FETCH: a 4 KiB message costs a file open, read and
 * close whether streamed or not, so reading the next ones while this one is written
 * keeps the connection busy. Bounded: PREFETCH × SMALL_MESSAGE per running FETCH.
 */
type WholeMessages = Map<string, Promise<Buffer>>;

export const fetch: Command = {
  states: SELECTED,
  noExpunge: true,
  async run(session, { args, uid }) {
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
          if (!uid || !session.qresync) throw bad('VANISHED needs UID FETCH and QRESYNC (RFC 7162 §3.2.6)');
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
    if (items.some((i) => i.kind === 'modseq')) session.condstoreUsed = true;
    const plan = planFetch(items);

    const view = session.view;
    const targets = view.resolve(set, uid);
    const { mailboxes } = session.store;
    if (vanished && changedSince !== null && set.kind === 'ranges') {
      const ranges = resolveRanges(set, view.lastUid);
      const gone = (await mailboxes.changesSince(view.mailboxId, changedSince)).expunged.filter((u) => inRanges(ranges, u));
      if (gone.length > 0) session.write(`* VANISHED (EARLIER) ${formatNumberSet(gone)}\r\n`);
    }
    const whole: WholeMessages = new Map();
    for (let i = 0; i < targets.length; i += BATCH) {
      const batch = targets.slice(i, i + BATCH);
      const metas = new Map<number, MessageMeta>();
      for (const meta of await mailboxes.getMessages(view.mailboxId, batch.map((t) => t.uid))) {
        if (changedSince === null || meta.modseq > changedSince) metas.set(meta.uid, meta);
      }
      const seenNow = plan.setsSeen && !view.readOnly ? await markSeen(session, metas) : new Set<number>();
      // Headers and MIME trees of the next messages load while this one is written:
      // each load waits on file I/O, so doing them one by one would leave the time idle.
      const prefetch = (k: number) => {
        const meta = batch[k] && metas.get(batch[k]!.uid);
        if (!meta) return;
        if (plan.needsTree) loadTree(session.store.blobs, meta).catch(() => {});
        else if (plan.needsHeader) loadHeader(session.store.blobs, meta, session.limits.headerReadOctets).catch(() => {});
        if (plan.needsWhole && meta.size <= SMALL_MESSAGE && !whole.has(meta.blobId)) {
          const read = session.store.blobs.readAll(meta.blobId);
          read.catch(() => {});
          whole.set(meta.blobId, read);
        }
      };
      for (let k = 0; k < Math.min(PREFETCH, batch.length); k++) prefetch(k);
      for (let k = 0; k < batch.length; k++) {
        prefetch(k + PREFETCH);
        const { seq, uid: u } = batch[k]!;
        const meta = metas.get(u);
        // Expunged by another session and not yet announced: nothing to say (RFC 9051 §6.4.5 allows omitting it).
        if (!meta) continue;
        await writeFetch(session, seq, meta, plan, seenNow.has(u), whole);
      }
    }
  },
};

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
  const utf8 = session.utf8;
  let tree: MimePart | null = null;
  let header: HeaderInfo | null = null;
  if (plan.needsTree) {
    tree = await loadTree(blobs, meta);
    header = { fields: tree.header, bodyStart: tree.bodyStart };
  } else if (plan.needsHeader) {
    header = await loadHeader(blobs, meta, session.limits.headerReadOctets);
  }

  let text = `* ${seq} FETCH (`;
  let first = true;
  const add = (piece: string) => {
    text += (first ? '' : ' ') + piece;
    first = false;
  };
  const flushText = async () => {
    if (text !== '') await session.send(text);
    text = '';
  };
  /** A literal whose octets come from a source, after `label `. */
  const literal = async (label: string, source: SectionSource, partial: { start: number; count: number } | null, binary: boolean) => {
    add(label + ' ');
    if (source.kind === 'nil') {
      text += 'NIL';
      return;
    }
    if (source.kind === 'bytes') {
      const data = partial ? source.data.subarray(Math.min(partial.start, source.data.length), Math.min(partial.start + partial.count, source.data.length)) : source.data;
      text += `{${data.length}}\r\n${data.toString('latin1')}`;
      return;
    }
    const prefetched = source.kind === 'range' && source.start === 0 && source.end === meta.size ? whole.get(meta.blobId) : undefined;
    if (prefetched) {
      whole.delete(meta.blobId);
      const data = await prefetched;
      if (data.length === meta.size) {
        const from = partial ? Math.min(partial.start, data.length) : 0;
        const slice = partial ? data.subarray(from, Math.min(from + partial.count, data.length)) : data;
        text += binary && slice.includes(0) ? `~{${slice.length}}\r\n` : `{${slice.length}}\r\n`;
        await flushText();
        await session.send(slice);
        return;
      }
    }
    if (source.kind === 'range') {
      let { start, end } = source;
      if (partial) {
        start = Math.min(start + partial.start, end);
        end = Math.min(start + partial.count, end);
      }
      text += binary && (await hasNul(session, meta.blobId, start, end)) ? `~{${end - start}}\r\n` : `{${end - start}}\r\n`;
      await flushText();
      if (end > start) for await (const chunk of blobs.read(meta.blobId, { start, end })) await session.send(chunk as Buffer);
      return;
    }
    // Transfer-decoded (BINARY): one pass to learn the size, one to send.
    let nul = false;
    const total = await pipeDecoded(blobs, meta.blobId, source, (chunk) => {
      if (!nul && isBinary(chunk)) nul = true;
    });
    const from = partial ? Math.min(partial.start, total) : 0;
    const to = partial ? Math.min(from + partial.count, total) : total;
    text += `${nul ? '~' : ''}{${to - from}}\r\n`;
    await flushText();
    let offset = 0;
    await pipeDecoded(blobs, meta.blobId, source, async (chunk) => {
      const a = Math.max(from - offset, 0);
      const b = Math.min(to - offset, chunk.length);
      offset += chunk.length;
      if (b > a) await session.send(chunk.subarray(a, b));
    });
  };

  for (const item of plan.items) await writeItem(session, item, meta, header, tree, add, literal, utf8);
  // RFC 3501 §6.4.5: when FETCH sets \Seen, the new flags are part of the response.
  if (seenChanged && !plan.items.some((i) => i.kind === 'flags')) add(`FLAGS ${flagList(session.flagsOf(meta.flags, meta.uid))}`);
  text += ')\r\n';
  await flushText();
}

type Literal = (label: string, source: SectionSource, partial: { start: number; count: number } | null, binary: boolean) => Promise<void>;

async function writeItem(
  session: ImapSession,
  item: FetchItem,
  meta: MessageMeta,
  header: HeaderInfo | null,
  tree: MimePart | null,
  add: (piece: string) => void,
  literal: Literal,
  utf8: boolean,
): Promise<void> {
  switch (item.kind) {
    case 'uid':
      return add(`UID ${meta.uid}`);
    case 'flags':
      return add(`FLAGS ${flagList(session.flagsOf(meta.flags, meta.uid))}`);
    case 'internaldate':
      return add(`INTERNALDATE ${imapDateTime(meta.internalDate)}`);
    case 'size':
      return add(`RFC822.SIZE ${meta.size}`);
    case 'modseq':
      return add(`MODSEQ (${meta.modseq})`);
    case 'envelope':
      return add(`ENVELOPE ${envelope(header!.fields, utf8)}`);
    case 'body':
      return add(`BODY ${bodyStructure(tree!, false, utf8)}`);
    case 'bodystructure':
      return add(`BODYSTRUCTURE ${bodyStructure(tree!, true, utf8)}`);
    case 'rfc822':
      return literal('RFC822', { kind: 'range', start: 0, end: meta.size }, null, false);
    case 'rfc822.header':
      return literal('RFC822.HEADER', { kind: 'range', start: 0, end: header!.bodyStart }, null, false);
    case 'rfc822.text':
      return literal('RFC822.TEXT', { kind: 'range', start: header!.bodyStart, end: meta.size }, null, false);
    case 'section': {
      const source = tree ? treeSection(item.section, tree, item.binary) : rootSection(item.section, meta, header);
      return literal(sectionLabel(item), source, item.partial, item.binary);
    }
    case 'binary.size': {
      const source = treeSection(item.section, tree!, true);
      let size = 0;
      if (source.kind === 'range') size = source.end - source.start;
      else if (source.kind === 'bytes') size = source.data.length;
      else if (source.kind === 'decoded') size = await pipeDecoded(session.store.blobs, meta.blobId, source, () => {});
      return add(`${sectionLabel(item)} ${source.kind === 'nil' ? 'NIL' : size}`);
    }
  }
}

/** Decoded content with NUL or 8-bit octets goes as literal8 "~{n}" (RFC 3516 §4.2; Dovecot does so for 8-bit too). */
function isBinary(chunk: Buffer): boolean {
  for (const b of chunk) if (b === 0 || b >= 0x80) return true;
  return false;
}

/** Undecoded octets need literal8 only for NUL (as Dovecot). */
async function hasNul(session: ImapSession, blobId: string, start: number, end: number): Promise<boolean> {
  if (end <= start) return false;
  for await (const chunk of session.store.blobs.read(blobId, { start, end })) if ((chunk as Buffer).includes(0)) return true;
  return false;
}
