// Keeps every TFTP path inside the TFTP root, as tftpd-hpa's --secure does: a
// leading "/" is taken relative to the root, ".." is refused outright, and the
// real path (symlinks resolved) must still lie inside the root's real path, so a
// symlink may point elsewhere inside the root but never out of it.

import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { ErrorCode, TftpError, Text, fromFsError } from './replies.ts';

export interface TftpRoot {
  /** Real path of the root (no symlinks). */
  root: string;
  /** Real path of the upload folder, or null when none is configured. */
  uploadDir: string | null;
}

export function isInside(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** The request's filename as path segments under the root. */
export function requestSegments(filename: string): string[] {
  const segments: string[] = [];
  for (const segment of filename.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw new TftpError(ErrorCode.accessViolation, Text.parentPath, filename);
    segments.push(segment);
  }
  if (segments.length === 0) throw new TftpError(ErrorCode.accessViolation, Text.notRegularFile, filename);
  return segments;
}

async function realInside(root: string, path: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw fromFsError(error);
  }
  if (!isInside(root, real)) throw new TftpError(ErrorCode.accessViolation, Text.outsideRoot, `${path} -> ${real}`);
  return real;
}

/** The real path of a file to read; the caller opens it and checks it is a regular file. */
export async function resolveForRead(jail: TftpRoot, filename: string): Promise<string> {
  return realInside(jail.root, join(jail.root, ...requestSegments(filename)));
}

export interface WriteTarget {
  /** Real path the finished upload is renamed to. */
  path: string;
  /** Real path of its folder. */
  folder: string;
  /** The existing file's permission bits, or null when the file is new. */
  existingMode: number | null;
}

/** Where a WRQ's file goes; the folder must exist. Creation policy is the caller's. */
export async function resolveForWrite(jail: TftpRoot, filename: string): Promise<WriteTarget> {
  const full = join(jail.root, ...requestSegments(filename));
  let folder: string;
  try {
    folder = await realInside(jail.root, dirname(full));
  } catch (error) {
    if (error instanceof TftpError && error.code === ErrorCode.fileNotFound) throw new TftpError(ErrorCode.fileNotFound, Text.folderNotFound, error.detail);
    throw error;
  }
  let path = join(folder, basename(full));
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, folder, existingMode: null };
    throw fromFsError(error);
  }
  if (info.isSymbolicLink()) {
    // A symlink to a file inside the root is written through; a dangling one is not followed.
    path = await realInside(jail.root, path).catch((error: unknown) => {
      throw error instanceof TftpError && error.code === ErrorCode.fileNotFound ? new TftpError(ErrorCode.accessViolation, Text.permissionDenied, 'dangling symlink') : error;
    });
    folder = dirname(path);
    info = await lstat(path).catch((error: unknown) => {
      throw fromFsError(error);
    });
  }
  if (!info.isFile()) throw new TftpError(ErrorCode.accessViolation, Text.notRegularFile, path);
  return { path, folder, existingMode: info.mode & 0o7777 };
}
