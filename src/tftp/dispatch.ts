// TFTP's dispatch: from an RRQ or WRQ to an open file and the negotiated options, or
// an error saying why not: the mode, the read/write policy, the path in the root's
// jail (files/jail.ts, ".." refused as tftpd-hpa --secure does), the file itself, then
// the options (whose tsize needs the file's size). Failures are thrown as they come
// (TftpError, JailError, errno); the caller turns them into an ERROR with toTftpError.

import { access, lstat, open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { Config } from '../core/config/schema.ts';
import { isInside, type HomeJail } from '../files/jail.ts';
import { FileSink } from './file-sink.ts';
import { negotiate, type Negotiated } from './options.ts';
import { ErrorCode, TftpError, Text, toTftpError } from './replies.ts';
import { Opcode, type Request } from './wire.ts';

/** The TFTP root as a jail that refuses "..", and the real path of its upload folder (null: none). */
export interface TftpRoot {
  jail: HomeJail;
  uploadDir: string | null;
}

export type OpenedRequest =
  | { kind: 'read'; file: FileHandle; negotiated: Negotiated; netascii: boolean }
  | { kind: 'write'; sink: FileSink; negotiated: Negotiated };

type TftpConfig = Config['tftp'];

/** RFC 1350 §1: netascii and octet; mail is obsolete and refused. */
function checkMode(request: Request): boolean {
  switch (request.mode) {
    case 'octet':
      return false;
    case 'netascii':
      return true;
    case 'mail':
      // RFC 1350: in mail mode the "filename" is a user; no user receives mail over TFTP here.
      if (request.opcode === Opcode.WRQ) throw new TftpError(ErrorCode.noSuchUser, Text.mailRefused, request.filename);
      throw new TftpError(ErrorCode.illegalOperation, Text.unknownMode, 'RRQ in mail mode');
    default:
      throw new TftpError(ErrorCode.illegalOperation, Text.unknownMode, request.mode);
  }
}

/** The request's path in the root ("/" and "" name no file). A leading "/" is relative to the root. */
function virtualPath(root: TftpRoot, filename: string): string {
  const virtual = root.jail.virtualPath('/', filename);
  if (virtual === '/') throw new TftpError(ErrorCode.accessViolation, Text.notRegularFile, filename);
  return virtual;
}

/** The real path of a file to read; the caller opens it and checks it is a regular file. */
export async function resolveForRead(root: TftpRoot, filename: string): Promise<string> {
  return (await root.jail.resolveExisting('/', virtualPath(root, filename))).real;
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
export async function resolveForWrite(root: TftpRoot, filename: string): Promise<WriteTarget> {
  const virtual = virtualPath(root, filename);
  let folder: string;
  try {
    folder = (await root.jail.resolveExisting('/', posix.dirname(virtual))).real;
  } catch (error) {
    const e = toTftpError(error);
    throw e.code === ErrorCode.fileNotFound ? new TftpError(ErrorCode.fileNotFound, Text.folderNotFound, e.detail) : e;
  }
  let path = join(folder, posix.basename(virtual));
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, folder, existingMode: null };
    throw error;
  }
  if (info.isSymbolicLink()) {
    // A symlink to a file inside the root is written through; a dangling one is not followed.
    path = await root.jail.resolveExisting('/', virtual).then(
      (resolved) => resolved.real,
      (error: unknown) => {
        const e = toTftpError(error);
        throw e.code === ErrorCode.fileNotFound ? new TftpError(ErrorCode.accessViolation, Text.permissionDenied, 'dangling symlink') : e;
      },
    );
    folder = dirname(path);
    info = await lstat(path);
  }
  if (!info.isFile()) throw new TftpError(ErrorCode.accessViolation, Text.notRegularFile, path);
  return { path, folder, existingMode: info.mode & 0o7777 };
}

export async function openRequest(request: Request, config: TftpConfig, root: TftpRoot): Promise<OpenedRequest> {
  const netascii = checkMode(request);
  const limits = { maxBlksize: config.max_blksize, maxWindowsize: config.max_windowsize, maxFileSize: config.max_file_size };
  if (request.opcode === Opcode.RRQ) {
    if (!config.allow_read) throw new TftpError(ErrorCode.accessViolation, Text.readDisabled);
    const path = await resolveForRead(root, request.filename);
    // The path is already real; O_NOFOLLOW catches a symlink swapped in since.
    const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const info = await file.stat();
      if (!info.isFile()) throw new TftpError(ErrorCode.accessViolation, Text.notRegularFile, path);
      return { kind: 'read', file, negotiated: negotiate(request.options, 'read', request.mode, info.size, limits), netascii };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  if (!config.allow_write) throw new TftpError(ErrorCode.accessViolation, Text.writeDisabled);
  const target = await resolveForWrite(root, request.filename);
  if (target.existingMode !== null) {
    if (!config.overwrite) throw new TftpError(ErrorCode.fileExists, Text.fileExists, target.path);
    // Replacing a file the server may not write would bypass its permissions through the rename.
    await access(target.path, constants.W_OK);
  } else {
    const mayCreate = config.create || (root.uploadDir !== null && isInside(root.uploadDir, target.folder));
    if (!mayCreate) throw new TftpError(ErrorCode.accessViolation, Text.createRefused, target.path);
  }
  const negotiated = negotiate(request.options, 'write', request.mode, null, limits);
  const sink = await FileSink.create({ path: target.path, netascii, maxBytes: config.max_file_size, mode: target.existingMode ?? 0o600, sync: true });
  return { kind: 'write', sink, negotiated };
}
