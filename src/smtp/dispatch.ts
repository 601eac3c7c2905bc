// The one place where a command line meets the command table: parse the line, look the
// verb up, check it is allowed in the session's state, parse the arguments, run. And
// the one place where failures become replies: an SmtpError gives the reply it carries,
// a line over the limit 500 5.5.6, a quota refusal at delivery 452/552, anything else
// 451 4.3.0 and a log line with the session id (never a stack trace on the wire). A
// timeout or a closed connection ends the session (replyToSessionEnd).

import { LineTooLongError, ReadTimeoutError } from '../core/net/byte-reader.ts';
import { ConnectionClosedError } from '../core/net/connection.ts';
import { isHttpMethod } from '../core/service/cross-protocol.ts';
import { DeliveryError } from '../mail/deliver.ts';
import type { Command } from './commands/command.ts';
import { commands } from './commands/index.ts';
import { lineLimitText, Replies, SmtpError, type SmtpReply } from './replies.ts';
import type { SmtpSession, StateName } from './session.ts';
import { parseCommandLine } from './wire.ts';

const defaultHints: Record<StateName, string> = {
  greeting: 'Send HELO/EHLO first',
  ready: 'Send MAIL first',
  mail: 'Send RCPT first: no valid recipients yet',
  rcpt: 'Not allowed during a mail transaction',
  bdat: 'Only BDAT, RSET, NOOP and QUIT are allowed during BDAT', // RFC 3030 §2: no mixing DATA and BDAT
  closed: 'Connection closing',
};

/** Runs one command line; `first` is true for the session's first one (the HTTP probe check). */
export async function dispatch(session: SmtpSession, line: Buffer, first: boolean): Promise<void> {
  let verb = '';
  try {
    const parsed = parseCommandLine(line);
    verb = parsed.verb;
    if (first && isHttpMethod(verb)) {
      // A browser or a cross-protocol attack: nothing good can follow.
      session.log.info({ verb }, 'HTTP request on the SMTP port');
      session.reply(Replies.httpRefused);
      session.close();
      return;
    }
    const spec = lookUp(verb);
    await requireState(session, spec, parsed.args);
    await spec.run(session, spec.parse(parsed.args));
  } catch (error) {
    replyToFailure(session, error, verb);
  }
}

function lookUp(verb: string): Command {
  const spec = Object.hasOwn(commands, verb) ? commands[verb] : undefined;
  if (!spec) throw new SmtpError(Replies.syntaxError, `Command unrecognized: ${verb.slice(0, 16)}`);
  return spec;
}

/** 503 5.5.1 outside the command's states (RFC 5321 §4.1.4), after swallowing any payload it carries. */
async function requireState(session: SmtpSession, spec: Command, args: string): Promise<void> {
  const state = session.state.name;
  if (spec.states.includes(state)) return;
  await spec.drainOnRefusal?.(session, args);
  throw new SmtpError(Replies.badSequence, spec.sequenceHint?.(state) ?? defaultHints[state]);
}

/** Answers a failed command. A timeout or a closed connection is rethrown: it ends the session. */
export function replyToFailure(session: SmtpSession, error: unknown, verb = ''): void {
  if (error instanceof ReadTimeoutError || error instanceof ConnectionClosedError) throw error;
  session.reply(failureReply(session, error, verb));
}

function failureReply(session: SmtpSession, error: unknown, verb: string): SmtpReply {
  if (error instanceof SmtpError) return error.reply;
  if (error instanceof LineTooLongError) return Replies.lineTooLong.with(lineLimitText(error.limit));
  if (error instanceof DeliveryError && error.reason === 'quota-temporary') return Replies.quotaTemporary;
  if (error instanceof DeliveryError && error.reason === 'quota-permanent') return Replies.quotaPermanent;
  session.log.error({ err: error, verb }, 'internal error in SMTP command');
  return Replies.localError;
}

/** What the client hears when the session ends by an error: 421 on a timeout (RFC 5321 §4.5.3.2), else nothing. */
export function replyToSessionEnd(session: SmtpSession, error: unknown): void {
  if (error instanceof ReadTimeoutError) {
    session.log.info('idle timeout');
    session.reply(Replies.idleTimeout);
  } else if (!(error instanceof ConnectionClosedError)) {
    session.log.debug({ err: (error as Error).message }, 'session ended by error');
  }
}
