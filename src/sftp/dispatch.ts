// Looks a request up, parses it and maps every failure to an SSH_FXP_STATUS in ONE
// place (draft-ietf-secsh-filexfer-02 §7). Version 3 has nine codes, so: a missing
// name is NO_SUCH_FILE; a refusal (EACCES, EPERM, a path out of the home) is
// PERMISSION_DENIED; "exists", "not empty", "is a directory" and the quota are FAILURE
// with a message saying which; a request the server cannot parse is BAD_MESSAGE; an
// unknown request or extension is OP_UNSUPPORTED. Nothing becomes NO_SUCH_FILE by default.

import { JailError } from '../files/jail.ts';
import { QuotaExceededError } from '../files/limits.ts';
import { commands, extensions } from './commands/index.ts';
import type { AnyCommand } from './commands/types.ts';
import { SftpError, TEXT, unsupported } from './replies.ts';
import { FX, FXP, PacketReader, WireError, type StatusCode } from './wire.ts';

export interface Status {
  code: StatusCode;
  message: string;
}

/** The status a failure becomes. Unknown failures are FAILURE (and logged by the session). */
export function toStatus(error: unknown): Status & { unexpected: boolean } {
  const s = (code: StatusCode, message: string, unexpected = false) => ({ code, message, unexpected });
  if (error instanceof SftpError) return s(error.code, error.message);
  if (error instanceof WireError) return s(FX.BAD_MESSAGE, `${TEXT.badMessage}: ${error.message}`);
  if (error instanceof QuotaExceededError) return s(FX.FAILURE, TEXT.quota);
  if (error instanceof JailError) {
    switch (error.reason) {
      case 'invalid': return s(FX.BAD_MESSAGE, `${TEXT.badMessage}: ${error.message}`);
      case 'not-found': return s(FX.NO_SUCH_FILE, TEXT.noSuchFile);
      default: return s(FX.PERMISSION_DENIED, TEXT.outside);
    }
  }
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOENT': return s(FX.NO_SUCH_FILE, TEXT.noSuchFile);
    case 'ENOTDIR': return s(FX.NO_SUCH_FILE, TEXT.notADirectory);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS': return s(FX.PERMISSION_DENIED, TEXT.permissionDenied);
    case 'ELOOP': return s(FX.PERMISSION_DENIED, TEXT.outside);
    case 'EEXIST': return s(FX.FAILURE, TEXT.exists);
    case 'ENOTEMPTY': return s(FX.FAILURE, TEXT.notEmpty);
    case 'EISDIR': return s(FX.FAILURE, TEXT.isADirectory);
    case 'ENOSPC':
    case 'EDQUOT': return s(FX.FAILURE, TEXT.noSpace);
    case 'EXDEV': return s(FX.FAILURE, TEXT.crossDevice);
    case 'ENAMETOOLONG': return s(FX.BAD_MESSAGE, TEXT.nameTooLong);
    case 'EINVAL': return s(FX.BAD_MESSAGE, TEXT.badMessage);
    case 'ENOSYS':
    case 'ENOTSUP':
    case 'EOPNOTSUPP': return s(FX.OP_UNSUPPORTED, TEXT.unsupported);
    default: return s(FX.FAILURE, TEXT.failure, true);
  }
}

/** The command a request body names (after type and id), or a failure to answer. */
export function lookup(type: number, r: PacketReader): AnyCommand {
  if (type === FXP.EXTENDED) {
    const name = r.text();
    const ext = extensions[name];
    if (!ext) throw unsupported(name.slice(0, 100));
    return ext;
  }
  const cmd = commands[type];
  if (!cmd) throw unsupported(`request type ${type}`);
  return cmd;
}
