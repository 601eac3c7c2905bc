// RFC 959 §4.1.3 transfer commands: RETR, STOR, STOU, APPE, REST, ALLO, ABOR.

import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { truncate, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { BandwidthLimiter } from '../../files/limits.ts';
import type { ResolvedPath } from '../../files/jail.ts';
import { receiveFile, sendFile, type Progress } from '../file-transfer.ts';
import { FtpError, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { startTransfer } from '../transfer-runner.ts';
import { required, requireFile, requireWritable, resolvePath, statOrNull } from './helpers.ts';
import { command, LOGGED_IN, noArgument } from './types.ts';

function limiter(session: FtpSession): BandwidthLimiter | null {
  return session.ftpConfig.max_rate > 0 ? new BandwidthLimiter(session.ftpConfig.max_rate) : null;
}

function modeWords(session: FtpSession): string {
  const t = session.params.type;
  return t === 'A' ? 'ASCII' : t === 'E' ? 'EBCDIC' : 'BINARY';
}

function requireDataSetup(session: FtpSession): void {
  if (!session.dataSetup) throw new FtpError(Reply.cantOpenData, Text.useDataFirst);
}

export const retr = command({
  states: LOGGED_IN,
  parse: required('RETR path'),
  async run(session, path) {
    const target = await resolvePath(session, path);
    const s = await requireFile(target.real);
    const start = session.restartOffset;
    if (start > s.size) {
      session.restartOffset = 0;
      throw new FtpError(Reply.restartPastEnd, Text.restartPastEnd(start));
    }
    requireDataSetup(session);
    const params = { ...session.params };
    startTransfer(session, {
      direction: 'download',
      path: target.virtual,
      opening: `Opening ${modeWords(session)} mode data connection for ${posix.basename(target.virtual)} (${s.size} bytes).`,
      run: (socket, progress, signal) =>
        sendFile({ path: target.real, start, params, socket, progress, signal, markerInterval: session.ftpConfig.marker_interval, limiter: limiter(session) }),
    });
  },
});

type UploadKind = 'store' | 'append' | 'unique';

/** How an upload opens the stored file, and what of it stays. */
interface UploadPlan {
  flags: 'w' | 'a' | 'r+' | 'wx';
  /** Where writing starts (REST + STOR). */
  start: number;
  /** Octets of the old file the upload replaces: they no longer count against the quota. */
  freed: number;
  /** Octets of the old file kept before what this upload writes (for partial_uploads = delete). */
  keptBefore: number;
}

function planUpload(kind: UploadKind, existing: Stats | null, offset: number): UploadPlan {
  const originalSize = existing?.size ?? 0;
  if (kind === 'unique') return { flags: 'wx', start: 0, freed: 0, keptBefore: 0 };
  if (kind === 'append') return { flags: 'a', start: 0, freed: 0, keptBefore: originalSize };
  if (offset > 0 && existing) {
    // REST + STOR (RFC 3659 §5.5): continue at the offset, the rest of the file replaced.
    if (offset > originalSize) throw new FtpError(Reply.restartPastEnd, Text.restartPastEnd(offset));
    return { flags: 'r+', start: offset, freed: originalSize - offset, keptBefore: offset };
  }
  return { flags: 'w', start: 0, freed: originalSize, keptBefore: 0 };
}

async function upload(session: FtpSession, target: ResolvedPath, kind: UploadKind, shownName: string): Promise<void> {
  requireWritable(session);
  const existing = await statOrNull(target.real);
  if (existing && !existing.isFile()) throw new FtpError(Reply.fileNotFound, Text.notPlainFile);
  requireDataSetup(session);
  const plan = planUpload(kind, existing, session.restartOffset);
  const quota = session.user.quota;
  const params = { ...session.params };
  startTransfer(session, {
    direction: 'upload',
    path: target.virtual,
    opening: kind === 'unique' ? `FILE: ${shownName}` : `Ok to send data (${modeWords(session)}).`,
    run: async (socket, progress, signal) => {
      quota.add(-plan.freed);
      await receiveFile({
        path: target.real,
        flags: plan.flags,
        start: plan.start,
        params,
        socket,
        progress,
        signal,
        quota,
        limiter: limiter(session),
        fsync: session.ftpConfig.fsync,
        // RFC 959 §3.5 / §4.2: "110 MARK yyyy = mmmm", the user's marker and ours.
        onMark: (marker, at) => session.reply(Reply.restartMarker, `MARK ${marker} = ${at}`),
      });
    },
    onFailure: (progress) => removePartialUpload(session, target, plan, progress),
  });
}

/** partial_uploads = delete: never leave a silently truncated file; remove what this upload wrote. */
async function removePartialUpload(session: FtpSession, target: ResolvedPath, plan: UploadPlan, progress: Progress): Promise<void> {
  if (session.ftpConfig.partial_uploads !== 'delete') return;
  session.user.quota.add(-progress.bytes);
  if (plan.flags === 'w' || plan.flags === 'wx') await unlink(target.real).catch(() => {});
  else await truncate(target.real, plan.keptBefore).catch(() => {});
}

export const stor = command({
  states: LOGGED_IN,
  parse: required('STOR path'),
  async run(session, path) {
    const target = await resolvePath(session, path);
    await upload(session, target, 'store', target.virtual);
  },
});

export const appe = command({
  states: LOGGED_IN,
  parse: required('APPE path'),
  async run(session, path) {
    const target = await resolvePath(session, path);
    await upload(session, target, 'append', target.virtual);
  },
});

export const stou = command({
  states: LOGGED_IN,
  // The name asked for is only a base: a random suffix makes it unique.
  parse: (argument) => (argument.trim() === '' ? 'file' : posix.basename(argument.trim())),
  async run(session, base) {
    // RFC 1123 §4.1.2.9: the name chosen is returned in the 150 reply ("FILE: name").
    for (let attempt = 0; attempt < 20; attempt++) {
      const name = `${base}.${randomBytes(4).toString('hex')}`;
      const target = await resolvePath(session, name);
      if (await statOrNull(target.real)) continue;
      await upload(session, target, 'unique', name);
      return;
    }
    throw new FtpError(Reply.fileUnavailable, Text.noUniqueName);
  },
});

export const rest = command({
  states: LOGGED_IN,
  // In stream mode an octet offset (RFC 3659 §5); in block and compressed modes a
  // marker Septet sent, which is also the stored offset (RFC 959 §3.5).
  parse(argument): number {
    const marker = argument.trim();
    if (!/^\d{1,15}$/.test(marker)) throw new FtpError(Reply.badArguments, 'Syntax: REST offset');
    return Number(marker);
  },
  run(session, offset) {
    session.restartOffset = offset;
    session.reply(Reply.pendingFurtherInfo, `Restarting at ${offset}. Send STORE or RETRIEVE to initiate transfer.`);
  },
});

export const allo = command({
  states: LOGGED_IN,
  /** RFC 959 §4.1.3: ALLO size [R record-size]; the size is what matters here. */
  parse(argument): number {
    const m = /^\s*(\d+)(?:\s+R\s+(\d+))?\s*$/i.exec(argument);
    if (!m) throw new FtpError(Reply.badArguments, 'Syntax: ALLO size [R record-size]');
    return Number(m[1]);
  },
  run(session, size) {
    const quota = session.user.quota;
    if (quota.limit === null) return session.reply(Reply.superfluous, Text.alloNotNeeded);
    if (size > quota.remaining) throw new FtpError(Reply.quotaExceeded, Text.quota);
    session.reply(Reply.ok, `ALLO ok: ${quota.remaining} octets available.`);
  },
});

export const abor = command({
  states: LOGGED_IN,
  parse: noArgument,
  async run(session) {
    const t = session.transfer;
    if (!t) {
      // RFC 959 §4.1.3: no transfer; a prepared data connection is closed.
      session.closeDataSetup();
      session.reply(Reply.dataOpenNoTransfer, Text.noTransfer);
      return;
    }
    t.abortedByClient = true;
    t.controller.abort();
    await t.done.catch(() => {});
    // The transfer said 426; RFC 959 §4.1.3: then 226 for the ABOR itself.
    session.reply(Reply.closingData, Text.abortOk);
  },
});
