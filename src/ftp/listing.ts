// Directory listings: LIST in the Unix "ls -l" form that every client parses, NLST
// names only (RFC 959 §4.1.3), and RFC 3659 §7 MLSx facts.

import type { Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface Entry {
  name: string;
  stats: Stats;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

/** The entries of a folder (symlinks shown as what they point to, when that exists), sorted. */
export async function readEntries(folder: string): Promise<Entry[]> {
  const names = (await readdir(folder)).sort();
  const out: Entry[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const stats = await stat(path).catch(() => lstat(path).catch(() => null));
    if (stats) out.push({ name, stats });
  }
  return out;
}

function permissions(s: Stats): string {
  const type = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = type;
  for (let i = 0; i < 9; i++) out += s.mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

/** "Mon DD HH:MM" within six months, else "Mon DD  YYYY" (as ls, in UTC). */
function lsDate(d: Date, now: number): string {
  const mon = MONTHS[d.getUTCMonth()]!;
  const day = String(d.getUTCDate()).padStart(2, ' ');
  if (Math.abs(now - d.getTime()) < SIX_MONTHS_MS) {
    return `${mon} ${day} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  }
  return `${mon} ${day}  ${d.getUTCFullYear()}`;
}

/** One "ls -l" line, the form vsftpd sends (owner and group shown as "ftp"). */
export function lsLine(e: Entry, now = Date.now()): string {
  const s = e.stats;
  return `${permissions(s)} ${String(s.nlink).padStart(4)} ftp      ftp      ${String(s.size).padStart(12)} ${lsDate(s.mtime, now)} ${e.name}`;
}

/** RFC 3659 §2.3: YYYYMMDDHHMMSS in UTC. */
export function mdtm(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * RFC 3659 §2.3 time-val, YYYYMMDDHHMMSS[.sss] in UTC, as MFMT and MDTM with a time
 * argument carry it; null when it is not one (or not a real date, such as month 13).
 */
export function parseTimeVal(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC rolls 31 February over into March; a time-val must name a real instant.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) return null;
  return date;
}

/** RFC 3659 §7: "fact=value;...; name". `kind` overrides the type for "." and "..". */
export function mlsxLine(e: Entry, readOnly: boolean, kind?: 'cdir' | 'pdir'): string {
  const s = e.stats;
  const type = kind ?? (s.isDirectory() ? 'dir' : 'file');
  // RFC 3659 §7.5.5 perm letters: a append, c create, d delete, e enter, f rename, l list, m mkdir, p purge, r retrieve, w store.
  const perm = s.isDirectory() ? (readOnly ? 'el' : 'cdeflmp') : readOnly ? 'r' : 'adfrw';
  const facts = [`type=${type}`, ...(s.isDirectory() ? [] : [`size=${s.size}`]), `modify=${mdtm(s.mtime)}`, `perm=${perm}`, `unique=${s.dev.toString(16)}g${s.ino.toString(16)}`];
  return `${facts.join(';')}; ${e.name}`;
}
