// SSH_FXP_EXTENDED requests (draft-ietf-secsh-filexfer-02 §8) that OpenSSH defines in
// its PROTOCOL file and that we advertise in SSH_FXP_VERSION: posix-rename (§4.3),
// statvfs and fstatvfs (§4.4), hardlink (§4.5), fsync (§4.6), lsetstat (§4.7), limits
// (§4.8), expand-path (§4.9). An extension not in this table answers OP_UNSUPPORTED.

import { statfs } from 'node:fs/promises';
import { FX, type Attrs, type ReplyBuilder } from '../wire.ts';
import { SftpError, TEXT } from '../replies.ts';
import { applyAttrs, entry } from './helpers.ts';
import { hardlink } from './links.ts';
import { canonical, renamePaths } from './paths.ts';
import { define, OK, type AnyCommand, type Reply, type SftpContext } from './types.ts';

/** Name and version pairs of the VERSION packet (PROTOCOL §4: the version strings OpenSSH sends). */
export const ADVERTISED: ReadonlyArray<[string, string]> = [
  ['posix-rename@openssh.com', '1'],
  ['statvfs@openssh.com', '2'],
  ['fstatvfs@openssh.com', '2'],
  ['hardlink@openssh.com', '1'],
  ['fsync@openssh.com', '1'],
  ['lsetstat@openssh.com', '1'],
  ['limits@openssh.com', '1'],
  ['expand-path@openssh.com', '1'],
];

const ST_RDONLY = 0x1;
const ST_NOSUID = 0x2;

/** The statvfs reply (PROTOCOL §4.4): eleven uint64; with a quota the quota is the file system. */
async function statvfsReply(ctx: SftpContext, real: string): Promise<Reply> {
  const fs = await statfs(real);
  const bsize = fs.bsize;
  let blocks = fs.blocks;
  let bfree = fs.bfree;
  let bavail = fs.bavail;
  if (ctx.quota.limit !== null) {
    blocks = Math.floor(ctx.quota.limit / bsize);
    const left = Math.floor(ctx.quota.remaining / bsize);
    bfree = Math.min(bfree, left);
    bavail = Math.min(bavail, left);
  }
  const fields = [bsize, bsize, blocks, bfree, bavail, fs.files, fs.ffree, fs.ffree, 0, ST_NOSUID, 255];
  return { kind: 'extended', room: 8 * fields.length, write: (b: ReplyBuilder) => fields.forEach((f) => b.u64(f)) };
}

export const extensions: Record<string, AnyCommand> = {
  'posix-rename@openssh.com': define({
    name: 'posix-rename',
    parse: (r) => ({ from: r.path(), to: r.path() }),
    run: (ctx, a: { from: string; to: string }) => renamePaths(ctx, a.from, a.to, true),
  }),
  'statvfs@openssh.com': define({
    name: 'statvfs',
    parse: (r) => ({ path: r.path() }),
    async run(ctx, a: { path: string }) {
      return statvfsReply(ctx, (await ctx.jail.resolveExisting('/', a.path)).real);
    },
  }),
  'fstatvfs@openssh.com': define({
    name: 'fstatvfs',
    parse: (r) => ({ handle: r.bytes() }),
    async run(ctx, a: { handle: Buffer }) {
      const h = ctx.handles.lookup(a.handle);
      if (!h) throw new SftpError(FX.FAILURE, TEXT.noSuchHandle);
      return statvfsReply(ctx, h.kind === 'dir' ? h.real : ctx.jail.root);
    },
  }),
  'hardlink@openssh.com': define({
    name: 'hardlink',
    parse: (r) => ({ from: r.path(), to: r.path() }),
    async run(ctx, a: { from: string; to: string }) {
      await hardlink(ctx, a.from, a.to);
      return OK;
    },
  }),
  'fsync@openssh.com': define({
    name: 'fsync',
    parse: (r) => ({ handle: r.bytes() }),
    async run(ctx, a: { handle: Buffer }) {
      await ctx.handles.file(a.handle).fh.sync();
      return OK;
    },
  }),
  'lsetstat@openssh.com': define({
    name: 'lsetstat',
    parse: (r) => ({ path: r.path(), attrs: r.attrs() }),
    async run(ctx, a: { path: string; attrs: Attrs }) {
      const target = await entry(ctx.jail, a.path);
      await applyAttrs(ctx, { kind: 'path', real: target.real, follow: false }, a.attrs);
      return OK;
    },
  }),
  'limits@openssh.com': define({
    name: 'limits',
    parse: () => ({}),
    async run(ctx) {
      const l = ctx.limits;
      // max-packet-length counts the length field too (PROTOCOL §4.8; OpenSSH sends SFTP_MAX_MSG_LENGTH).
      const fields = [l.maxPacketLength, l.maxReadLength, l.maxWriteLength, l.maxHandles];
      return { kind: 'extended', room: 32, write: (b: ReplyBuilder) => fields.forEach((f) => b.u64(f)) };
    },
  }),
  'expand-path@openssh.com': define({
    name: 'expand-path',
    parse: (r) => ({ path: r.path() }),
    run(ctx, a: { path: string }) {
      // "~" and "~/x" are the home; another user's "~name" is not ours to show.
      if (a.path === '~' || a.path.startsWith('~/')) return canonical(ctx, `/${a.path.slice(1)}`);
      if (a.path.startsWith('~')) throw new SftpError(FX.NO_SUCH_FILE, TEXT.noSuchFile);
      return canonical(ctx, a.path);
    },
  }),
};
