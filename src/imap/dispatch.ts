// The one place where a framed command meets the command table: look up, check the
// state, parse, run, send pending updates, and turn every failure into a tagged reply
// (mox-style): ImapError as given, StoreError by its code, anything else as
// NO [SERVERBUG] plus a log line with the session id, never a stack on the wire.

import { ReadTimeoutError } from '../core/net/byte-reader.ts';
import { ConnectionClosedError } from '../core/net/connection.ts';
import { isHttpMethod } from '../core/service/cross-protocol.ts';
import { StoreError } from '../core/store/types.ts';
import { EndOfInput, type PendingLiteral, type ReadResult } from './command-reader.ts';
import { commands } from './commands/index.ts';
import { Code, ImapError, taggedLine, Text, untaggedStatus } from './replies.ts';
import type { ImapSession } from './session.ts';

export async function dispatch(session: ImapSession, read: ReadResult & { kind: 'command' }): Promise<void> {
  const { tag, verb, args, literal } = read;
  const command = commands.get(verb);
  try {
    if (!command) {
      answerUnknown(session, tag);
      return;
    }
    if (session.countBeforeLogin(false)) return;
    // The verb only: arguments may be passwords.
    session.log.debug({ verb, state: session.state.name }, 'imap command');
    if (!command.states.includes(session.state.name)) {
      // RFC 3501 §7.1.3: BAD for a command not valid in this state.
      session.write(taggedLine(tag, 'BAD', Text.wrongState(verb, session.state.name)));
      return;
    }
    const uid = verb.startsWith('UID ');
    const parsed = command.parse(args, { uid, utf8: session.utf8 });
    const result = (await command.run(session, parsed, { tag, verb, uid, literal })) ?? {};
    if (result.answered) return;
    // A command that ended the session (LOGOUT) has already answered.
    if (session.state.name === 'logout' && verb !== 'LOGOUT') return;
    if (verb !== 'LOGOUT') await session.updates.sync(!command.noExpunge || uid);
    if (session.state.name === 'logout' && verb !== 'LOGOUT') return;
    session.write(taggedLine(tag, 'OK', result.text ?? `${verb} completed`, result.code ?? null));
  } catch (error) {
    if (error instanceof ReadTimeoutError || error instanceof ConnectionClosedError || error instanceof EndOfInput) throw error;
    replyToFailure(session, tag, verb, error);
  } finally {
    if (literal) await disposeLiteral(session, literal);
  }
}

/** A verb not in the table: an HTTP request line closes the session, anything else is BAD. */
function answerUnknown(session: ImapSession, tag: string): void {
  if (isHttpMethod(tag)) {
    // "GET / HTTP/1.1": a browser or proxy probe; nothing useful can follow.
    session.write(untaggedStatus('BYE', Text.httpRefused));
    session.state = { name: 'logout' };
    return;
  }
  session.write(taggedLine(tag, 'BAD', Text.unknownCommand));
  session.countBeforeLogin(true);
}

/** An APPEND literal the command did not take is read and dropped, or the session ends. */
async function disposeLiteral(session: ImapSession, literal: PendingLiteral): Promise<void> {
  // Before login nobody may make us read (even to discard) a large literal.
  const limit = session.state.name === 'not-authenticated' ? session.limits.unauthenticatedLiteralOctets : session.limits.appendLiteralOctets;
  if (!(await literal.dispose(limit))) {
    session.write(untaggedStatus('BYE', Text.literalTooBig(limit)));
    session.state = { name: 'logout' };
  }
}

/** Maps a failure to "tag NO|BAD [code] text". */
export function replyToFailure(session: ImapSession, tag: string, verb: string, error: unknown): void {
  if (error instanceof ImapError) {
    session.write(taggedLine(tag, error.status, error.message, error.code));
    return;
  }
  if (error instanceof StoreError) {
    const mapped = storeErrorReply(error);
    if (mapped) {
      session.write(taggedLine(tag, 'NO', mapped.text, mapped.code));
      return;
    }
  }
  session.log.error({ err: error, verb }, 'imap command failed');
  session.write(taggedLine(tag, 'NO', Text.internalError, Code.serverBug));
}

/** The error that ended the read loop: the BYE the client hears, if any. */
export function replyToSessionEnd(session: ImapSession, error: unknown): void {
  if (error instanceof ReadTimeoutError) {
    // RFC 3501 §5.4: autologout, announced with BYE.
    session.log.info({ state: session.state.name }, 'imap autologout');
    session.write(untaggedStatus('BYE', session.state.name === 'not-authenticated' ? Text.loginTimeout : Text.idleTimeout));
  } else if (!(error instanceof ConnectionClosedError) && !(error instanceof EndOfInput)) {
    session.log.warn({ err: error }, 'imap session ended by an error');
    session.write(untaggedStatus('BYE', Text.internalError, Code.serverBug));
  }
}

/** RFC 5530 codes for the store's own refusals. */
function storeErrorReply(error: StoreError): { code: string; text: string } | null {
  switch (error.code) {
    case 'not-found':
      return { code: Code.nonExistent, text: Text.noMailbox };
    case 'exists':
      return { code: Code.alreadyExists, text: 'Mailbox already exists' };
    case 'quota':
      return { code: Code.overQuota, text: 'Quota exceeded' };
    case 'locked':
      return { code: Code.inUse, text: 'Mailbox is in use, try again later' };
    case 'invalid':
      return { code: Code.cannot, text: error.message };
    default:
      return null;
  }
}
