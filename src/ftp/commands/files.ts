// RFC 959 §4.1.1 and §4.1.3 file-system commands: CWD, CDUP, PWD, MKD, RMD, DELE,
// RNFR/RNTO, SMNT; RFC 3659 SIZE and MDTM. Every path goes through the home jail.

import { mkdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { mdtm } from '../listing.ts';
import { FtpError, quotePath, Reply, Text } from '../replies.ts';
import type { FtpSession } from '../session.ts';
import { requireArgument, requireDirectory, requireFile, requireWritable, resolvePath, statOrNull } from './helpers.ts';
import type { Command } from './types.ts';

async function changeDirectory(session: FtpSession, path: string): Promise<void> {
  const target = await resolvePath(session, path);
  await requireDirectory(target.real);
  session.cwd = target.virtual;
  session.reply(Reply.fileActionOk, 'Directory successfully changed.');
}

export const cwd: Command = {
  needsLogin: true,
  run: (session, argument) => changeDirectory(session, argument === '' ? '/' : argument),
};

export const cdup: Command = {
  needsLogin: true,
  run: (session) => changeDirectory(session, '..'),
};

export const pwd: Command = {
  needsLogin: true,
  run(session) {
    session.reply(Reply.created, `${quotePath(session.cwd)} is the current directory`);
  },
};

export const mkd: Command = {
  needsLogin: true,
  async run(session, argument) {
    requireWritable(session);
    const target = await resolvePath(session, requireArgument(argument, 'MKD path'));
    await mkdir(target.real, { mode: 0o700 });
    session.reply(Reply.created, `${quotePath(target.virtual)} created`);
  },
};

export const rmd: Command = {
  needsLogin: true,
  async run(session, argument) {
    requireWritable(session);
    const target = await resolvePath(session, requireArgument(argument, 'RMD path'));
    if (target.virtual === '/') throw new FtpError(Reply.fileNotFound, Text.permissionDenied);
    await rmdir(target.real);
    session.reply(Reply.fileActionOk, 'Remove directory operation successful.');
  },
};

export const dele: Command = {
  needsLogin: true,
  async run(session, argument) {
    requireWritable(session);
    const target = await resolvePath(session, requireArgument(argument, 'DELE path'));
    const s = await requireFile(target.real);
    await unlink(target.real);
    session.user.quota.add(-s.size);
    session.reply(Reply.fileActionOk, 'Delete operation successful.');
  },
};

export const rnfr: Command = {
  needsLogin: true,
  async run(session, argument) {
    requireWritable(session);
    const source = await resolvePath(session, requireArgument(argument, 'RNFR path'));
    if (source.virtual === '/' || !(await statOrNull(source.real))) throw new FtpError(Reply.fileNotFound, Text.noSuchFile);
    session.renameFrom = source;
    session.reply(Reply.pendingFurtherInfo, 'Ready for RNTO.');
  },
};

export const rnto: Command = {
  needsLogin: true,
  async run(session, argument) {
    const source = session.renameFrom;
    session.renameFrom = null;
    if (!source) throw new FtpError(Reply.badSequence, Text.badSequenceRename);
    requireWritable(session);
    const target = await resolvePath(session, requireArgument(argument, 'RNTO path'));
    if (target.virtual === '/') throw new FtpError(Reply.nameNotAllowed, Text.permissionDenied);
    await rename(source.real, target.real);
    session.reply(Reply.fileActionOk, 'Rename successful.');
  },
};

export const smnt: Command = {
  needsLogin: true,
  run() {
    throw new FtpError(Reply.notImplemented, 'SMNT is not implemented: there is one file system per user.');
  },
};

export const size: Command = {
  needsLogin: true,
  async run(session, argument) {
    const target = await resolvePath(session, requireArgument(argument, 'SIZE path'));
    const s = await requireFile(target.real);
    // RFC 3659 §4: the stored size (exact for TYPE I; Septet does not pre-scan text).
    session.reply(Reply.fileStatus, String(s.size));
  },
};

export const mdtmCommand: Command = {
  needsLogin: true,
  async run(session, argument) {
    const target = await resolvePath(session, requireArgument(argument, 'MDTM path'));
    const s = await stat(target.real);
    if (!s.isFile()) throw new FtpError(Reply.fileNotFound, 'Not a plain file.');
    session.reply(Reply.fileStatus, mdtm(s.mtime));
  },
};
