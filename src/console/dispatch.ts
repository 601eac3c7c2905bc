// One command line: split into words, looked up in the table, refused to a
// non-administrator when it is an administrator's command, parsed, run; every typed
// failure becomes a message and an exit status here and nowhere else (0 success,
// 1 failure, 127 unknown command, as a POSIX shell does).

import { AdminError } from '../core/admin/errors.ts';
import { KeyFormatError } from '../core/keys/errors.ts';
import { StoreError } from '../core/store/types.ts';
import { JailError } from '../files/jail.ts';
import { QuotaExceededError } from '../files/limits.ts';
import type { CommandContext } from './commands/command.ts';
import { findCommand } from './commands/index.ts';
import { ConsoleError, EXIT_FAILURE, EXIT_OK, EXIT_UNKNOWN, replies } from './replies.ts';
import { printable, splitWords, WordsError } from './wire.ts';

export interface DispatchResult {
  status: number;
  /** The session ends after this line (exit, or the account is gone). */
  exit: boolean;
}

export async function dispatch(line: string, ctx: Omit<CommandContext, 'account'>): Promise<DispatchResult> {
  let words: string[];
  try {
    words = splitWords(line);
  } catch (error) {
    if (!(error instanceof WordsError)) throw error;
    await ctx.io.err(error.message);
    return { status: EXIT_FAILURE, exit: false };
  }
  const [name, ...args] = words;
  if (name === undefined) return { status: EXIT_OK, exit: false };
  const entry = findCommand(name);
  if (!entry) {
    await ctx.io.err(replies.unknownCommand(printable(name)));
    return { status: EXIT_UNKNOWN, exit: false };
  }
  // Re-read for every command: a password, an admin right or the account itself may
  // have changed since login (another session, the command line).
  const account = await ctx.deps.store.accounts.getUserById(ctx.peer.account.id);
  if (!account) {
    await ctx.io.err(replies.accountGone);
    return { status: EXIT_FAILURE, exit: true };
  }
  if (entry.admin && !account.admin) {
    ctx.peer.log.warn({ account: account.address, command: entry.name, remote: ctx.peer.remoteAddress }, 'console: administrator command refused');
    await ctx.io.err(replies.permissionDenied(entry.name));
    return { status: EXIT_FAILURE, exit: false };
  }
  // The command's name only: its arguments may carry a password (user add --password).
  const audit = (status: number) => ctx.peer.log.info({ account: account.address, remote: ctx.peer.remoteAddress, service: ctx.peer.service, command: entry.name, status }, 'console command');
  try {
    const outcome = await entry.run({ ...ctx, account }, entry.parse(args));
    audit(EXIT_OK);
    return { status: EXIT_OK, exit: outcome === 'exit' };
  } catch (error) {
    const { message, status } = describeFailure(error, ctx);
    await ctx.io.err(`${entry.name}: ${message}`);
    audit(status);
    return { status, exit: false };
  }
}

/** The message and exit status for a failure; an unexpected one is logged, its text never shown. */
function describeFailure(error: unknown, ctx: Omit<CommandContext, 'account'>): { message: string; status: number } {
  if (error instanceof ConsoleError) return { message: error.message, status: error.kind === 'unknown-command' ? EXIT_UNKNOWN : EXIT_FAILURE };
  if (error instanceof AdminError) return { message: printable(error.message), status: EXIT_FAILURE };
  if (error instanceof StoreError) return { message: printable(error.code === 'quota' ? 'over quota' : error.message), status: EXIT_FAILURE };
  if (error instanceof JailError) {
    const message = error.reason === 'outside' ? replies.outsideHome : error.reason === 'not-found' ? replies.noSuchFile('') : replies.badPath(error.message);
    return { message, status: EXIT_FAILURE };
  }
  if (error instanceof KeyFormatError) return { message: printable(error.message), status: EXIT_FAILURE };
  if (error instanceof QuotaExceededError) return { message: 'quota exceeded', status: EXIT_FAILURE };
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return { message: 'the server may not read that', status: EXIT_FAILURE };
  if (code === 'ENOENT' || code === 'ENOTDIR') return { message: 'no such file or folder', status: EXIT_FAILURE };
  ctx.peer.log.error({ err: error, account: ctx.peer.account.address }, 'console: command failed');
  return { message: replies.internalError, status: EXIT_FAILURE };
}
