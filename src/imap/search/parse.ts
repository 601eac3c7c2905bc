// SEARCH criteria (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 7162 §3.1.5 MODSEQ, RFC 5182
// "$") parsed into a tree that evaluate.ts runs per message.

import { bad } from '../replies.ts';
import type { SequenceSet } from '../sequence-set.ts';
import { decodeUtf8, type ArgParser } from '../wire.ts';

export type CalendarDay = { year: number; month: number; day: number };

export type SearchKey =
  | { kind: 'all' }
  | { kind: 'flag'; flag: string; set: boolean }
  | { kind: 'recent'; set: boolean }
  | { kind: 'new' }
  | { kind: 'header'; field: string; value: string }
  | { kind: 'address'; field: 'from' | 'to' | 'cc' | 'bcc'; value: string }
  | { kind: 'body'; value: string }
  | { kind: 'text'; value: string }
  | { kind: 'internaldate'; op: 'before' | 'on' | 'since'; day: CalendarDay }
  | { kind: 'sentdate'; op: 'before' | 'on' | 'since'; day: CalendarDay }
  | { kind: 'size'; op: 'larger' | 'smaller'; size: number }
  | { kind: 'seqset'; set: SequenceSet }
  | { kind: 'uidset'; set: SequenceSet }
  | { kind: 'modseq'; modseq: number }
  | { kind: 'not'; key: SearchKey }
  | { kind: 'or'; a: SearchKey; b: SearchKey }
  | { kind: 'and'; keys: SearchKey[] };

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};

/** Nesting depth limit: a hostile "NOT NOT NOT ..." must not blow the stack. */
const MAX_DEPTH = 64;

function text(args: ArgParser): string {
  args.sp();
  return decodeUtf8(args.astring('search string'), 'search string');
}

function day(args: ArgParser): CalendarDay {
  args.sp();
  return args.date();
}

/** search-key *(SP search-key): the whole program is an implicit AND. */
export function parseSearchProgram(args: ArgParser): SearchKey {
  const keys: SearchKey[] = [parseKey(args, 0)];
  while (args.trySp()) keys.push(parseKey(args, 0));
  return keys.length === 1 ? keys[0]! : { kind: 'and', keys };
}

export function parseKey(args: ArgParser, depth: number): SearchKey {
  if (depth > MAX_DEPTH) throw bad('Search criteria nested too deeply');
  if (args.tryChar('(')) {
    const keys: SearchKey[] = [parseKey(args, depth + 1)];
    while (!args.tryChar(')')) {
      args.sp();
      keys.push(parseKey(args, depth + 1));
    }
    return keys.length === 1 ? keys[0]! : { kind: 'and', keys };
  }
  if (args.atSequenceSet()) return { kind: 'seqset', set: args.sequenceSet() };
  const name = args.keyword('search key');
  const flag = FLAG_KEYS[name];
  if (flag) return { kind: 'flag', flag: flag[0], set: flag[1] };
  switch (name) {
    case 'ALL':
      return { kind: 'all' };
    case 'NEW':
      return { kind: 'new' };
    case 'OLD':
      return { kind: 'recent', set: false };
    case 'RECENT':
      return { kind: 'recent', set: true };
    case 'KEYWORD':
    case 'UNKEYWORD': {
      args.sp();
      return { kind: 'flag', flag: args.atom('keyword'), set: name === 'KEYWORD' };
    }
    case 'BCC':
    case 'CC':
    case 'FROM':
    case 'TO':
      return { kind: 'address', field: name.toLowerCase() as 'from', value: text(args) };
    case 'SUBJECT':
      return { kind: 'header', field: 'subject', value: text(args) };
    case 'HEADER': {
      args.sp();
      const field = decodeUtf8(args.astring('header field name'), 'header field name').toLowerCase();
      return { kind: 'header', field, value: text(args) };
    }
    case 'BODY':
      return { kind: 'body', value: text(args) };
    case 'TEXT':
      return { kind: 'text', value: text(args) };
    case 'BEFORE':
      return { kind: 'internaldate', op: 'before', day: day(args) };
    case 'ON':
      return { kind: 'internaldate', op: 'on', day: day(args) };
    case 'SINCE':
      return { kind: 'internaldate', op: 'since', day: day(args) };
    case 'SENTBEFORE':
      return { kind: 'sentdate', op: 'before', day: day(args) };
    case 'SENTON':
      return { kind: 'sentdate', op: 'on', day: day(args) };
    case 'SENTSINCE':
      return { kind: 'sentdate', op: 'since', day: day(args) };
    case 'LARGER':
    case 'SMALLER':
      args.sp();
      return { kind: 'size', op: name === 'LARGER' ? 'larger' : 'smaller', size: args.number('size') };
    case 'UID':
      args.sp();
      return { kind: 'uidset', set: args.sequenceSet() };
    case 'NOT':
      args.sp();
      return { kind: 'not', key: parseKey(args, depth + 1) };
    case 'OR': {
      args.sp();
      const a = parseKey(args, depth + 1);
      args.sp();
      const b = parseKey(args, depth + 1);
      return { kind: 'or', a, b };
    }
    case 'MODSEQ': {
      // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence-valzer.
      args.sp();
      if (args.peek() === 0x22) {
        args.string('entry name');
        args.sp();
        const type = args.keyword('entry type');
        if (type !== 'PRIV' && type !== 'SHARED' && type !== 'ALL') throw bad('Entry type must be priv, shared or all');
        args.sp();
      }
      return { kind: 'modseq', modseq: args.modSequence() };
    }
    default:
      throw bad(`Unknown search key ${name}`);
  }
}

/** Whether evaluating needs the header, the body text, or only metadata. */
export function searchNeeds(key: SearchKey): { header: boolean; body: boolean; modseq: boolean } {
  const needs = { header: false, body: false, modseq: false };
  const walk = (k: SearchKey) => {
    switch (k.kind) {
      case 'header':
      case 'address':
      case 'sentdate':
        needs.header = true;
        break;
      case 'body':
      case 'text':
        needs.body = true;
        break;
      case 'modseq':
        needs.modseq = true;
        break;
      case 'not':
        walk(k.key);
        break;
      case 'or':
        walk(k.a);
        walk(k.b);
        break;
      case 'and':
        k.keys.forEach(walk);
        break;
      default:
        break;
    }
  };
  walk(key);
  return needs;
}
