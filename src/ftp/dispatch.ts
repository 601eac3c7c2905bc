// The one place where a command line meets the command table: parse, look up, check
// login and sequence, run, and turn failures into replies. While a transfer runs only
// ABOR, STAT and QUIT are served at once; other commands wait for it (RFC 959 §4.1.3
// allows them to be queued).

import { JailError } from '../files/jail.ts';
import { QuotaExceededError } from '../files/limits.ts';
import { commands } from './commands/index.ts';
import { FtpError, Reply, Text } from './replies.ts';
import type { FtpSession } from './session.ts';
import { parseCommand } from './wire.ts';

const DURING_TRANSFER = new Set(['ABOR', 'STAT', 'QUIT']);

export async function dispatch(session: FtpSession, raw: Buffer): Promise<void> {
  const parsed = parseCommand(raw);
  if (!parsed) return; // an empty line (a LF left over from an urgent ABOR): nothing to answer
  const { verb, argument } = parsed;
  if (session.transfer && !DURING_TRANSFER.has(verb)) await session.transfer.done.catch(() => {});
  const command = commands.get(verb);
  // The keyword only: arguments may be passwords.
  session.conn.log.debug({ verb }, 'ftp command');
  const renameFrom = session.renameFrom;
  try {
    if (!command) throw new FtpError(Reply.syntaxError, Text.unknownCommand);
    if (command.needsLogin && session.state.name !== 'ready') throw new FtpError(Reply.notLoggedIn, Text.notLoggedIn);
    await command.run(session, argument);
  } catch (error) {
    replyToFailure(session, error);
  } finally {
    // RFC 959 §4.1.3: RNTO must come right after RNFR.
    if (verb !== 'RNFR' && session.renameFrom === renameFrom) session.renameFrom = null;
  }
}

export function replyToFailure(session: FtpSession, error: unknown): void {
  if (error instanceof FtpError) return session.reply(error.code, error.message);
  if (error instanceof JailError) return session.reply(Reply.fileNotFound, error.reason === 'not-found' ? Text.noSuchFile : Text.permissionDenied);
  if (error instanceof QuotaExceededError) return session.reply(Reply.quotaExceeded, Text.quota);
  const code = (error as NodeJS.ErrnoException)?.code;
  const fsReplies: Record<string, string> = {
    ENOENT: Text.noSuchFile,
    EACCES: Text.permissionDenied,
    EPERM: Text.permissionDenied,
    EEXIST: 'File exists.',
    ENOTEMPTY: 'Directory not empty.',
    EISDIR: 'Is a directory.',
    ENOTDIR: 'Not a directory.',
    ENAMETOOLONG: 'File name too long.',
  };
  if (code && fsReplies[code]) return session.reply(Reply.fileNotFound, fsReplies[code]);
  if (code === 'ENOSPC' || code === 'EDQUOT') return session.reply(Reply.quotaExceeded, 'No space left.');
  session.conn.log.error({ err: error }, 'ftp command failed');
  session.reply(Reply.localError, Text.internal);
}
