// What several command groups share: path resolution through the home jail, stat
// results as §5 attributes, SETSTAT's changes (quota-checked truncation, permissions
// limited to the owner's rwx bits, times; no owner change), and `ls -l` long names.

import { fileMode, folderMode } from '../../files/modes.ts';
import { constants, existsSync, type Stats } from 'node:fs';
import { chmod, lstat, open, readlink as readlinkFs, stat, truncate, utimes, lutimes, type FileHandle } from 'node:fs/promises';
import { basename, dirname, posix, join } from 'node:path';
import { FX, type Attrs } from '../wire.ts';
import { SftpError, TEXT } from '../replies.ts';
import type { SftpContext } from './types.ts';
import { chargedFile, fileKey } from '../charged.ts';
import type { HomeJail } from '../../files/jail.ts';

/** A path that must exist, every symlink followed; the real path lies inside the home. */
export async function existing(jail: HomeJail, path: string): Promise<{ virtual: string; real: string }> {
  return jail.resolveExisting('/', path);
}

/**
 * A path whose last component is not followed (LSTAT, REMOVE, RENAME, SYMLINK,
 * READLINK): its parent must exist inside the home; the entry itself need not.
 */
export async function entry(jail: HomeJail, path: string): Promise<{ virtual: string; real: string; root: boolean }> {
  const virtual = jail.virtualPath('/', path);
  if (virtual === '/') return { virtual, real: jail.root, root: true };
  const parent = await jail.resolveExisting('/', posix.dirname(virtual));
  return { virtual, real: join(parent.real, posix.basename(virtual)), root: false };
}

