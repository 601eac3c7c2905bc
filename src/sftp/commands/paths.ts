// Requests on names (draft-ietf-secsh-filexfer-02 §6.5-§6.7, §6.9-§6.10): STAT, LSTAT,
// SETSTAT, REALPATH, REMOVE, RENAME, MKDIR, RMDIR. Every path goes through the home
// jail: "/" is the home, ".." stops there, and a path whose real location lies outside
// is refused. The last component of LSTAT, REMOVE, RENAME and RMDIR is not followed,
// so a symlink is removed or renamed itself.

import { link, lstat, mkdir, rename as renameFs, rmdir as rmdirFs, stat, unlink } from 'node:fs/promises';
import { FX, type Attrs } from '../wire.ts';
import { SftpError, TEXT } from '../replies.ts';
import { applyAttrsAt, entry, existing, keptMode, statAttrs } from './helpers.ts';
import { define, OK, type Reply, type SftpContext } from './types.ts';
import { checkMovedLink } from './links.ts';
import { unlinkRefund } from '../charged.ts';

export const statPath = define({
  name: 'STAT',
  parse: (r) => ({ path: r.path() }),
  async run(ctx, a: { path: string }) {
    const { real } = await existing(ctx.jail, a.path);
    return { kind: 'attrs', attrs: statAttrs(await stat(real)) };
  },
});

export const lstatPath = define({
  name: 'LSTAT',
  parse: (r) => ({ path: r.path() }),
  async run(ctx, a: { path: string }) {
    const { real } = await entry(ctx.jail, a.path);
    return { kind: 'attrs', attrs: statAttrs(await lstat(real)) };
  },
});

export const setstat = define({
  name: 'SETSTAT',
  parse: (r) => ({ path: r.path(), attrs: r.attrs() }),
  async run(ctx, a: { path: string; attrs: Attrs }) {
    const { real } = await existing(ctx.jail, a.path);
    await applyAttrsAt(ctx, real, a.attrs);
    return OK;
  },
});

/** §6.11: the canonical virtual path; "." and "" are the home, "/". */
export async function canonical(ctx: SftpContext, path: string): Promise<Reply> {
  let virtual: string;
  try {
    virtual = ctx.jail.virtualOf((await existing(ctx.jail, path)).real);
  } catch (error) {
    // A name that does not exist yet is canonicalised lexically (clients do this before a put).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    virtual = ctx.jail.virtualPath('/', path);
  }
  return { kind: 'name', entries: [{ filename: virtual, longname: virtual, attrs: {} }] };
}

export const realpath = define({
  name: 'REALPATH',
  parse: (r) => ({ path: r.path() }),
  run: (ctx, a: { path: string }) => canonical(ctx, a.path),
});

export const remove = define({
  name: 'REMOVE',
  parse: (r) => ({ path: r.path() }),
  async run(ctx, a: { path: string }) {
    const target = await entry(ctx.jail, a.path);
    if (target.root) throw new SftpError(FX.PERMISSION_DENIED, TEXT.rootRemoval);
    const st = await lstat(target.real);
    if (st.isDirectory()) throw new SftpError(FX.FAILURE, TEXT.isADirectory);
    await unlink(target.real);
    // Not refunded while a handle holds the file: it still stores (and writes) them.
    ctx.quota.add(-unlinkRefund(ctx.quota, st));
    return OK;
  },
});

/** RENAME (§6.5: "It is an error if there already exists a file with the name") and posix-rename@openssh.com. */
export async function renamePaths(ctx: SftpContext, from: string, to: string, overwrite: boolean): Promise<Reply> {
  const source = await entry(ctx.jail, from);
  const target = await entry(ctx.jail, to);
  if (source.root || target.root) throw new SftpError(FX.PERMISSION_DENIED, TEXT.rootRemoval);
  const moved = await lstat(source.real);
  await checkMovedLink(source, target, moved);
  const replaced = await lstat(target.real).catch(() => null);
  if (replaced && !overwrite) throw new SftpError(FX.FAILURE, TEXT.exists);
  if (!overwrite && !moved.isDirectory() && (await linkThenUnlink(source.real, target.real))) return OK;
  await renameFs(source.real, target.real);
  if (replaced && source.real !== target.real) ctx.quota.add(-unlinkRefund(ctx.quota, replaced));
  return OK;
}

/**
 * draft-02 §6.5 RENAME must not replace an existing name; between our check and rename(2)
 * another session could create one. For a file or link, link(2) fails atomically when the
 * name exists, then the old name goes, as OpenSSH's sftp-server does. false when the file
 * system has no hard links (rename is used then, with the check above).
 */
async function linkThenUnlink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new SftpError(FX.FAILURE, TEXT.exists);
    if (code === 'EPERM' || code === 'EXDEV' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK') return false;
    throw error;
  }
  await unlink(from);
  return true;
}

export const rename = define({
  name: 'RENAME',
  parse: (r) => ({ from: r.path(), to: r.path() }),
  run: (ctx, a: { from: string; to: string }) => renamePaths(ctx, a.from, a.to, false),
});

export const makeDir = define({
  name: 'MKDIR',
  parse: (r) => ({ path: r.path(), attrs: r.attrs() }),
  async run(ctx, a: { path: string; attrs: Attrs }) {
    const target = await entry(ctx.jail, a.path);
    if (target.root) throw new SftpError(FX.FAILURE, TEXT.exists);
    await mkdir(target.real, { mode: a.attrs.permissions !== undefined ? keptMode(a.attrs.permissions, true) : 0o700 });
    return OK;
  },
});

export const removeDir = define({
  name: 'RMDIR',
  parse: (r) => ({ path: r.path() }),
  async run(ctx, a: { path: string }) {
    const target = await entry(ctx.jail, a.path);
    if (target.root) throw new SftpError(FX.PERMISSION_DENIED, TEXT.rootRemoval);
    await rmdirFs(target.real);
    return OK;
  },
});
