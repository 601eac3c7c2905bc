// SEARCH and UID SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4) with ESEARCH result options
// MIN, MAX, ALL, COUNT (RFC 4731), SAVE and "$" (RFC 5182), and CONDSTORE's MODSEQ key
// (RFC 7162 §3.1.5). CHARSET may be US-ASCII or UTF-8; others are NO [BADCHARSET].

import { StoreError, type MessageMeta } from '../../core/store/types.ts';
import { imapString } from '../encode.ts';
import { bad, Code, no } from '../replies.ts';
import { matches, setKeys, type Candidate, type SearchContext } from '../search/evaluate.ts';
import { parseSearchProgram, searchNeeds, type SearchKey } from '../search/parse.ts';
import { formatNumberSet, resolveRanges } from '../sequence-set.ts';
import type { ImapSession } from '../session.ts';
import type { MailboxView } from '../selected-view.ts';
import type { ArgParser } from '../wire.ts';
import { SELECTED, type Command } from './types.ts';

const BATCH = 1024;
const RETURN_OPTIONS = new Set(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

interface SearchArguments {
  /** RFC 4731 result options; null: a plain SEARCH response. */
  returns: Set<string> | null;
  program: SearchKey;
}

/** [RETURN (options)] [CHARSET charset] criteria (RFC 4731 §3.1, RFC 3501 §6.4.4). */
function parseSearch(args: ArgParser): SearchArguments {
  args.sp();
  let returns: Set<string> | null = null;
  // RFC 4731 §3.1: SEARCH [RETURN (options)] [CHARSET charset] criteria.
  let word = args.peekKeyword();
  if (word === 'RETURN') {
    args.keyword();
    args.sp();
    args.expect('(');
    returns = new Set();
    while (!args.tryChar(')')) {
      const option = args.keyword('return option');
      if (!RETURN_OPTIONS.has(option)) throw bad(`Unknown SEARCH return option ${option}`);
      returns.add(option);
      args.trySp();
    }
    // RFC 4731 §3.1: RETURN () means ALL.
    if (returns.size === 0) returns.add('ALL');
    args.sp();
    word = args.peekKeyword();
  }
  if (word === 'CHARSET') {
    args.keyword();
    args.sp();
    const charset = args.astringText('charset').toUpperCase();
    if (charset !== 'UTF-8' && charset !== 'US-ASCII') throw no(`Charset ${charset} is not supported`, Code.badCharset);
    args.sp();
  }
  const program = parseSearchProgram(args);
  args.end();
  return { returns, program };
}

export const search: Command<SearchArguments> = {
  states: SELECTED,
  noExpunge: true,
  parse: parseSearch,
  async run(session, { returns, program }, { uid, tag }) {
    const view = session.view;
    const needs = searchNeeds(program);
    if (needs.modseq) await session.useCondstore();
    const found = await runSearch(session, view, program);
    const numbers = found.map((f) => (uid ? f.uid : f.seq));

    if (returns?.has('SAVE')) view.savedSearch = found.map((f) => f.uid);
    // RFC 9051 §6.4.4: IMAP4rev2 answers SEARCH with ESEARCH.
    const esearch = returns !== null || session.rev2;
    if (!esearch) {
      const modseq = needs.modseq && found.length > 0 ? ` (MODSEQ ${found.reduce((highest, f) => Math.max(highest, f.meta?.modseq ?? 0), 0)})` : '';
      await session.send(`* SEARCH${numbers.map((n) => ' ' + n).join('')}${modseq}\r\n`);
      return;
    }
    const options = returns ?? new Set(['ALL']);
    // RFC 5182 §2.1: SAVE alone returns no ESEARCH response.
    if (options.size === 1 && options.has('SAVE')) return;
    const parts = [`* ESEARCH (TAG ${imapString(tag)})`];
    if (uid) parts.push('UID');
    if (numbers.length > 0 && options.has('MIN')) parts.push(`MIN ${numbers[0]}`);
    if (numbers.length > 0 && options.has('MAX')) parts.push(`MAX ${numbers[numbers.length - 1]}`);
    if (options.has('COUNT')) parts.push(`COUNT ${numbers.length}`);
    if (numbers.length > 0 && options.has('ALL')) parts.push(`ALL ${formatNumberSet(numbers)}`);
    if (needs.modseq && found.length > 0) parts.push(`MODSEQ ${esearchModseq(found, options)}`);
    await session.send(parts.join(' ') + '\r\n');
  },
};

/**
 * RFC 4731 §3.2 / RFC 7162 §3.1.5: with a single MIN or MAX (and no ALL or COUNT), the
 * mod-sequence of the message it names; with MIN and MAX alone, the higher of those
 * two; otherwise the highest of every message found.
 */
function esearchModseq(found: readonly { meta: MessageMeta | null }[], options: ReadonlySet<string>): number {
  const modseq = (f: { meta: MessageMeta | null }) => f.meta?.modseq ?? 0;
  if (!options.has('ALL') && !options.has('COUNT')) {
    const min = options.has('MIN');
    const max = options.has('MAX');
    if (min && max) return Math.max(modseq(found[0]!), modseq(found[found.length - 1]!));
    if (min) return modseq(found[0]!);
    if (max) return modseq(found[found.length - 1]!);
  }
  return found.reduce((highest, f) => Math.max(highest, modseq(f)), 0);
}

/** Evaluates the program over the messages the client knows, ascending. */
async function runSearch(session: ImapSession, view: MailboxView, program: SearchKey): Promise<{ seq: number; uid: number; meta: MessageMeta | null }[]> {
  const ranges = new Map<SearchKey, [number, number][]>();
  for (const key of setKeys(program)) {
    if (key.kind !== 'seqset' && key.kind !== 'uidset') continue;
    const byUid = key.kind === 'uidset';
    if (key.set.kind === 'saved') {
      const saved = view.resolve(key.set, true).map((m) => (byUid ? m.uid : m.seq));
      ranges.set(key, resolveRanges({ ranges: saved.map((n) => [n, n] as const) }, 0));
    } else {
      ranges.set(key, resolveRanges(key.set, byUid ? view.lastUid : view.exists));
    }
  }
  const ctx: SearchContext = { blobs: session.store.blobs, ranges, isRecent: (u) => view.isRecent(u), headerReadOctets: session.limits.headerReadOctets };
  const uids = view.allUids();
  const out: { seq: number; uid: number; meta: MessageMeta | null }[] = [];
  if (onlySets(program)) {
    // Sets and ALL need no metadata: answer from the sequence map alone (fast on large mailboxes).
    const dummy = null as unknown as MessageMeta;
    for (let i = 0; i < uids.length; i++) {
      const c: Candidate = { seq: i + 1, uid: uids[i]!, meta: dummy };
      if (await matches(program, c, ctx)) out.push({ seq: c.seq, uid: c.uid, meta: null });
    }
    return out;
  }
  for (let start = 0; start < uids.length; start += BATCH) {
    const batch = Array.from(uids.subarray(start, start + BATCH));
    const metas = await session.store.mailboxes.getMessages(view.mailboxId, batch);
    const byUid = new Map(metas.map((m) => [m.uid, m]));
    for (let i = 0; i < batch.length; i++) {
      const meta = byUid.get(batch[i]!);
      if (!meta) continue;
      const c: Candidate = { seq: start + i + 1, uid: meta.uid, meta };
      if (await matchesUnlessExpunged(program, c, ctx)) out.push({ seq: c.seq, uid: c.uid, meta });
    }
  }
  return out;
}

/**
 * A message another session expunged after this batch's metadata was read has lost its
 * body file: it matches nothing (RFC 2180 §4.1.3 lets a server omit it), rather than
 * failing the whole SEARCH with NO [SERVERBUG].
 */
async function matchesUnlessExpunged(program: SearchKey, c: Candidate, ctx: SearchContext): Promise<boolean> {
  try {
    return await matches(program, c, ctx);
  } catch (error) {
    if (isGoneBody(error)) return false;
    throw error;
  }
}

/** ENOENT from the file-backed store, not-found from the memory store. */
const isGoneBody = (error: unknown): boolean => (error instanceof StoreError && error.code === 'not-found') || (error as NodeJS.ErrnoException).code === 'ENOENT';

function onlySets(key: SearchKey): boolean {
  switch (key.kind) {
    case 'all':
    case 'seqset':
    case 'uidset':
      return true;
    case 'not':
      return onlySets(key.key);
    case 'or':
      return onlySets(key.a) && onlySets(key.b);
    case 'and':
      return key.keys.every(onlySets);
    default:
      return false;
  }
}
