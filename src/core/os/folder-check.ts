// After the privilege drop, before "ready": can the service user really work in
// every folder Septet uses? Started as root with a data directory under a parent
// the service user cannot pass (0700 root, say), the store's already-open database
// still works but every new message body fails: better to stop at once, naming
// the folder and the fix, than to answer 451 to every message.

import { randomBytes } from 'node:crypto';
import { access, constants, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** sysexits.h EX_CANTCREAT: "a (user specified) output file cannot be created". */
export const EX_CANTCREAT = 73;

export class FolderAccessError extends Error {
  readonly exitCode = EX_CANTCREAT;
  readonly folder: string;
  constructor(folder: string, message: string) {
    super(message);
    this.name = 'FolderAccessError';
    this.folder = folder;
  }
}

export interface FolderUse {
  path: string;
  /** 'write': files are created, fsynced and renamed there; 'read': only read. */
  need: 'write' | 'read';
  /** What the folder is, for the message: "data directory", "TFTP root". */
  what: string;
}

/**
 * Checks each folder as the current user: a write folder gets a probe file that is
 * written, fsynced, renamed and removed (the steps a message body takes, see
 * blob-files.ts), and the folder is fsynced; a read folder must be listable and
 * enterable. Throws FolderAccessError for the first that fails.
 */
export async function checkFolders(folders: readonly FolderUse[], userName: string): Promise<void> {
  for (const folder of folders) {
    try {
      if (folder.need === 'write') await probeWrite(folder.path);
      else await access(folder.path, constants.R_OK | constants.X_OK);
    } catch (error) {
      throw await explain(folder, error as NodeJS.ErrnoException, userName);
    }
  }
}

/** Cheap check for many sibling folders of one kind (the 256 blob fan-out folders). */
export async function checkWritableFolders(paths: readonly string[], what: string, userName: string): Promise<void> {
  for (const path of paths) {
    try {
      await access(path, constants.W_OK | constants.X_OK);
    } catch (error) {
      throw await explain({ path, need: 'write', what }, error as NodeJS.ErrnoException, userName);
    }
  }
}

async function probeWrite(folder: string): Promise<void> {
  const base = `${folder}/.septet-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(`${base}.tmp`, 'wx', 0o600);
  try {
    await handle.writeFile('probe\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(`${base}.tmp`, base);
  } catch (error) {
    await unlink(`${base}.tmp`).catch(() => {});
    throw error;
  }
  await unlink(base);
  const dir = await open(folder, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** The error for a folder that cannot be used, with the likely fix. */
export async function explain(folder: FolderUse, error: NodeJS.ErrnoException, userName: string): Promise<FolderAccessError> {
  const verb = folder.need === 'write' ? 'create, write and rename files in' : 'read';
  const head = `${userName} cannot ${verb} the ${folder.what} ${folder.path} (${error.code ?? error.message})`;
  if (error.code === 'ENOENT') return new FolderAccessError(folder.path, `${head}: it does not exist; create it, owned by ${userName}`);
  if (error.code === 'EROFS') return new FolderAccessError(folder.path, `${head}: the file system is read-only`);
  if (error.code === 'ENOSPC' || error.code === 'EDQUOT') return new FolderAccessError(folder.path, `${head}: no space left`);
  // A parent the user cannot pass through is the usual cause: name it.
  const blocker = await firstClosedParent(folder.path);
  if (blocker) {
    const info = await stat(blocker.path).catch(() => null);
    const mode = info ? ` (mode ${(info.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${info.uid})` : '';
    return new FolderAccessError(
      folder.path,
      `${head}: ${userName} cannot pass through ${blocker.path}${mode}; allow it (chmod o+x ${blocker.path}) or move the data directory (data = ... in the configuration, or --data)`,
    );
  }
  return new FolderAccessError(folder.path, `${head}: make it ${userName}'s (chown -R ${userName} ${folder.path}; chmod 0700 ${folder.path})`);
}

/** The highest parent of `path` the current user may not enter (search permission). */
async function firstClosedParent(path: string): Promise<{ path: string } | null> {
  const parents: string[] = [];
  for (let p = dirname(path); ; p = dirname(p)) {
    parents.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of parents) {
    const ok = await access(p, constants.X_OK).then(() => true, () => false);
    if (!ok) return { path: p };
  }
  return null;
}
