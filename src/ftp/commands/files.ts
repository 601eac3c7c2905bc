// RFC 959 §4.1.1 and §4.1.3 file-system commands: CWD, CDUP, PWD, MKD, RMD, DELE,
// RNFR/RNTO, SMNT; RFC 3659 SIZE and MDTM; MFMT (draft-somers-ftp-mfxx) and MDTM with a
// time argument, so mirror tools keep the source's modification times. Every path goes
// through the home jail.

import { mkdir, rename, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { mdtm, parseTimeVal } from '../listing.ts';
import { FtpError, quotePath, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { required, requireArgument, requireDirectory, requireFile, requireWritable, resolvePath, statOrNull } from './helpers.ts';
import { asIs, command, LOGGED_IN, noArgument } from './types.ts';

async function changeDirectory(session: FtpSession, path: string): Promise<void> {
  const target = await resolvePath(session, path);
  await requireDirectory(target.real);
  session.cwd = target.virtual;
  session.reply(Reply.fileActionOk, Text.directoryChanged);
}

export const cwd = command({
  states: LOGGED_IN,
  parse: (argument) => (argument === '' ? '/' : argument),
  run: changeDirectory,
});

export const cdup = command({
  states: LOGGED_IN,
  parse: noArgument,
  run: (session) => changeDirectory(session, '..'),
});

export const pwd = command({
  states: LOGGED_IN,
  parse: noArgument,
  run(session) {
    session.reply(Reply.created, `${quotePath(session.cwd)} is the current directory`);
  },
});

export const mkd = command({
  states: LOGGED_IN,
  parse: required('MKD path'),
  async run(session, path) {
    requireWritable(session);
    const target = await resolvePath(session, path);
    await mkdir(target.real, { mode: 0o700 });
    session.reply(Reply.created, `${quotePath(target.virtual)} created`);
  },
});

export const rmd = command({
  states: LOGGED_IN,
  parse: required('RMD path'),
  async run(session, path) {
    requireWritable(session);
    const target = await resolvePath(session, path);
    if (target.virtual === '/') throw new FtpError(Reply.fileNotFound, Text.permissionDenied);
    await rmdir(target.real);
    session.reply(Reply.fileActionOk, Text.directoryRemoved);
  },
});

export const dele = command({
  states: LOGGED_IN,
  parse: required('DELE path'),
  async run(session, path) {
    requireWritable(session);
    const target = await resolvePath(session, path);
    const s = await requireFile(target.real);
    await unlink(target.real);
    session.user.quota.add(-s.size);
    session.reply(Reply.fileActionOk, Text.deleted);
  },
});

export const rnfr = command({
  states: LOGGED_IN,
  parse: required('RNFR path'),
  async run(session, path) {
    requireWritable(session);
    const source = await resolvePath(session, path);
    if (source.virtual === '/' || !(await statOrNull(source.real))) throw new FtpError(Reply.fileNotFound, Text.noSuchFile);
    session.renameFrom = source;
    session.reply(Reply.pendingFurtherInfo, Text.readyForRnto);
  },
});

export const rnto = command({
  states: LOGGED_IN,
  parse: required('RNTO path'),
  async run(session, path) {
    const source = session.renameFrom;
    session.renameFrom = null;
    if (!source) throw new FtpError(Reply.badSequence, Text.badSequenceRename);
    requireWritable(session);
    const target = await resolvePath(session, path);
    if (target.virtual === '/') throw new FtpError(Reply.nameNotAllowed, Text.permissionDenied);
    await rename(source.real, target.real);
    session.reply(Reply.fileActionOk, Text.renamed);
  },
});

export const smnt = command({
  states: LOGGED_IN,
  parse: asIs,
  run() {
    throw new FtpError(Reply.notImplemented, Text.smntNotImplemented);
  },
});

export const size = command({
  states: LOGGED_IN,
  parse: required('SIZE path'),
  async run(session, path) {
    const target = await resolvePath(session, path);
    const s = await requireFile(target.real);
    // RFC 3659 §4: the stored size (exact for TYPE I; Septet does not pre-scan text).
    session.reply(Reply.fileStatus, String(s.size));
  },
});

/** "TIME path": a time-val, one space, then the path (which may contain spaces). */
type TimedPath = { time: Date; path: string };

function splitTimedPath(argument: string): TimedPath | null {
  const space = argument.indexOf(' ');
  if (space < 0) return null;
  const time = parseTimeVal(argument.slice(0, space));
  const path = argument.slice(space + 1);
  return time && path !== '' ? { time, path } : null;
}

/** Sets a plain file's modification time (its access time stays). */
async function setModifyTime(session: FtpSession, { time, path }: TimedPath): Promise<string> {
  requireWritable(session);
  const target = await resolvePath(session, path);
  const s = await requireFile(target.real);
  await utimes(target.real, s.atime, time);
  return target.virtual;
}

export const mdtmCommand = command({
  states: LOGGED_IN,
  // RFC 3659 §3 reads the modification time. With a leading time-val and a path (what
  // lftp and ncftpput send, as vsftpd's mdtm_write and ProFTPD accept) it sets it.
  parse: (argument: string): { path: string } | TimedPath => splitTimedPath(requireArgument(argument, 'MDTM [YYYYMMDDHHMMSS] path')) ?? { path: argument },
  async run(session, parsed) {
    if ('time' in parsed) {
      await setModifyTime(session, parsed);
      session.reply(Reply.fileStatus, `Modify=${mdtm(parsed.time)}; ${parsed.path}`);
      return;
    }
    const target = await resolvePath(session, parsed.path);
    const s = await stat(target.real);
    if (!s.isFile()) throw new FtpError(Reply.fileNotFound, Text.notPlainFile);
    session.reply(Reply.fileStatus, mdtm(s.mtime));
  },
});

/** draft-somers-ftp-mfxx §3: MFMT YYYYMMDDHHMMSS path → "213 Modify=YYYYMMDDHHMMSS; path". */
export const mfmt = command({
  states: LOGGED_IN,
  parse(argument: string): TimedPath {
    const timed = splitTimedPath(argument);
    if (!timed) throw new FtpError(Reply.badArguments, 'Syntax: MFMT YYYYMMDDHHMMSS path');
    return timed;
  },
  async run(session, timed) {
    await setModifyTime(session, timed);
    session.reply(Reply.fileStatus, `Modify=${mdtm(timed.time)}; ${timed.path}`);
  },
});
