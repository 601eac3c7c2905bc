// RFC 959 §4.1.3 transfer commands: RETR, STOR, STOU, APPE, REST, ALLO, ABOR.

import { randomBytes } from 'node:crypto';
import { truncate, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { BandwidthLimiter } from '../../files/limits.ts';
import type { ResolvedPath } from '../../files/jail.ts';
import { receiveFile, sendFile } from '../file-transfer.ts';
import { FtpError, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { startTransfer } from '../transfer-runner.ts';
import { requireArgument, requireFile, requireWritable, resolvePath, statOrNull } from './helpers.ts';
import type { Command } from './types.ts';

function limiter(session: FtpSession): BandwidthLimiter | null {
  return session.ftpConfig.max_rate > 0 ? new BandwidthLimiter(session.ftpConfig.max_rate) : null;
}

function modeWords(session: FtpSession): string {
  const t = session.params.type;
  return t === 'A' ? 'ASCII' : t === 'E' ? 'EBCDIC' : 'BINARY';
}

export const retr: Command = {
  needsLogin: true,
  async run(session, argument) {
    const target = await resolvePath(session, requireArgument(argument, 'RETR path'));
    const s = await requireFile(target.real);
    const start = session.restartOffset;
    if (start > s.size) {
      session.restartOffset = 0;
      throw new FtpError(554, `Restart offset ${start} is past the end of the file.`);
    }
    if (!session.dataSetup) throw new FtpError(Reply.cantOpenData, Text.useDataFirst);
    const params = { ...session.params };
    startTransfer(session, {
      direction: 'download',
      path: target.virtual,
      opening: `Opening ${modeWords(session)} mode data connection for ${posix.basename(target.virtual)} (${s.size} bytes).`,
      run: (socket, progress, signal) =>
        sendFile({ path: target.real, start, params, socket, progress, signal, markerInterval: session.ftpConfig.marker_interval, limiter: limiter(session) }),
    });
  },
};

type UploadKind = 'store' | 'append' | 'unique';

async function upload(session: FtpSession, target: ResolvedPath, kind: UploadKind, shownName: string): Promise<void> {
  requireWritable(session);
  const existing = await statOrNull(target.real);
  if (existing && !existing.isFile()) throw new FtpError(Reply.fileNotFound, 'Not a plain file.');
  if (!session.dataSetup) throw new FtpError(Reply.cantOpenData, Text.useDataFirst);
  const offset = session.restartOffset;
  const originalSize = existing?.size ?? 0;
  let flags: 'w' | 'a' | 'r+' | 'wx';
  let start = 0;
  if (kind === 'unique') flags = 'wx';
  else if (kind === 'append') flags = 'a';
  else if (offset > 0 && existing) {
    // REST + STOR (RFC 3659 §5.5): continue at the offset, the rest of the file replaced.
    if (offset > originalSize) throw new FtpError(554, `Restart offset ${offset} is past the end of the file.`);
    flags = 'r+';
    start = offset;
  } else flags = 'w';
  const quota = session.user.quota;
  // What the upload replaces no longer counts against the quota.
  const freed = flags === 'w' ? originalSize : flags === 'r+' ? originalSize - start : 0;
  const params = { ...session.params };
  const keptBefore = flags === 'a' ? originalSize : start;
  startTransfer(session, {
    direction: 'upload',
    path: target.virtual,
    opening: kind === 'unique' ? `FILE: ${shownName}` : `Ok to send data (${modeWords(session)}).`,
    run: async (socket, progress, signal) => {
      quota.add(-freed);
      await receiveFile({
        path: target.real,
        flags,
        start,
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
    onFailure: async (progress) => {
      if (session.ftpConfig.partial_uploads !== 'delete') return;
      // Never leave a silently truncated file: remove what this upload wrote.
      quota.add(-progress.bytes);
      if (flags === 'w' || flags === 'wx') await unlink(target.real).catch(() => {});
      else await truncate(target.real, keptBefore).catch(() => {});
    },
  });
}

export const stor: Command = {
  needsLogin: true,
  async run(session, argument) {
    const target = await resolvePath(session, requireArgument(argument, 'STOR path'));
    await upload(session, target, 'store', target.virtual);
  },
};

export const appe: Command = {
  needsLogin: true,
  async run(session, argument) {
    const target = await resolvePath(session, requireArgument(argument, 'APPE path'));
    await upload(session, target, 'append', target.virtual);
  },
};

export const stou: Command = {
  needsLogin: true,
  async run(session, argument) {
    // RFC 1123 §4.1.2.9: the name chosen is returned in the 150 reply ("FILE: name").
    const base = argument.trim() === '' ? 'file' : posix.basename(argument.trim());
    for (let attempt = 0; attempt < 20; attempt++) {
      const name = `${base}.${randomBytes(4).toString('hex')}`;
      const target = await resolvePath(session, name);
      if (await statOrNull(target.real)) continue;
      await upload(session, target, 'unique', name);
      return;
    }
    throw new FtpError(Reply.fileUnavailable, 'Could not find a unique name.');
  },
};

export const rest: Command = {
  needsLogin: true,
  run(session, argument) {
    // In stream mode an octet offset (RFC 3659 §5); in block and compressed modes a
    // marker Septet sent, which is also the stored offset (RFC 959 §3.5).
    const marker = argument.trim();
    if (!/^\d{1,15}$/.test(marker)) throw new FtpError(Reply.badArguments, 'Syntax: REST offset');
    session.restartOffset = Number(marker);
    session.reply(Reply.pendingFurtherInfo, `Restarting at ${marker}. Send STORE or RETRIEVE to initiate transfer.`);
  },
};

export const allo: Command = {
  needsLogin: true,
  run(session, argument) {
    const m = /^\s*(\d+)(?:\s+R\s+(\d+))?\s*$/i.exec(argument);
    if (!m) throw new FtpError(Reply.badArguments, 'Syntax: ALLO size [R record-size]');
    const quota = session.user.quota;
    if (quota.limit === null) return session.reply(Reply.superfluous, 'ALLO not needed: no quota.');
    if (Number(m[1]) > quota.remaining) throw new FtpError(Reply.quotaExceeded, Text.quota);
    session.reply(Reply.ok, `ALLO ok: ${quota.remaining} octets available.`);
  },
};

export const abor: Command = {
  needsLogin: true,
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
};
