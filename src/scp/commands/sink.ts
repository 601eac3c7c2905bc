// `scp -t TARGET`: we are the sink and receive what the client's source sends
// (scp.c's sink()). Every file is written through the home jail, streamed to disk as
// it arrives, and acknowledged only once it is fully written (and fsynced with
// ftp.fsync); a name in a record is one path component (wire.ts refuses the rest:
// CVE-2019-6111), so nothing lands outside the folder the client named.

import { constants } from 'node:fs';
import { lstat, mkdir, open, stat, chmod, utimes, type FileHandle } from 'node:fs/promises';
import { QuotaExceededError } from '../../files/limits.ts';
import { failureMessage, ScpFailure } from '../dispatch.ts';
import { scpReplies } from '../replies.ts';
import { PeerGoneError, type ScpSession } from '../session.ts';
import { SCP_LIMITS, ScpProtocolError } from '../wire.ts';
import { fileMode, folderMode } from '../../files/modes.ts';
import { childPath, homePath } from './paths.ts';

interface Times {
  mtime: number;
  atime: number;
}

export async function runSink(session: ScpSession): Promise<void> {
  const given = session.command.paths[0]!;
  const target = await session.area.jail.resolve('/', homePath(given));
  const st = await stat(target.real).catch(() => null);
  const isDir = st?.isDirectory() ?? false;
  // scp.c verifydir(): with -d (several sources) the target must be a directory.
  if (session.command.targetIsDirectory && !isDir) throw new ScpFailure(st ? scpReplies.notDirectory(given) : scpReplies.noSuchFile(given), true);
  session.state = { name: 'receiving', target: target.virtual };
  await session.ack();
  await receiveInto(session, { virtual: target.virtual, shown: given }, isDir, 0);
}

/** A place in the home: its virtual path and the path as the client named it (for messages). */
interface Place {
  virtual: string;
  shown: string;
}

const child = (folder: Place, name: string): Place => ({ virtual: childPath(folder.virtual, name), shown: folder.shown === '' ? name : `${folder.shown.replace(/\/+$/, '')}/${name}` });

/** Reads records until E (or the end of input at the top level) into `folder`. */
async function receiveInto(session: ScpSession, folder: Place, folderIsDir: boolean, depth: number): Promise<void> {
  let times: Times | null = null;
  for (;;) {
    const record = await session.readRecord();
    if (record === null) {
      if (depth === 0) return;
      throw new PeerGoneError();
    }
    switch (record.kind) {
      case 'status':
        // The source could not read something: it tells us and goes on (0x01) or stops (0x02).
        session.errors++;
        if (record.fatal) throw new PeerGoneError();
        session.peer.log.info({ message: record.message }, "scp source reported a failure");
        break;
      case 'end':
        await session.ack();
        return;
      case 'times':
        times = { mtime: record.mtime, atime: record.atime };
        await session.ack();
        break;
      case 'dir': {
        if (!session.command.recursive) throw new ScpProtocolError('received directory without -r');
        const path = folderIsDir ? child(folder, record.name) : folder;
        if (depth + 1 > SCP_LIMITS.maxDepth) throw new ScpProtocolError('directories nested too deeply');
        const made = await makeFolder(session, path, record.mode);
        const pending = times;
        times = null;
        if (!made) break; // the source skips the folder's contents after our warning
        await session.ack();
        await receiveInto(session, path, true, depth + 1);
        await finishFolder(session, made, record.mode, pending);
        break;
      }
      case 'file': {
        const path = folderIsDir ? child(folder, record.name) : folder;
        await receiveFile(session, path, record.size, record.mode, times);
        times = null;
        break;
      }
    }
  }
}

