// The data directory holds password hashes, message bodies, private keys and users'
// files: nobody but its owner (the service user) may read it. Folders are made 0700
// and files 0600 whoever creates them (the CLI or the server), as vsftpd's
// local_umask 077 does for uploads; the modes are given at creation, so a file is
// never readable by others even briefly. The process umask can only remove bits
// from these modes, never add any.
//
// secureTree() repairs what an older version, a copy or an administrator left
// looser, and hands everything to the service user when started as root.

import { chmod, lchown, lstat, mkdir, open, opendir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log/logger.ts';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Group and other bits: any of them makes a path looser than owner-only. */
const GROUP_OTHER = 0o077;
/** Paths logged one per line by secureTree(); beyond them only the count. */
const LOGGED_PATHS = 10;

/**
 * Makes `path` (0700) if it is missing. Missing parents above it are made with the
 * ordinary 0755: they are outside the data directory, and the service user must be
 * able to pass through them.
 */
export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await mkdir(path, { mode: PRIVATE_DIR_MODE }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/** mkdir -p of folders inside the data directory: every folder made is 0700. */
export async function makePrivateDirs(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates an empty 0600 file unless it exists. For files another library creates
 * with looser bits: SQLite makes a new database 0644 (SQLITE_DEFAULT_FILE_PERMISSIONS),
 * but opens an existing one as it is and gives its -wal and -shm the database's mode.
 */
export async function createPrivateFile(path: string): Promise<void> {
  try {
    const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

export interface SecureTreeOptions {
  /** Started as root: every path becomes this user's. */
  owner?: { uid: number; gid: number } | undefined;
  log?: Logger | undefined;
}

export interface SecureTreeResult {
  /** Paths whose mode was tightened. */
  modes: number;
  /** Paths given to the owner. */
  owners: number;
  /** Paths that could not be changed (not ours, say). */
  failed: number;
}

/**
 * Walks the tree under `root` (symbolic links are not followed; only their owner changes):
 * strips group and other bits from every folder and file, and chowns to `owner`.
 * The walk streams each folder through opendir, so memory stays flat however many
 * message bodies there are; only one open folder per level of depth is held.
 */
export async function secureTree(root: string, options: SecureTreeOptions = {}): Promise<SecureTreeResult> {
  const result: SecureTreeResult = { modes: 0, owners: 0, failed: 0 };
  let noted = 0;
  const note = (path: string, change: string) => {
    if (noted++ < LOGGED_PATHS) options.log?.warn({ path }, `data directory: ${change} ${path}`);
  };

  const visit = async (path: string): Promise<boolean> => {
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false; // removed meanwhile
      result.failed++;
      note(path, `cannot look at (${(error as Error).message}):`);
      return false;
    }
    const owner = options.owner;
    if (owner && (info.uid !== owner.uid || info.gid !== owner.gid)) {
      try {
        await lchown(path, owner.uid, owner.gid);
        result.owners++;
      } catch (error) {
        result.failed++;
        note(path, `cannot give to uid ${owner.uid} (${(error as Error).message})`);
      }
    }
    // A link's own mode means nothing, and chmod would follow it out of the tree.
    if (info.isSymbolicLink()) return false;
    if ((info.mode & GROUP_OTHER) !== 0) {
      const mode = info.mode & 0o7777 & ~GROUP_OTHER;
      try {
        await chmod(path, mode);
        result.modes++;
        note(path, `mode ${octal(info.mode)} → ${octal(mode)}:`);
      } catch (error) {
        result.failed++;
        note(path, `cannot tighten mode ${octal(info.mode)} (${(error as Error).message}):`);
      }
    }
    return info.isDirectory();
  };

  const walk = async (dir: string): Promise<void> => {
    let handle;
    try {
      handle = await opendir(dir, { bufferSize: 64 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      // Not ours to read (started without root): the folder check after this names it.
      result.failed++;
      note(dir, `cannot list (${(error as Error).message}):`);
      return;
    }
    for await (const entry of handle) {
      const child = join(dir, entry.name);
      if ((await visit(child)) && entry.isDirectory()) await walk(child);
    }
  };

  if (await visit(root)) await walk(root);
  if (result.modes + result.owners + result.failed > 0) {
    // Handing a new data directory to the service user is routine; a loose mode is not.
    const level = result.modes + result.failed > 0 ? 'warn' : 'info';
    options.log?.[level](
      { root, modes: result.modes, owners: result.owners, failed: result.failed },
      `data directory: tightened ${result.modes} mode(s), changed ${result.owners} owner(s)` +
        (result.failed > 0 ? `, ${result.failed} path(s) could not be changed` : '') +
        (noted > LOGGED_PATHS ? ` (the first ${LOGGED_PATHS} are listed above)` : ''),
    );
  }
  return result;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
