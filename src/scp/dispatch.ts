// Runs the one command of an SCP exec request (sink or source) and maps every failure
// to what the peer hears, in one place: a failure about one file is a warning (0x01
// and a message, the transfer goes on: scp.c's run_err()), a broken protocol or an
// unusable start is fatal (scp.c exits after run_err(); we send 0x02 so the client
// stops at once), and the exit status is 0 or 1 as scp.c's.

import { JailError } from '../files/jail.ts';
import { QuotaExceededError } from '../files/limits.ts';
import { scpCommands } from './commands/index.ts';
import { scpReplies } from './replies.ts';
import { PeerGoneError, type ScpSession } from './session.ts';
import { ScpProtocolError } from './wire.ts';

/** A failure a command raises on purpose, with the message the peer should see. */
export class ScpFailure extends Error {
  readonly fatal: boolean;
  constructor(message: string, fatal = false) {
    super(message);
    this.name = 'ScpFailure';
    this.fatal = fatal;
  }
}

/** The message for a failure about `path` (a client-visible path), as scp.c prints strerror(). */
export function failureMessage(error: unknown, path: string): string {
  if (error instanceof ScpFailure) return error.message;
  if (error instanceof QuotaExceededError) return scpReplies.quota(path);
  if (error instanceof JailError) {
    if (error.reason === 'not-found') return scpReplies.noSuchFile(path);
    if (error.reason === 'invalid') return scpReplies.badName(path);
    return scpReplies.outside(path);
  }
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOENT':
      return scpReplies.noSuchFile(path);
    case 'ENOTDIR':
      return scpReplies.notDirectory(path);
    case 'EISDIR':
      return scpReplies.isDirectory(path);
    case 'EEXIST':
      return scpReplies.exists(path);
    case 'EACCES':
    case 'EPERM':
    case 'ELOOP':
      return scpReplies.permission(path);
    case 'EDQUOT':
      return scpReplies.quota(path);
    case 'ENOSPC':
      return scpReplies.noSpace(path);
    default:
      return scpReplies.failed(path, 'failed');
  }
}

/** Whether an error is about one file (a warning) rather than the session (fatal). */
function isPerFile(error: unknown): boolean {
  if (error instanceof ScpFailure) return !error.fatal;
  return error instanceof QuotaExceededError || error instanceof JailError || typeof (error as NodeJS.ErrnoException | null)?.code === 'string';
}

/** Runs the session's command; resolves with the exit status. */
export async function dispatchScp(session: ScpSession): Promise<number> {
  const entry = scpCommands[session.command.direction];
  if (!entry.states.includes(session.state.name)) throw new Error(`scp: ${session.command.direction} in state ${session.state.name}`);
  try {
    await entry.run(session);
  } catch (error) {
    if (error instanceof PeerGoneError || session.channel.signal.aborted) {
      session.errors++;
    } else if (error instanceof ScpProtocolError) {
      session.peer.log.warn({ err: error.message }, 'scp protocol error');
      await session.fatal(scpReplies.protocol(error.message)).catch(() => {});
    } else if (error instanceof ScpFailure || isPerFile(error)) {
      await session.fatal(failureMessage(error, session.command.paths[0] ?? '')).catch(() => {});
    } else {
      session.peer.log.error({ err: (error as Error).message }, 'scp failed');
      await session.fatal(scpReplies.internal()).catch(() => {});
    }
  }
  const status = session.errors > 0 ? 1 : 0;
  session.state = { name: 'finished', status };
  return status;
}
