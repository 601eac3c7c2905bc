// The one place where a command line meets the command table: parse the line, check
// the verb exists and is allowed in the session's state, parse the arguments, run.
// SmtpError becomes its reply; any other error a 451 4.3.0 and a log line with the
// session id.

import { ReadTimeoutError } from '../core/net/byte-reader.ts';
import { commands } from './commands/index.ts';
import { Replies, SmtpError } from './replies.ts';
import { ClientGoneError, type SmtpSession, type StateName } from './session.ts';
import { isHttpVerb, parseCommandLine } from './wire.ts';

const defaultHints: Record<StateName, string> = {
  greeting: 'Send HELO/EHLO first',
  ready: 'Send MAIL first',
  mail: 'Send RCPT first: no valid recipients yet',
  rcpt: 'Not allowed during a mail transaction',
  bdat: 'Only BDAT, RSET, NOOP and QUIT are allowed during BDAT', // RFC 3030 §2: no mixing DATA and BDAT
  closed: 'Connection closing',
};

export async function dispatch(session: SmtpSession, line: Buffer, first: boolean): Promise<void> {
  let verb = '';
  try {
    const parsed = parseCommandLine(line);
    verb = parsed.verb;
    if (first && isHttpVerb(verb)) {
      // A browser or a cross-protocol attack: nothing good can follow.
      session.log.info({ verb }, 'HTTP request on the SMTP port');
      session.reply(Replies.httpRefused);
      session.close();
      return;
    }
    const spec = commands[verb];
    if (!spec || !Object.hasOwn(commands, verb)) throw Replies.syntaxError.with(`Command unrecognized: ${verb.slice(0, 16)}`);
    const state = session.state.name;
    if (!spec.states.includes(state)) {
      await spec.drainOnRefusal?.(session, parsed.args);
      throw Replies.badSequence.with(spec.sequenceHint?.(state) ?? defaultHints[state]);
    }
    const args = spec.parse(parsed.args, session);
    await spec.run(session, args);
  } catch (error) {
    if (error instanceof SmtpError) {
      session.reply(error);
      return;
    }
    // Ends of the connection are for the session loop to handle.
    if (error instanceof ReadTimeoutError || error instanceof ClientGoneError) throw error;
    session.log.error({ err: error, verb }, 'internal error in SMTP command');
    session.reply(Replies.localError);
  }
}
