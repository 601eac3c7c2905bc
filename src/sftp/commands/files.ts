// File handles (draft-ietf-secsh-filexfer-02 §6.3-§6.4, §6.8-§6.9): OPEN with its
// pflags, CLOSE, random-access READ and WRITE, FSTAT, FSETSTAT. READ fills the reply
// packet in place (one allocation, no copy); WRITE writes straight from the request's
// buffer at its offset. Only growth of a file counts against the quota, so rewriting
// or resuming (reput) inside a file costs nothing.

import { constants } from 'node:fs';
import { stat } from 'node:fs/promises';
import { FX, PFLAG, DATA_HEADER, finishData, type Attrs } from '../wire.ts';
import { SftpError, TEXT } from '../replies.ts';
import type { OpenFile } from '../handles.ts';
import { attachFile, chargedFile, detachFile, fileKey, type ChargedFile } from '../charged.ts';
import { applyAttrs, applyAttrsAt, existing, keptMode, openInside, statAttrs } from './helpers.ts';
import { define, OK, type SftpContext } from './types.ts';

const { O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_TRUNC, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Where an OPEN lands: an existing file (links followed inside the home) or a new one. */
async function openTarget(ctx: SftpContext, path: string, create: boolean): Promise<{ virtual: string; real: string; exists: boolean }> {
  try {
    return { ...(await existing(ctx.jail, path)), exists: true };
  } catch (error) {
    if (!create || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Not there: the parent must exist inside the home; a dangling link is refused by the jail.
    return { ...(await ctx.jail.resolve('/', path)), exists: false };
  }
}

function osFlags(pflags: number): number {
  const read = (pflags & PFLAG.READ) !== 0;
  const write = (pflags & (PFLAG.WRITE | PFLAG.APPEND)) !== 0;
  let flags = read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
  if (pflags & PFLAG.APPEND) flags |= O_APPEND;
  if (pflags & PFLAG.CREAT) flags |= O_CREAT;
  // §6.3: TRUNC and EXCL only mean something with CREAT (OpenSSH applies TRUNC alone too);
  // a handle opened only for reading never truncates (O_RDONLY|O_TRUNC would, on Linux).
  if (pflags & PFLAG.TRUNC && write) flags |= O_TRUNC;
  if (pflags & PFLAG.CREAT && pflags & PFLAG.EXCL) flags |= O_EXCL;
  // The real path is resolved already: a link appearing there now is refused; a FIFO never blocks.
  return flags | O_NOFOLLOW | O_NONBLOCK;
}

export const openFile = define({
  name: 'OPEN',
  parse: (r) => ({ path: r.path(), pflags: r.u32(), attrs: r.attrs() }),
  async run(ctx, a: { path: string; pflags: number; attrs: Attrs }) {
    ctx.handles.checkRoom();
    const flags = osFlags(a.pflags);
    const writable = (flags & (O_WRONLY | O_RDWR)) !== 0;
    const target = await openTarget(ctx, a.path, (a.pflags & PFLAG.CREAT) !== 0);
    if (target.exists && a.pflags & PFLAG.CREAT && a.pflags & PFLAG.EXCL) throw new SftpError(FX.FAILURE, TEXT.exists);
    const before = target.exists && writable && flags & O_TRUNC ? await stat(target.real) : null;
    if (before?.isDirectory()) throw new SftpError(FX.FAILURE, TEXT.isADirectory);
    const mode = a.attrs.permissions !== undefined ? keptMode(a.attrs.permissions, false) : 0o600;
    // Through the checked folder, and the descriptor checked again (openInside): a folder
    // swapped for a link since the jail resolved the path is refused, nothing is truncated
    // or created outside.
    const fh = await openInside(ctx.jail, target.real, flags, mode);
    let charged: ChargedFile | null = null;
    let key = '';
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new SftpError(FX.FAILURE, st.isDirectory() ? TEXT.isADirectory : TEXT.notAFile);
      key = fileKey(st);
      // Truncated: refund what the quota counted, the shared size when another handle holds the file.
      if (before) ctx.quota.add(-(chargedFile(ctx.quota, key)?.size ?? before.size));
      charged = attachFile(ctx.quota, key, st.size);
      if (before) charged.size = st.size;
      const file: OpenFile = {
        kind: 'file', fh, virtual: target.virtual, key, charged,
        readable: (flags & (O_WRONLY)) === 0, writable, append: (flags & O_APPEND) !== 0,
        bytes: 0, openedAt: Date.now(), failed: false,
      };
      return { kind: 'handle', handle: ctx.handles.add(file) };
    } catch (error) {
      if (charged) detachFile(ctx.quota, key, charged, null);
      await fh.close().catch(() => {});
      throw error;
    }
  },
});

export const close = define({
  name: 'CLOSE',
  parse: (r) => ({ handle: r.bytes() }),
  async run(ctx, a: { handle: Buffer }) {
    const h = ctx.handles.remove(a.handle);
    if (h.kind === 'dir') {
      await h.dir.close().catch(() => {});
      return OK;
    }
    await closeFile(ctx, h, h.failed ? 'failed' : 'ok');
    return OK;
  },
});

/** Closes a file handle and writes its transfer-log line. */
export async function closeFile(ctx: SftpContext, h: OpenFile, result: 'ok' | 'aborted' | 'failed'): Promise<void> {
  let closeError: unknown = null;
  // The file's last name went while it was open: its octets are freed now (and not before).
  const links = h.charged.unlinked && h.charged.handles === 1 ? await h.fh.stat().then((st) => st.nlink, () => null) : null;
  ctx.quota.add(-detachFile(ctx.quota, h.key, h.charged, links));
  await h.fh.close().catch((error: unknown) => (closeError = error));
  ctx.transfers.record({
    service: 'sftp', user: ctx.user, remote: ctx.remote, direction: h.writable ? 'upload' : 'download',
    path: h.virtual, bytes: h.bytes, durationMs: Date.now() - h.openedAt, result: closeError ? 'failed' : result,
  });
  if (closeError) throw closeError;
}

export const read = define({
  name: 'READ',
  parse: (r) => ({ handle: r.bytes(), offset: r.u64(), length: r.u32() }),
  access(ctx, a: { handle: Buffer; offset: number; length: number }) {
    const h = ctx.handles.lookup(a.handle);
    return h?.kind === 'file' ? { key: h.key, start: a.offset, end: a.offset + a.length, write: false } : null;
  },
  async run(ctx, a: { handle: Buffer; offset: number; length: number }, id) {
    const h = ctx.handles.file(a.handle);
    if (!h.readable) throw new SftpError(FX.PERMISSION_DENIED, 'Handle not open for reading');
    // OpenSSH's sftp-server shortens reads beyond its limit the same way; the client asks again.
    const length = Math.min(a.length, ctx.limits.maxReadLength);
    const packet = Buffer.allocUnsafe(DATA_HEADER + length);
    const { bytesRead } = await h.fh.read(packet, DATA_HEADER, length, a.offset);
    if (bytesRead === 0 && length > 0) return { kind: 'status', code: FX.EOF, message: TEXT.eof };
    h.bytes += bytesRead;
    return { kind: 'data', packet: finishData(packet, id, bytesRead) };
  },
});

export const write = define({
  name: 'WRITE',
  parse(r) {
    const handle = r.bytes();
    const offset = r.u64();
    const data = r.bytes();
    return { handle, offset, data };
  },
  access(ctx, a: { handle: Buffer; offset: number; data: Buffer }) {
    const h = ctx.handles.lookup(a.handle);
    if (h?.kind !== 'file') return null;
    // An append lands wherever the end is then: it conflicts with every other write of the file.
    return h.append ? { key: h.key, start: 0, end: Infinity, write: true } : { key: h.key, start: a.offset, end: a.offset + a.data.length, write: true };
  },
  async run(ctx, a: { handle: Buffer; offset: number; data: Buffer }) {
    const h = ctx.handles.file(a.handle);
    if (!h.writable) throw new SftpError(FX.PERMISSION_DENIED, 'Handle not open for writing');
    const n = a.data.length;
    const f = h.charged;
    if (!h.append && a.offset + n <= f.size && f.writing === 0) {
      // Inside the file as the quota knows it: check it still is (truncated by another
      // protocol, its octets refunded there). Appends and extending writes skip this.
      const seen = f.size;
      const st = await h.fh.stat();
      // Unless a write changed the size meanwhile (then this fstat may predate it).
      if (f.writing === 0 && f.size === seen) f.size = st.size;
    }
    const end = h.append ? f.size + n : a.offset + n;
    const growth = Math.max(0, end - f.size);
    ctx.quota.add(growth);
    const sizeBefore = f.size;
    if (end > f.size) f.size = end;
    f.writing++;
    try {
      let done = 0;
      while (done < n) {
        // With O_APPEND the kernel ignores the position (pwrite(2), Linux), as §6.3 wants.
        const { bytesWritten } = await h.fh.write(a.data, done, n - done, a.offset + done);
        if (bytesWritten === 0) throw new SftpError(FX.FAILURE, TEXT.noSpace);
        done += bytesWritten;
      }
    } catch (error) {
      ctx.quota.add(-growth);
      if (growth > 0 && f.size === end) f.size = sizeBefore;
      h.failed = true;
      throw error;
    } finally {
      f.writing--;
    }
    h.bytes += n;
    return OK;
  },
});

export const fstat = define({
  name: 'FSTAT',
  parse: (r) => ({ handle: r.bytes() }),
  async run(ctx, a: { handle: Buffer }) {
    const h = ctx.handles.lookup(a.handle);
    if (!h) throw new SftpError(FX.FAILURE, TEXT.noSuchHandle);
    const st = h.kind === 'file' ? await h.fh.stat() : await stat(h.real);
    return { kind: 'attrs', attrs: statAttrs(st) };
  },
});

export const fsetstat = define({
  name: 'FSETSTAT',
  parse: (r) => ({ handle: r.bytes(), attrs: r.attrs() }),
  async run(ctx, a: { handle: Buffer; attrs: Attrs }) {
    const h = ctx.handles.lookup(a.handle);
    if (!h) throw new SftpError(FX.FAILURE, TEXT.noSuchHandle);
    if (h.kind === 'dir') await applyAttrsAt(ctx, h.real, a.attrs);
    else await applyAttrs(ctx, { kind: 'handle', fh: h.fh }, a.attrs);
    return OK;
  },
});
