// files [PATH] (ls), quota: the user's home folder, the one FTP, SFTP and SCP serve,
// seen through the same jail (src/files/jail.ts: no path leaves the home, no symlink
// leads out), and the two quotas that apply to the account.

import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openAccountFiles } from '../../files/file-area.ts';
import { openUserHome } from '../../files/jail.ts';
import { QuotaTracker } from '../../files/limits.ts';
import { failure, replies, usageError } from '../replies.ts';
import { columns, humanBytes, printable } from '../wire.ts';
import { command } from './command.ts';

/** Listing stops here, so one huge folder does not hold the session for long. */
const MAX_ENTRIES = 10_000;

export const files = command({
  name: 'files',
  aliases: ['ls'],
  admin: false,
  usage: 'files [PATH]',
  summary: 'list a folder of your home (shared with FTP and SFTP)',
  parse(args) {
    if (args.length > 1) throw usageError('files [PATH]');
    return args[0] ?? '/';
  },
  async run(ctx, path) {
    // Listing needs the jail only; the quota walk of openAccountFiles is for `quota`.
    const jail = await openUserHome(ctx.deps.dataDir, ctx.account.address);
    let resolved;
    try {
      resolved = await jail.resolveExisting('/', path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw failure(replies.noSuchFile(printable(jail.virtualPath('/', path))));
      throw error;
    }
    const info = await stat(resolved.real);
    if (!info.isDirectory()) {
      await ctx.io.out(...columns([entryRow('-', info.size, info.mtime, printable(resolved.virtual))]));
      return;
    }
    const entries = (await readdir(resolved.real, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const rows: string[][] = [];
    for (const entry of entries.slice(0, MAX_ENTRIES)) {
      const full = join(resolved.real, entry.name);
      const meta = await lstat(full).catch(() => null);
      if (!meta) continue;
      if (meta.isSymbolicLink()) {
        const target = await readlink(full).catch(() => '?');
        rows.push(entryRow('l', meta.size, meta.mtime, `${printable(entry.name)} -> ${printable(target)}`));
      } else rows.push(entryRow(meta.isDirectory() ? 'd' : '-', meta.size, meta.mtime, printable(entry.name) + (meta.isDirectory() ? '/' : '')));
    }
    const more = entries.length > MAX_ENTRIES ? `, the first ${MAX_ENTRIES} shown` : '';
    await ctx.io.out(...columns(rows), `${printable(resolved.virtual)}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}${more}`);
  },
});

function entryRow(type: string, size: number, mtime: Date, name: string): string[] {
  return [type, type === 'd' ? '-' : String(size), mtime.toISOString().slice(0, 16).replace('T', ' '), name];
}

export const quota = command({
  name: 'quota',
  admin: false,
  usage: 'quota',
  summary: 'mail and file storage used, and the limits',
  parse(args) {
    if (args.length > 0) throw usageError('quota', 'no arguments expected');
  },
  async run(ctx) {
    const { store, config, dataDir } = ctx.deps;
    const mail = await store.mailboxes.quota(ctx.account.id);
    const area = await openAccountFiles(dataDir, ctx.account, config.ftp.quota_bytes);
    // Without a file quota the tracker does not walk the home; a tracker with a limit does.
    const used = area.quota.limit === null ? (await QuotaTracker.open(area.jail.root, Number.MAX_SAFE_INTEGER)).usedBytes : area.quota.usedBytes;
    const limit = (n: number | null) => (n === null ? 'no limit' : `of ${humanBytes(n)} (${Math.min(100, Math.round((100 * used) / Math.max(1, n)))}%)`);
    await ctx.io.out(
      `mail:  ${humanBytes(mail.usedBytes)} in ${mail.messages} message${mail.messages === 1 ? '' : 's'}, ${mail.limitBytes === null ? 'no limit' : `of ${humanBytes(mail.limitBytes)} (${Math.min(100, Math.round((100 * mail.usedBytes) / Math.max(1, mail.limitBytes)))}%)`}`,
      `files: ${humanBytes(used)}, ${limit(area.quota.limit)}`,
    );
  },
});
