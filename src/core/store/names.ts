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

/** UIDVALIDITY (RFC 3501 §2.3.1.1): seconds since the epoch, but always above the last one given. */
export function nextUidValidity(last: number, now = Date.now()): number {
  return Math.max(Math.floor(now / 1000), last + 1);
}

/** Blob ids are 32 lower-case hex digits; anything else is refused before it reaches a path. */
export const BLOB_ID_PATTERN = /^[0-9a-f]{32}$/;
