// Paths of the files page, as the API takes them: a virtual path inside the account's
// home ("/docs/a.txt"), always through the same jail as FTP and SFTP
// (src/files/jail.ts). The jail clamps ".." at the root, as FTP's CDUP does; the web
// API refuses it instead (a page never sends one, so one that arrives is an attack or
// a bug, and saying so is clearer than answering for another path). Names a request
// creates (upload, new folder, rename target) must be one plain component: no
// separator, no control character, not "." or "..", at most NAME_MAX octets; existing
// names made otherwise (over SFTP) can still be listed, downloaded, renamed and deleted.

import { constants } from 'node:fs';
import { open, readlink, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { JailError, type HomeJail } from '../../files/jail.ts';
import { WebError } from '../replies.ts';

/** Linux NAME_MAX and PATH_MAX, octets. */
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
/** The prefix of an upload's temporary file, hidden from listings. */
export const UPLOAD_PREFIX = '.septet-upload-';

/** Refuses what no page sends: NUL, ".." or "." segments, over-long paths. Returns "/a/b". */
export function checkPath(path: string): string {
  if (Buffer.byteLength(path) > PATH_MAX) throw new WebError('bad-request', 'path too long');
  if (path.includes('\0')) throw new WebError('bad-request', 'path contains a NUL octet');
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.some((part) => part === '..' || part === '.')) throw new WebError('bad-request', 'path contains "." or ".." segments');
  return `/${parts.join('/')}`;
}

/** A name the request creates: one component, printable, not a dot name, not an upload's temporary name. */
export function checkNewName(name: string): string {
  if (name === '' || name === '.' || name === '..') throw new WebError('bad-request', 'empty name, "." or ".."');
  if (Buffer.byteLength(name) > NAME_MAX) throw new WebError('bad-request', `name longer than ${NAME_MAX} octets`);
  // C0 and C1 controls and DEL: terminal escapes in every other client's listing.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new WebError('bad-request', 'name contains a control character');
  if (/[/\\]/.test(name)) throw new WebError('bad-request', 'name contains a path separator');
  if (name.startsWith(UPLOAD_PREFIX)) throw new WebError('bad-request', 'name reserved for uploads in progress');
  return name;
}

/** A path that must exist, every symlink followed; the real path lies inside the home (else 403). */
export async function existingPath(jail: HomeJail, path: string): Promise<{ virtual: string; real: string }> {
  const virtual = checkPath(path);
  return onDisk(virtual, () => jail.resolveExisting('/', virtual));
}

/**
 * An entry whose last component is not followed (rename, delete: a link itself is
 * renamed or removed, never what it points to): its folder must exist inside the home.
 */
export async function entryPath(jail: HomeJail, path: string): Promise<{ virtual: string; real: string; name: string }> {
  const virtual = checkPath(path);
  if (virtual === '/') throw new WebError('forbidden', 'the home folder itself cannot be changed');
  const folder = await existingPath(jail, posix.dirname(virtual));
  const name = posix.basename(virtual);
  return { virtual, real: join(folder.real, name), name };
}

/** Where an open descriptor really is (Linux: the kernel's path for it); null without /proc. */
async function descriptorPath(handle: FileHandle): Promise<string | null> {
  return readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
}

/**
 * Opens a real path the jail found, without trusting it still means the same: the last
 * component is opened with O_NOFOLLOW, and the descriptor's own path (which the kernel
 * keeps with every symlink resolved) must lie inside the home. A folder on the way
 * swapped for a link meanwhile (over SFTP) is caught by that second check.
 */
export async function openInHome(jail: HomeJail, real: string, flags: number, mode = 0o600): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(real, flags | constants.O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new JailError('outside', 'a symbolic link in the way');
    throw error;
  }
  const where = await descriptorPath(handle);
  if (where !== null && !jail.contains(where.replace(/ \(deleted\)$/, ''))) {
    await handle.close().catch(() => {});
    throw new JailError('outside', 'path leads outside the home folder');
  }
  return handle;
}

/** fsync of a folder, so a rename or unlink in it is on disk too. */
export async function syncFolder(jail: HomeJail, real: string): Promise<void> {
  const handle = await openInHome(jail, real, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close().catch(() => {});
  }
}

/** The file system's failures as the API's: what the user did wrong, not a 500. */
export function fsFailure(error: unknown, what: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new WebError('not-found', `no such file or folder: ${what}`);
    case 'EEXIST':
      return new WebError('conflict', `${what} exists already`);
    case 'ENOTEMPTY':
      return new WebError('conflict', `${what} is not empty: delete what is in it first`);
    case 'EISDIR':
      return new WebError('bad-request', `${what} is a folder`);
    case 'EINVAL':
      return new WebError('bad-request', `cannot move ${what} into itself`);
    case 'EACCES':
    case 'EPERM':
      return new WebError('forbidden', `permission denied: ${what}`);
    case 'ENAMETOOLONG':
      return new WebError('bad-request', 'name too long');
    case 'ENOSPC':
    case 'EDQUOT':
      return new WebError('quota', 'no space left on the server');
  }
  return error;
}

/** Runs `body`, answering file-system failures as the API's errors. */
export async function onDisk<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw fsFailure(error, what);
  }
}
