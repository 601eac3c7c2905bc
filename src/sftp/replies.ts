// Every status text the SFTP engine sends (draft-ietf-secsh-filexfer-02 §7: SSH_FXP_STATUS
// carries a code and a human-readable message) and the one failure type commands throw.
// Version 3 has nine codes only, so the message tells apart what the code cannot
// ("quota exceeded", "file already exists", "directory not empty").

import { FX, type StatusCode } from './wire.ts';

export const TEXT = {
  ok: 'Success',
  eof: 'End of file',
  noSuchFile: 'No such file',
  permissionDenied: 'Permission denied',
  failure: 'Failure',
  badMessage: 'Bad message',
  unsupported: 'Operation unsupported',
  noSuchHandle: 'No such handle',
  tooManyHandles: 'Too many open handles',
  notAFile: 'Not a regular file',
  isADirectory: 'Is a directory',
  notADirectory: 'Not a directory',
  exists: 'File already exists',
  notEmpty: 'Directory not empty',
  quota: 'Quota exceeded',
  noSpace: 'No space left on device',
  outside: 'Permission denied: path leads outside the home folder',
  symlinkOutside: 'Permission denied: link target outside the home folder',
  ownerChange: 'Permission denied: owner and group cannot be changed',
  rootRemoval: 'Permission denied: the home folder itself cannot be changed',
  crossDevice: 'Cannot move across file systems',
  nameTooLong: 'File name too long',
} as const;

/** A request that failed with a known status (every command failure ends as one). */
export class SftpError extends Error {
  readonly code: StatusCode;
  constructor(code: StatusCode, message: string) {
    super(message);
    this.name = 'SftpError';
    this.code = code;
  }
}

export const noSuchHandle = (): SftpError => new SftpError(FX.FAILURE, TEXT.noSuchHandle);
export const unsupported = (what: string): SftpError => new SftpError(FX.OP_UNSUPPORTED, `${TEXT.unsupported}: ${what}`);
