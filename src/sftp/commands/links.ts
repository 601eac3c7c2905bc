// Symbolic links (draft-ietf-secsh-filexfer-02 §6.10), kept inside the home.
// SYMLINK: OpenSSH sends its two paths in the reverse order of the draft (targetpath
// first, then linkpath: OpenSSH PROTOCOL §4.1), and every mainstream client follows
// OpenSSH, so we do too. A link is made only when what it points to lies inside the
// link's own folder (as the folder really is: its real parent, once every symlink on the
// way is followed, not the folder as the client named it, which may pass through a
// link); it is stored relative to that folder and without a ".." segment. So it works the
// same for FTP and on disk, and moving the link, or any folder above it, by RENAME or
// hardlink@openssh.com can never make it point elsewhere than below where it then lies:
// a link text without ".." only descends, and every link it passes through only
// descends too. READLINK shows a link's text only when it stays inside the home.
// A hard link or rename of a symlink whose text does not follow that rule (made outside
// SFTP) is refused unless it stays in the same folder.

import type { Stats } from 'node:fs';
import { link, lstat, readlink as readlinkFs, symlink as symlinkFs } from 'node:fs/promises';
import { dirname, isAbsolute, posix, resolve as resolveNative } from 'node:path';
import { FX } from '../wire.ts';
import { SftpError, TEXT } from '../replies.ts';
import { entry } from './helpers.ts';
import { define, OK, type SftpContext } from './types.ts';
import { isInside } from '../../files/jail.ts';

/** The virtual path a link text names, seen from the link's virtual folder; null when it leaves the home. */
export function linkTargetVirtual(linkFolder: string, text: string): string | null {
  if (text.includes('\0') || text === '') return null;
  const joined = text.startsWith('/') ? text : `${linkFolder}/${text}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.length === 0) return null;
    else parts.pop();
  }
  return `/${parts.join('/')}`;
}

/** Whether a link text is safe wherever the link is moved: relative, no "..", no NUL. */
export function descendingLinkText(text: string): boolean {
  if (text === '' || text.includes('\0') || text.startsWith('/')) return false;
  return !text.split('/').includes('..');
}

/** The virtual folder a link really lies in: its real parent (every symlink on the way followed). */
function realFolder(ctx: SftpContext, linkReal: string): string {
  return ctx.jail.virtualOf(dirname(linkReal));
}

export const symlink = define({
  name: 'SYMLINK',
  parse: (r) => ({ target: r.path(), link: r.path() }),
  async run(ctx, a: { target: string; link: string }) {
    const where = await entry(ctx.jail, a.link);
    if (where.root) throw new SftpError(FX.FAILURE, TEXT.exists);
    // entry() resolved the parent with realpath: this is the folder the link text is read from.
    const folder = realFolder(ctx, where.real);
    const target = linkTargetVirtual(folder, a.target);
    if (target === null) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
    // Stored relative, so the link means the same on disk as in the virtual tree.
    const text = posix.relative(folder, target) || '.';
    if (!descendingLinkText(text)) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
    await symlinkFs(text, where.real);
    return OK;
  },
});

/**
 * RENAME and hardlink@openssh.com of a symlink: refused when its text could lead
 * elsewhere from the new folder (absolute or with ".." segments) and the folder changes.
 */
export async function checkMovedLink(source: { real: string }, target: { real: string }, st: Stats): Promise<void> {
  if (!st.isSymbolicLink() || dirname(source.real) === dirname(target.real)) return;
  if (!descendingLinkText(await readlinkFs(source.real))) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
}

/** A link's text as the client may see it (read from the link's real folder), or PERMISSION_DENIED when it leads out of the home. */
export function visibleLinkText(ctx: SftpContext, linkFolder: string, text: string): string {
  if (isAbsolute(text)) {
    const real = resolveNative(text);
    if (!isInside(ctx.jail.root, real)) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
    return ctx.jail.virtualOf(real);
  }
  if (linkTargetVirtual(linkFolder, text) === null) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
  return text;
}

export const readlink = define({
  name: 'READLINK',
  parse: (r) => ({ path: r.path() }),
  async run(ctx, a: { path: string }) {
    const where = await entry(ctx.jail, a.path);
    // Read from the folder the link really lies in (the named one may pass through a link).
    const text = visibleLinkText(ctx, realFolder(ctx, where.real), await readlinkFs(where.real));
    return { kind: 'name', entries: [{ filename: text, longname: text, attrs: {} }] };
  },
});

/** hardlink@openssh.com (PROTOCOL §4.9): both names inside the home; the source is not followed. */
export async function hardlink(ctx: SftpContext, from: string, to: string): Promise<void> {
  const source = await entry(ctx.jail, from);
  const target = await entry(ctx.jail, to);
  if (source.root || target.root) throw new SftpError(FX.PERMISSION_DENIED, TEXT.rootRemoval);
  // link(2) does not follow a symlink source (Linux): the new name is a second name of the link itself.
  await checkMovedLink(source, target, await lstat(source.real));
  await link(source.real, target.real);
}
