// Rules about names that every backend applies the same way: how addresses, alias
// keys, mailbox names and flags are normalised, and which mailboxes a new user gets.

import { StoreError } from './types.ts';

/**
 * "Local@Example.ORG" -> "Local@example.org": the local part stays as given (RFC 5321
 * §2.4 lets it be case-sensitive), the domain is case-insensitive and lower-cased.
 * A catch-all alias key ("@example.org") is allowed only when allowCatchAll is set.
 */
export function normalizeAddress(address: string, allowCatchAll = false): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  const local = at < 0 ? '' : trimmed.slice(0, at);
  const domain = at < 0 ? '' : trimmed.slice(at + 1);
  if (domain === '' || /[\s\0]/.test(trimmed) || (local === '' && !allowCatchAll)) {
    throw new StoreError('invalid', `not a full address: ${JSON.stringify(address)}`);
  }
  return `${local}@${domain.toLowerCase()}`;
}

/** The domain part of a normalised address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/**
 * ASCII-only case folding: what SQLite's COLLATE NOCASE does, so every backend
 * treats "Bob@x" and "BOB@x" as one address and nothing more.
 */
export function foldCase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** RFC 3501 §5.1: "INBOX" is case-insensitive; every other name is kept as given. */
export function normalizeMailboxName(name: string): string {
  if (name === '' || name.includes('\0') || name.length > 1000) {
    throw new StoreError('invalid', 'bad mailbox name');
  }
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** RFC 6154 special-use mailboxes every new account gets, besides INBOX. */
export const DEFAULT_MAILBOXES: readonly { name: string; specialUse: string | null }[] = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

/**
 * Applies a flag change. Flags compare case-insensitively (RFC 3501 §2.3.2 system
 * flags; keywords are treated alike, as most servers do); the first spelling stays.
 */
export function applyFlags(current: readonly string[], mode: 'set' | 'add' | 'remove', flags: readonly string[]): string[] {
  const unique = (list: readonly string[]): string[] => {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const flag of list) {
      const key = foldCase(flag);
      if (flag === '' || seen.has(key)) continue;
      seen.add(key);
      out.push(flag);
    }
    return out;
  };
  if (mode === 'set') return unique(flags);
  if (mode === 'add') return unique([...current, ...flags]);
  const removed = new Set(flags.map(foldCase));
  return current.filter((flag) => !removed.has(foldCase(flag)));
}

export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((flag, i) => flag === b[i]);
}

/** RFC 3501 §2.3.2 system flags in their canonical spelling ("\\Recent" is not storable). */
export const SYSTEM_FLAGS: readonly string[] = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'];
const SYSTEM_BY_FOLD = new Map(SYSTEM_FLAGS.map((flag) => [foldCase(flag), flag]));
const RECENT = '\\recent';

/** A keyword is a flag that does not start with a backslash (RFC 3501 §2.3.2). */
export const isKeyword = (flag: string): boolean => !flag.startsWith('\\');

/**
 * Prepares flags a client gave for storage: system flags take their RFC spelling,
 * keywords the spelling first seen in the mailbox (`known`: folded -> spelling),
 * "\\Recent" and empty strings are dropped. A flag with whitespace, a control or
 * non-ASCII character or an atom-special could never be sent back in a FLAGS response,
 * so it is refused with StoreError('invalid').
 */
export function canonicalFlags(flags: readonly string[], known: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const flag of flags) {
    if (flag === '') continue;
    // RFC 3501 §9: flag-keyword is an atom; atom-specials never appear in one.
    if (/[^\x21-\x7e]|[(){%*"\]]/.test(flag) || flag.length > 256) throw new StoreError('invalid', `bad flag ${JSON.stringify(flag)}`);
    const key = foldCase(flag);
    if (key === RECENT) continue;
    out.push(SYSTEM_BY_FOLD.get(key) ?? known.get(key) ?? flag);
  }
  return out;
}

/** Keywords among `flags` that `known` does not hold yet, in order, once each. */
export function newKeywords(flags: readonly string[], known: ReadonlyMap<string, string>): string[] {
  const out = new Map<string, string>();
  for (const flag of flags) {
    const key = foldCase(flag);
    if (isKeyword(flag) && !known.has(key) && !out.has(key)) out.set(key, flag);
  }
  return [...out.values()];
}

/** Whether stored (canonical) flags include \\Seen. */
export const hasSeen = (flags: readonly string[]): boolean => flags.includes('\\Seen');

/** UIDVALIDITY (RFC 3501 §2.3.1.1): seconds since the epoch, but always above the last one given. */
export function nextUidValidity(last: number, now = Date.now()): number {
  return Math.max(Math.floor(now / 1000), last + 1);
}

/** Blob ids are 32 lower-case hex digits; anything else is refused before it reaches a path. */
export const BLOB_ID_PATTERN = /^[0-9a-f]{32}$/;

/** A body the SQLite store keeps in its database (sqlite/inline-blobs.ts): "i" and 31 hex digits. */
export const INLINE_BLOB_ID_PATTERN = /^i[0-9a-f]{31}$/;

/**
 * What one STORE does to one message: 'modified' when RFC 7162 §3.1.3 UNCHANGEDSINCE
 * forbids it (the message changed after the client's modseq), 'same' when the flags
 * would not change, else the new flags. `flags` are already canonical.
 */
export function planFlagChange(
  current: readonly string[],
  modseq: number,
  mode: 'set' | 'add' | 'remove',
  flags: readonly string[],
  unchangedSince?: number,
): 'modified' | 'same' | string[] {
  if (unchangedSince !== undefined && modseq > unchangedSince) return 'modified';
  const next = applyFlags(current, mode, flags);
  return sameFlags(next, current) ? 'same' : next;
}
