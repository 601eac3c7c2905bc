// From an RRQ or WRQ to an open file and the negotiated options, or a TftpError
// saying why not: the mode, the read/write policy, the root jail, the file itself,
// then the options (whose tsize needs the file's size).

import { access, open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { Config } from '../core/config/schema.ts';
import { FileSink } from './file-sink.ts';
import { negotiate, type Negotiated } from './options.ts';
import { ErrorCode, TftpError, Text, fromFsError } from './replies.ts';
import { isInside, resolveForRead, resolveForWrite, type TftpRoot } from './root-jail.ts';
import { Opcode, type Request } from './wire.ts';

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

export async function openRequest(request: Request, config: TftpConfig, jail: TftpRoot): Promise<OpenedRequest> {
  const netascii = checkMode(request);
  const limits = { maxBlksize: config.max_blksize, maxWindowsize: config.max_windowsize, maxFileSize: config.max_file_size };
  if (request.opcode === Opcode.RRQ) {
    if (!config.allow_read) throw new TftpError(ErrorCode.accessViolation, Text.readDisabled);
    const path = await resolveForRead(jail, request.filename);
    let file: FileHandle;
    try {
      // The path is already real; O_NOFOLLOW catches a symlink swapped in since.
      file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      throw fromFsError(error);
    }
    try {
      const info = await file.stat();
      if (!info.isFile()) throw new TftpError(ErrorCode.accessViolation, Text.notRegularFile, path);
      return { kind: 'read', file, negotiated: negotiate(request.options, 'read', request.mode, info.size, limits), netascii };
    } catch (error) {
      await file.close();
      throw fromFsError(error);
    }
  }

  if (!config.allow_write) throw new TftpError(ErrorCode.accessViolation, Text.writeDisabled);
  const target = await resolveForWrite(jail, request.filename);
  if (target.existingMode !== null) {
    if (!config.overwrite) throw new TftpError(ErrorCode.fileExists, Text.fileExists, target.path);
    // Replacing a file the server may not write would bypass its permissions through the rename.
    await access(target.path, constants.W_OK).catch((error: unknown) => {
      throw fromFsError(error);
    });
  } else {
    const mayCreate = config.create || (jail.uploadDir !== null && isInside(jail.uploadDir, target.folder));
    if (!mayCreate) throw new TftpError(ErrorCode.accessViolation, Text.createRefused, target.path);
  }
  const negotiated = negotiate(request.options, 'write', request.mode, null, limits);
  try {
    const sink = await FileSink.create({ path: target.path, netascii, maxBytes: config.max_file_size, mode: target.existingMode ?? 0o600, sync: true });
    return { kind: 'write', sink, negotiated };
  } catch (error) {
    throw fromFsError(error);
  }
}
