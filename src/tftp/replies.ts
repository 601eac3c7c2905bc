// TFTP error codes (RFC 1350 Appendix "Error Codes", RFC 2347 adds 8), the one
// typed error of the TFTP engine, and toTftpError: the one place any failure (the
// jail's, the file system's, anything else) becomes the ERROR packet a client reads.
// What the client reads is `message`; `detail` goes only to the log.

import type { RefusalReason } from '../core/net/limits.ts';
import { refusalText } from '../core/service/refusals.ts';
import { JailError } from '../files/jail.ts';
import { encodeError } from './wire.ts';

export const ErrorCode = {
  /** "Not defined, see error message": busy, timeouts, server-side faults. */
  notDefined: 0,
  fileNotFound: 1,
  accessViolation: 2,
  /** "Disk full or allocation exceeded": also max_file_size. */
  diskFull: 3,
  illegalOperation: 4,
  unknownTransferId: 5,
  fileExists: 6,
  /** RFC 1350 mail mode: the recipient (the "filename") is not known. */
  noSuchUser: 7,
  /** RFC 2347: option negotiation refused. */
  optionRefused: 8,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const Text = {
  fileNotFound: 'File not found',
  folderNotFound: 'Folder not found',
  notRegularFile: 'Not a regular file',
  outsideRoot: 'Access violation: path outside the TFTP root',
  parentPath: 'Access violation: ".." is not allowed',
  readDisabled: 'Access violation: reading is disabled',
  writeDisabled: 'Access violation: writing is disabled',
  createRefused: 'Access violation: new files may not be created here',
  permissionDenied: 'Access violation: permission denied',
  diskFull: 'Disk full',
  tooLarge: 'Allocation exceeded: file larger than the server allows',
  unknownMode: 'Illegal TFTP operation: unknown transfer mode',
  malformed: 'Illegal TFTP operation: malformed packet',
  unexpected: 'Illegal TFTP operation: unexpected packet',
  unknownTid: 'Unknown transfer ID',
  fileExists: 'File already exists',
  mailRefused: 'No such user: this server delivers no mail over TFTP',
  optionRefused: 'Option refused',
  tooManyFromClient: 'Too many transfers from your address, try again later',
  tooMany: 'Server busy, try again later',
  noPort: 'No transfer port free, try again later',
  timedOut: 'Transfer timed out',
  internal: 'Server error',
} as const;

export class TftpError extends Error {
  readonly code: ErrorCode;
  /** For the log only (errno, the path as resolved, ...). */
  readonly detail: string | undefined;
  constructor(code: ErrorCode, message: string, detail?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TftpError';
    this.code = code;
    this.detail = detail;
  }

  toPacket(): Buffer {
    return encodeError(this.code, this.message);
  }
}

const refusals: Record<RefusalReason, [ErrorCode, string]> = {
  banned: [ErrorCode.accessViolation, refusalText.banned],
  'too-many': [ErrorCode.notDefined, Text.tooMany],
  'too-many-from-ip': [ErrorCode.notDefined, Text.tooManyFromClient],
  'shutting-down': [ErrorCode.notDefined, refusalText['shutting-down']],
};

/**
 * The ERROR a refused request gets, from the request socket (no transfer port is spent
 * on it). There is no 'starting' refusal: while the service starts, requests are held
 * and answered once it serves (server.ts).
 */
export function tftpRefusal(reason: RefusalReason): TftpError {
  const [code, text] = refusals[reason];
  return new TftpError(code, text, reason);
}

/** Maps any failure to what the client is told; anything unknown is error 0. */
export function toTftpError(error: unknown): TftpError {
  if (error instanceof TftpError) return error;
  if (error instanceof JailError) return fromJailError(error);
  return fromFsError(error);
}

function fromJailError(error: JailError): TftpError {
  switch (error.reason) {
    case 'parent':
      return new TftpError(ErrorCode.accessViolation, Text.parentPath, error.message);
    case 'not-found':
      return new TftpError(ErrorCode.fileNotFound, Text.fileNotFound, error.message);
    case 'outside':
      return new TftpError(ErrorCode.accessViolation, Text.outsideRoot, error.message);
    case 'invalid':
      return new TftpError(ErrorCode.accessViolation, Text.permissionDenied, error.message);
  }
}

function fromFsError(error: unknown): TftpError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const detail = (error as Error | null)?.message;
  switch (code) {
    case 'ENOENT':
      return new TftpError(ErrorCode.fileNotFound, Text.fileNotFound, detail);
    case 'ENOTDIR':
      return new TftpError(ErrorCode.fileNotFound, Text.folderNotFound, detail);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'ELOOP':
      return new TftpError(ErrorCode.accessViolation, Text.permissionDenied, detail);
    case 'EISDIR':
      return new TftpError(ErrorCode.accessViolation, Text.notRegularFile, detail);
    case 'EEXIST':
      return new TftpError(ErrorCode.fileExists, Text.fileExists, detail);
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new TftpError(ErrorCode.diskFull, Text.diskFull, detail);
    default:
      return new TftpError(ErrorCode.notDefined, Text.internal, detail ?? String(error));
  }
}
