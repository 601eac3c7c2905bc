// The one place where a command line meets the command table: look up, check the
// session state, parse, run, and turn failures into replies, those of commands and
// those of the transfers they start. While a transfer runs only ABOR, STAT and QUIT
// are served at once; other commands wait for it (RFC 959 §4.1.3 allows them to be
// queued).

import { JailError } from '../files/jail.ts';
import { QuotaExceededError } from '../files/limits.ts';
import { commands } from './commands/index.ts';
import { DataConnectionError } from './data-channel.ts';
import { DataFormatError, TruncatedTransferError } from './data/events.ts';
import { FtpError, fileSystemTexts, Reply, Text } from './replies.ts';
import type { ActiveTransfer, FtpSession } from './session.ts';
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
    // RFC 959 §5.4: the only state a command can be refused for is "not logged in yet".
    if (!command.states.includes(session.state.name)) throw new FtpError(Reply.notLoggedIn, Text.notLoggedIn);
    await command.run(session, command.parse(argument));
  } catch (error) {
    replyToFailure(session, error);
  } finally {
    // RFC 959 §4.1.3: RNTO must come right after RNFR.
    if (verb !== 'RNFR' && session.renameFrom === renameFrom) session.renameFrom = null;
  }
}

/**
 * The reply for a failure: of a command (`transfer` absent), or of a transfer that
 * had said 150 (RFC 959 §5.4: then exactly one of 425, 426, 451, 552).
 */
export function replyToFailure(session: FtpSession, error: unknown, transfer?: ActiveTransfer): void {
  if (transfer && session.conn.isClosed) return;
  const [code, text] = failureReply(session, error, transfer);
  session.reply(code, text);
}

function failureReply(session: FtpSession, error: unknown, transfer: ActiveTransfer | undefined): [number, string] {
  const { log } = session.conn;
  if (transfer?.abortedByClient) return [Reply.transferAborted, Text.transferAborted];
  if (error instanceof FtpError) return [error.code, error.message];
  if (error instanceof QuotaExceededError) return [Reply.quotaExceeded, Text.quota];
  if (error instanceof JailError) return [Reply.fileNotFound, error.reason === 'not-found' ? Text.noSuchFile : Text.permissionDenied];
  if (transfer) {
    if (error instanceof DataConnectionError) {
      log.info({ err: error.message }, 'data connection failed');
      return [Reply.cantOpenData, `${Text.cantOpenData} ${error.message}`];
    }
    if (isBrokenTransfer(error)) {
      log.info({ err: (error as Error).message }, 'transfer broken');
      return [Reply.transferAborted, `${Text.transferAborted} ${(error as Error).message}`];
    }
    log.error({ err: error }, 'transfer failed');
    return [Reply.localError, Text.internal];
  }
  const errno = (error as NodeJS.ErrnoException)?.code;
  if (errno && fileSystemTexts[errno]) return [Reply.fileNotFound, fileSystemTexts[errno]];
  if (errno === 'ENOSPC' || errno === 'EDQUOT') return [Reply.quotaExceeded, Text.noSpace];
  log.error({ err: error }, 'ftp command failed');
  return [Reply.localError, Text.internal];
}

/** The data connection broke or its data did not decode: 426 (RFC 959 §4.2). */
function isBrokenTransfer(error: unknown): boolean {
  if (error instanceof TruncatedTransferError || error instanceof DataFormatError) return true;
  const e = error as NodeJS.ErrnoException;
  return e?.name === 'AbortError' || e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || /data connection/.test(e?.message ?? '');
}