const HAVE_PROC_FD = existsSync('/proc/self/fd');
/** Whether descriptors have a path (/proc/self/fd/N) that opens the same file. */
export const descriptorPathAvailable = HAVE_PROC_FD;
const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Where an open descriptor really is (Linux: the kernel's own path, no symlink left in it). */
export async function descriptorPath(fh: FileHandle): Promise<string | null> {
  return HAVE_PROC_FD ? readlinkFs(`/proc/self/fd/${fh.fd}`) : null;
}

/** PERMISSION_DENIED unless the descriptor lies inside the home; returns its real path (or `fallback` without /proc). */
export async function checkDescriptor(jail: HomeJail, fh: FileHandle, fallback: string): Promise<string> {
  const real = await descriptorPath(fh);
  if (real === null) return fallback;
  if (!jail.contains(real.endsWith(' (deleted)') ? real.slice(0, -' (deleted)'.length) : real)) throw new SftpError(FX.PERMISSION_DENIED, TEXT.outside);
  return real;
}

/**
 * Opens a real path found by the jail without trusting that the path still means the
 * same: the folder it lies in is opened first and checked (its descriptor must lie
 * inside the home), and the name is then opened through that descriptor
 * (/proc/self/fd/N/name) with O_NOFOLLOW, so no folder on the way can be swapped for a
 * symlink between the jail's check and the open (two channels of one connection run
 * concurrently). The descriptor opened is checked again. `real` is the home itself: opened
 * and checked directly.
 */
export async function openInside(jail: HomeJail, real: string, flags: number, mode?: number): Promise<FileHandle> {
  if (!HAVE_PROC_FD) return open(real, flags | O_NOFOLLOW, mode);
  let path = real;
  let folder: FileHandle | null = null;
  if (real !== jail.root) {
    folder = await open(dirname(real), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
      // A link now where the jail found a folder (O_DIRECTORY|O_NOFOLLOW on a link: ENOTDIR or ELOOP).
      throw error.code === 'ELOOP' || error.code === 'ENOTDIR' ? new SftpError(FX.PERMISSION_DENIED, TEXT.outside) : error;
    });
    try {
      await checkDescriptor(jail, folder, dirname(real));
    } catch (error) {
      await folder.close().catch(() => {});
      throw error;
    }
    path = `/proc/self/fd/${folder.fd}/${basename(real)}`;
  }
  let fh: FileHandle;
  try {
    fh = await open(path, flags | O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new SftpError(FX.PERMISSION_DENIED, TEXT.outside);
    throw error;
  } finally {
    await folder?.close().catch(() => {});
  }
  try {
    await checkDescriptor(jail, fh, real);
  } catch (error) {
    await fh.close().catch(() => {});
    throw error;
  }
  return fh;
}

/** §5 attributes of a stat result (the mode with its file-type bits, as OpenSSH sends it). */
export function statAttrs(st: Stats): Attrs {
  return {
    size: st.size,
    uid: st.uid,
    gid: st.gid,
    permissions: st.mode,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

/**
 * The mode a chmod may set: owner bits only, and never less than the server itself
 * needs: a folder keeps rwx (the quota walk, listing and removal must enter it), a file
 * keeps rw (the quota walk stats it, the owner may still read and remove it).
 */
export function keptMode(permissions: number, directory: boolean): number {
  return directory ? folderMode(permissions) : fileMode(permissions);
}

/** A path (lsetstat@openssh.com: a link itself) or a descriptor; `real` names the home when it is one. */
export type SetTarget = { kind: 'path'; real: string; follow: boolean } | { kind: 'handle'; fh: FileHandle; real?: string };

/**
 * SETSTAT by name (and FSETSTAT of a folder handle): applied through a descriptor that
 * openInside checked, not by path, so the name cannot be swapped for a link meanwhile.
 * Opened for writing only when the size changes (ftruncate needs it).
 */
export async function applyAttrsAt(ctx: SftpContext, real: string, a: Attrs): Promise<void> {
  const flags = (a.size !== undefined ? constants.O_WRONLY : O_RDONLY) | O_NONBLOCK;
  let fh: FileHandle;
  try {
    fh = await openInside(ctx.jail, real, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw new SftpError(FX.FAILURE, TEXT.notAFile);
    throw error;
  }
  try {
    await applyAttrs(ctx, { kind: 'handle', fh, real }, a);
  } finally {
    await fh.close().catch(() => {});
  }
}

/** SETSTAT / FSETSTAT / lsetstat@openssh.com (§6.9). Owner changes are refused before anything changes. */
export async function applyAttrs(ctx: SftpContext, target: SetTarget, a: Attrs): Promise<void> {
  const current = target.kind === 'handle' ? await target.fh.stat() : target.follow ? await stat(target.real) : await lstat(target.real);
  if ((a.uid !== undefined && a.uid !== current.uid) || (a.gid !== undefined && a.gid !== current.gid)) {
    throw new SftpError(FX.PERMISSION_DENIED, TEXT.ownerChange);
  }
  if (a.size !== undefined) {
    if (!current.isFile()) throw new SftpError(FX.FAILURE, TEXT.notAFile);
    // Only growth counts; shrinking gives space back (the quota is about octets stored).
    // Counted from the size the quota knows when a handle holds the file (src/sftp/charged.ts).
    const charged = chargedFile(ctx.quota, fileKey(current));
    const was = charged?.size ?? current.size;
    ctx.quota.add(a.size - was);
    if (charged) charged.size = a.size;
    try {
      if (target.kind === 'handle') await target.fh.truncate(a.size);
      else await truncate(target.real, a.size);
    } catch (error) {
      ctx.quota.add(was - a.size);
      if (charged?.size === a.size) charged.size = was;
      throw error;
    }
  }
  const link = current.isSymbolicLink();
  if (a.permissions !== undefined && !link) {
    // The home itself keeps its mode: a client that took its own rwx away would lock itself out.
    if (target.real === ctx.jail.root) throw new SftpError(FX.PERMISSION_DENIED, TEXT.rootRemoval);
    const mode = keptMode(a.permissions, current.isDirectory());
    if (target.kind === 'handle') await target.fh.chmod(mode);
    else await chmod(target.real, mode);
  }
  if (a.atime !== undefined && a.mtime !== undefined) {
    if (target.kind === 'handle') await target.fh.utimes(a.atime, a.mtime);
    else if (link) await lutimes(target.real, a.atime, a.mtime);
    else await utimes(target.real, a.atime, a.mtime);
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function typeChar(mode: number): string {
  switch (mode & 0o170000) {
    case 0o040000: return 'd';
    case 0o120000: return 'l';
    case 0o020000: return 'c';
    case 0o060000: return 'b';
    case 0o010000: return 'p';
    case 0o140000: return 's';
    default: return '-';
  }
}

/** "drwxr-xr-x" as ls(1) and OpenSSH's strmode() print it. */
export function modeString(mode: number): string {
  const rwx = (shift: number, special: number, ch: string): string => {
    const r = mode & (0o4 << shift) ? 'r' : '-';
    const w = mode & (0o2 << shift) ? 'w' : '-';
    const x = mode & (0o1 << shift);
    const s = mode & special;
    return r + w + (s ? (x ? ch : ch.toUpperCase()) : x ? 'x' : '-');
  };
  return typeChar(mode) + rwx(6, 0o4000, 's') + rwx(3, 0o2000, 's') + rwx(0, 0o1000, 't');
}

/**
 * The long name of a READDIR entry (draft-02 §7: "the format ... is unspecified", but
 * it "SHOULD" look like `ls -l`; this is OpenSSH's ls_file layout). The owner is the
 * account when the file belongs to the server's user, as every file of a home does.
 */
export function longname(name: string, st: Stats, user: string, now = Date.now()): string {
  const own = process.getuid?.() === st.uid;
  const owner = own ? user : String(st.uid);
  const group = own ? user : String(st.gid);
  const t = new Date(st.mtimeMs);
  const recent = st.mtimeMs > now - SIX_MONTHS_MS && st.mtimeMs < now + SIX_MONTHS_MS;
  const day = String(t.getDate()).padStart(2);
  const when = recent
    ? `${MONTHS[t.getMonth()]} ${day} ${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`
    : `${MONTHS[t.getMonth()]} ${day}  ${t.getFullYear()}`;
  return `${modeString(st.mode)} ${String(st.nlink).padStart(3)} ${owner.padEnd(8)} ${group.padEnd(8)} ${String(st.size).padStart(8)} ${when} ${name}`;
}