/** Creates (or reuses) a folder; its real path, or null after a warning. */
async function makeFolder(session: ScpSession, place: Place, mode: number): Promise<string | null> {
  try {
    const resolved = await session.area.jail.resolve('/', place.virtual);
    const st = await stat(resolved.real).catch(() => null);
    if (st && !st.isDirectory()) throw new ScpFailure(scpReplies.notDirectory(place.shown));
    // 0700 at least while we fill it, whatever the source's mode says.
    if (!st) await mkdir(resolved.real, { mode: folderMode(mode) });
    return resolved.real;
  } catch (error) {
    await session.warn(failureMessage(error, place.shown));
    return null;
  }
}

async function finishFolder(session: ScpSession, real: string, mode: number, times: Times | null): Promise<void> {
  try {
    if (session.command.preserveTimes) await chmod(real, folderMode(mode));
    if (times) await utimes(real, times.atime, times.mtime);
  } catch (error) {
    await session.warn(failureMessage(error, session.area.jail.virtualOf(real)));
  }
}

async function receiveFile(session: ScpSession, place: Place, size: number, mode: number, times: Times | null): Promise<void> {
  const started = Date.now();
  const { jail, quota } = session.area;
  const path = place.virtual;
  const shown = place.shown;
  let handle: FileHandle;
  try {
    const lexical = await jail.resolve('/', path);
    const existing = await lstat(lexical.real).catch(() => null);
    // An existing name (a symlink too) is opened at its real place, which the jail checked.
    const real = existing ? (await jail.resolveExisting('/', path)).real : lexical.real;
    const st = existing ? await stat(real) : null;
    if (st?.isDirectory()) throw new ScpFailure(scpReplies.isDirectory(shown));
    if (st && !st.isFile()) throw new ScpFailure(scpReplies.notRegular(shown));
    const growth = size - (st?.size ?? 0);
    if (growth > quota.remaining) throw new QuotaExceededError();
    handle = await open(real, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, fileMode(mode));
    try {
      quota.add(growth);
    } catch (error) {
      await handle.close();
      throw error;
    }
  } catch (error) {
    // Instead of the ack: the source does not send the data (scp.c source(): response() < 0).
    await session.warn(failureMessage(error, shown));
    return;
  }
  await session.ack();
  let written = 0;
  let writeError: unknown = null;
  let complete = false;
  try {
    complete = await session.reader.pipeExact(size, async (chunk) => {
      if (writeError) return; // keep reading to stay in step with the source
      try {
        await handle.write(chunk, 0, chunk.length, written);
        written += chunk.length;
      } catch (error) {
        writeError = error;
      }
    });
  } finally {
    if (!complete) {
      await handle.close().catch(() => {});
      record(session, path, written, started, 'aborted');
    }
  }
  if (!complete) throw new PeerGoneError();
  // The source's own status after the data: 0x00, or a message when its read failed.
  const sourceStatus = await session.readStatus();
  try {
    await handle.truncate(size);
    if (session.command.preserveTimes) await handle.chmod(fileMode(mode));
    if (times) await handle.utimes(times.atime, times.mtime);
    if (session.options.fsync) await handle.sync();
  } catch (error) {
    writeError ??= error;
  }
  await handle.close().catch((error: unknown) => {
    writeError ??= error;
  });
  if (writeError) {
    record(session, path, written, started, 'failed');
    await session.warn(failureMessage(writeError, shown));
    return;
  }
  record(session, path, written, started, sourceStatus.ok ? 'ok' : 'failed');
  if (!sourceStatus.ok && sourceStatus.fatal) throw new PeerGoneError();
  if (!sourceStatus.ok) session.peer.log.info({ message: sourceStatus.message }, "scp source reported a failure");
  await session.ack();
}

function record(session: ScpSession, path: string, bytes: number, started: number, result: 'ok' | 'aborted' | 'failed'): void {
  session.transfers.record({
    service: 'scp',
    user: session.peer.account.address,
    remote: session.peer.remoteAddress,
    direction: 'upload',
    path,
    bytes,
    durationMs: Date.now() - started,
    result,
  });
}
