// What the quota has been charged for each file an SFTP handle holds open, by file
// identity (device:inode, the key the scheduler orders requests by). One table per
// quota tracker, so every SFTP session of one account in this process (they share
// one tracker, src/files/file-area.ts) sees one size per file: a WRITE charges only
// growth past that size, and every change of a file's size through SFTP (WRITE,
// SETSTAT/FSETSTAT size, OPEN with TRUNC) updates it, whichever handle or path it came
// through. Without it each handle kept its own size, and truncating through one name
// refunded octets another handle then rewrote for free.
//
// A file removed (REMOVE, or replaced by RENAME) while a handle holds it keeps its
// octets on disk until the last handle closes: the refund waits for that close.
//
// WRITE takes the size from this table, no system call; a write that does not extend
// the file while no other write of it is in flight checks the real size (fstat) first,
// so a file truncated behind the table's back (another protocol) is charged again.
// Sequential appends always extend, and never pay for the fstat.

import type { Stats } from 'node:fs';

export interface ChargedFile {
  /** Octets the quota counts for this file. */
  size: number;
  /** Handles open on it. */
  handles: number;
  /** WRITEs in flight: while any runs, the real size may lag behind `size`. */
  writing: number;
  /** Its last name went while handles were open: refund `size` at the last close. */
  unlinked: boolean;
}

const tables = new WeakMap<object, Map<string, ChargedFile>>();

function table(quota: object): Map<string, ChargedFile> {
  let t = tables.get(quota);
  if (!t) tables.set(quota, (t = new Map()));
  return t;
}

export const fileKey = (st: Pick<Stats, 'dev' | 'ino'>): string => `${st.dev}:${st.ino}`;

/** The entry of a file some handle holds open, if any. */
export function chargedFile(quota: object, key: string): ChargedFile | undefined {
  return tables.get(quota)?.get(key);
}

/** A handle opens on a file whose real size is `size` now. */
export function attachFile(quota: object, key: string, size: number): ChargedFile {
  const t = table(quota);
  let f = t.get(key);
  if (!f) t.set(key, (f = { size, handles: 0, writing: 0, unlinked: false }));
  else if (f.writing === 0) f.size = size;
  f.handles++;
  return f;
}

/** A handle on `key` closes; returns the octets to refund (the file's last name went while it was open). */
export function detachFile(quota: object, key: string, f: ChargedFile, links: number | null): number {
  f.handles--;
  if (f.handles > 0) return 0;
  const t = tables.get(quota);
  if (t?.get(key) === f) t.delete(key);
  return f.unlinked && links === 0 ? f.size : 0;
}

/**
 * The last name of a regular file goes (REMOVE, or RENAME over it): the octets to
 * refund now, or 0 when a handle still holds the file (refunded at its last close).
 */
export function unlinkRefund(quota: object, st: Stats): number {
  if (!st.isFile() || st.nlink !== 1) return 0;
  const f = chargedFile(quota, fileKey(st));
  if (!f) return st.size;
  f.unlinked = true;
  return 0;
}
