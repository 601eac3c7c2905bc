// The command table: request type (draft-ietf-secsh-filexfer-02 §3) → { parse, run }.
// SSH_FXP_EXTENDED looks its request name up in `extensions` (src/sftp/commands/extensions.ts).

import { FXP } from '../wire.ts';
import { close, fsetstat, fstat, openFile, read, write } from './files.ts';
import { lstatPath, makeDir, realpath, remove, removeDir, rename, setstat, statPath } from './paths.ts';
import { openDir, readDir } from './dirs.ts';
import { readlink, symlink } from './links.ts';
import type { AnyCommand } from './types.ts';

export const commands: Partial<Record<number, AnyCommand>> = {
  [FXP.OPEN]: openFile,
  [FXP.CLOSE]: close,
  [FXP.READ]: read,
  [FXP.WRITE]: write,
  [FXP.LSTAT]: lstatPath,
  [FXP.FSTAT]: fstat,
  [FXP.SETSTAT]: setstat,
  [FXP.FSETSTAT]: fsetstat,
  [FXP.OPENDIR]: openDir,
  [FXP.READDIR]: readDir,
  [FXP.REMOVE]: remove,
  [FXP.MKDIR]: makeDir,
  [FXP.RMDIR]: removeDir,
  [FXP.REALPATH]: realpath,
  [FXP.STAT]: statPath,
  [FXP.RENAME]: rename,
  [FXP.READLINK]: readlink,
  [FXP.SYMLINK]: symlink,
};

export { extensions, ADVERTISED } from './extensions.ts';
