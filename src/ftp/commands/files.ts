// RFC 959 §4.1.1 and §4.1.3 file-system commands: CWD, CDUP, PWD, MKD, RMD, DELE,
// RNFR/RNTO, SMNT; RFC 3659 SIZE and MDTM. Every path goes through the home jail.

import { mkdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { mdtm } from '../listing.ts';
import { FtpError, quotePath, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { required, requireDirectory, requireFile, requireWritable, resolvePath, statOrNull } from './helpers.ts';
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

export const mdtmCommand = command({
  states: LOGGED_IN,
  parse: required('MDTM path'),
  async run(session, path) {
    const target = await resolvePath(session, path);
    const s = await stat(target.real);
    if (!s.isFile()) throw new FtpError(Reply.fileNotFound, Text.notPlainFile);
    session.reply(Reply.fileStatus, mdtm(s.mtime));
  },
});
