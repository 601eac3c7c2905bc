// The one place where a command line meets the command table: parse, look up,
// check the state, run, and turn failures into -ERR replies (mox-style dispatcher).

import { ReadTimeoutError } from '../core/net/byte-reader.ts';
import { ConnectionClosedError } from '../core/net/connection.ts';
import { isHttpMethod } from '../core/service/cross-protocol.ts';
import { commands } from './commands/index.ts';
import { BrokenResponseError } from './message-stream.ts';
import { Text } from './replies.ts';
import { replyToFailure, type Pop3Session } from './session.ts';
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
    // A browser or HTTP proxy probe: nothing useful can follow (nodemailer does the same).
    session.err(Text.httpRefused);
    session.conn.log.info({ verb }, 'HTTP request on the POP3 port');
    if (session.state.name === 'authorization') session.state = { name: 'closed' };
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
    await command.run(session, rest);
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

/** Before login, several unknown commands in a row end the connection. */
function countUnknown(session: Pop3Session): void {
  if (session.state.name !== 'authorization') return;
  session.unknownInARow++;
  if (session.unknownInARow >= session.limits.unknownCommandsBeforeLogin) {
    session.err(Text.tooManyUnknown);
    session.state = { name: 'closed' };
  }
}
