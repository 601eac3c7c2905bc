// Symbolic links (draft-ietf-secsh-filexfer-02 §6.10), kept inside the home.
// SYMLINK: OpenSSH sends its two paths in the reverse order of the draft (targetpath
// first, then linkpath: OpenSSH PROTOCOL §4.1), and every mainstream client follows
// OpenSSH, so we do too. A link is made only when both the link and what it points to
// lie inside the home; it is stored relative to its folder, so it works the same for
// FTP and on disk. READLINK shows a link's text only when it stays inside the home.

import { link, readlink as readlinkFs, symlink as symlinkFs } from 'node:fs/promises';
import { isAbsolute, posix, resolve as resolveNative } from 'node:path';
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

export const symlink = define({
  name: 'SYMLINK',
  parse: (r) => ({ target: r.path(), link: r.path() }),
  async run(ctx, a: { target: string; link: string }) {
    const where = await entry(ctx.jail, a.link);
    if (where.root) throw new SftpError(FX.FAILURE, TEXT.exists);
    const folder = posix.dirname(where.virtual);
    const target = linkTargetVirtual(folder, a.target);
    if (target === null) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
    // Stored relative, so the link means the same on disk as in the virtual tree.
    const text = posix.relative(folder, target) || '.';
    await symlinkFs(text, where.real);
    return OK;
  },
});

/** A link's text as the client may see it, or PERMISSION_DENIED when it leads out of the home. */
export function visibleLinkText(ctx: SftpContext, linkVirtual: string, text: string): string {
  if (isAbsolute(text)) {
    const real = resolveNative(text);
    if (!isInside(ctx.jail.root, real)) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
    return ctx.jail.virtualOf(real);
  }
  if (linkTargetVirtual(posix.dirname(linkVirtual), text) === null) throw new SftpError(FX.PERMISSION_DENIED, TEXT.symlinkOutside);
  return text;
}

export const readlink = define({
  name: 'READLINK',
  parse: (r) => ({ path: r.path() }),
  async run(ctx, a: { path: string }) {
    const where = await entry(ctx.jail, a.path);
    const text = visibleLinkText(ctx, where.virtual, await readlinkFs(where.real));
    return { kind: 'name', entries: [{ filename: text, longname: text, attrs: {} }] };
  },
});

/** hardlink@openssh.com (PROTOCOL §4.9): both names inside the home; the source is not followed. */
export async function hardlink(ctx: SftpContext, from: string, to: string): Promise<void> {
  const source = await entry(ctx.jail, from);
  const target = await entry(ctx.jail, to);
  if (source.root || target.root) throw new SftpError(FX.PERMISSION_DENIED, TEXT.rootRemoval);
  await link(source.real, target.real);
}
