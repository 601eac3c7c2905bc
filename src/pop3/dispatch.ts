// The one place where a command line meets the command table: split the line, look
// the keyword up, check the state, parse the arguments, run, and turn every failure
// into its -ERR reply (mox-style dispatcher): Pop3Error as given, a broken message
// stream by dropping the connection, anything else as -ERR [SYS/TEMP] plus a log line.

import { LineTooLongError, ReadTimeoutError } from '../core/net/byte-reader.ts';
import { ConnectionClosedError } from '../core/net/connection.ts';
import { isHttpMethod } from '../core/service/cross-protocol.ts';
import { commands } from './commands/index.ts';
import { BrokenResponseError } from './message-stream.ts';
import { ResponseCode, Pop3Error, Text } from './replies.ts';
import type { Pop3Session } from './session.ts';
import { parseCommandLine } from './wire.ts';

export async function dispatch(session: Pop3Session, raw: Buffer): Promise<void> {
  const parsed = parseCommandLine(raw);
  if (parsed.kind === 'invalid') {
    session.err(parsed.reason);
    countUnknown(session);
    return;
  }
  const { verb, rest } = parsed.line;
  if (isHttpMethod(verb)) {
    refuseHttp(session, verb);
    return;
  }
  const command = commands.get(verb);
  if (!command) {
    session.err(Text.unknownCommand);
    countUnknown(session);
    return;
  }
  session.unknownInARow = 0;
  // The keyword only: arguments may be passwords.
  session.conn.log.debug({ verb, state: session.state.name }, 'pop3 command');
  // RFC 2449 §4: 255 octets for commands; only AUTH may carry a longer initial response.
  if (!command.longLine && raw.length + 2 > session.limits.commandOctets) {
    session.err(Text.lineTooLong(session.limits.commandOctets));
    return;
  }
  if (!command.states.includes(session.state.name)) {
    session.err(command.wrongStateText ?? Text.wrongState(verb));
    return;
  }
  try {
    await command.run(session, command.parse(rest));
  } catch (error) {
    if (error instanceof ReadTimeoutError || error instanceof ConnectionClosedError) throw error;
    if (error instanceof BrokenResponseError) {
      // Half a message went out: only dropping the connection keeps the client from
      // taking it for a whole one. The session loop then releases the lock.
      session.conn.log.error({ err: error.cause }, 'message stream broke mid-response');
      session.conn.destroy();
      throw error;
    }
    replyToFailure(session, error);
  }
}

/** A browser or HTTP proxy probe: nothing useful can follow (nodemailer does the same). */
function refuseHttp(session: Pop3Session, verb: string): void {
  session.err(Text.httpRefused);
  session.conn.log.info({ verb }, 'HTTP request on the POP3 port');
  if (session.state.name === 'authorization') session.state = { name: 'closed' };
}

/** How an ordinary command failure becomes a reply; anything else is our fault. */
function replyToFailure(session: Pop3Session, error: unknown): void {
  if (error instanceof Pop3Error) {
    session.err(error.message, error.code);
    return;
  }
  session.conn.log.error({ err: error }, 'pop3 command failed');
  session.err(Text.internalError, ResponseCode.sysTemp);
}

/** A command line that could not be read; true when it was answered and the session goes on. */
export function replyToReadFailure(session: Pop3Session, error: unknown): boolean {
  if (!(error instanceof LineTooLongError)) return false;
  session.err(Text.lineTooLong(session.limits.commandOctets));
  return true;
}

/** The error that ended the read loop: what the client hears, if anything. */
export function replyToSessionEnd(session: Pop3Session, error: unknown): void {
  if (error instanceof ReadTimeoutError) {
    // RFC 1939 §3: an autologout timer ends the session without entering UPDATE.
    session.conn.log.info('pop3 idle timeout');
    session.err(Text.idleTimeout);
  } else if (!(error instanceof ConnectionClosedError)) {
    session.conn.log.warn({ err: error }, 'pop3 session ended by an error');
  }
}

/** Before login, several unknown commands in a row end the connection. */
function countUnknown(session: Pop3Session): void {
  if (session.state.name !== 'authorization') return;
  session.unknownInARow++;
  if (session.unknownInARow >= session.limits.unknownCommandsBeforeLogin) {
    session.err(Text.tooManyUnknown);
    session.state = { name: 'closed' };
  }
}
