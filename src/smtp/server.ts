// The SMTP service as the listener sees it: createSmtpHandler(deps) gives a handler
// that serves one already-connected Connection (so tests drive it over a socket
// pair) and words the refusal of a connection over the limits.

import { LineTooLongError, ReadTimeoutError } from '../core/net/byte-reader.ts';
import type { Connection } from '../core/net/connection.ts';
import type { ConnectionHandler } from '../core/net/listener.ts';
import { dispatch } from './commands/index.ts';
import { formatReply, Replies } from './replies.ts';
import { ClientGoneError, Session, type SmtpDeps } from './session.ts';

export type { SmtpDeps } from './session.ts';

export function createSmtpHandler(deps: SmtpDeps): ConnectionHandler {
  return {
    handle: (conn) => serveSession(new Session(conn, deps)),
    // RFC 5321 §3.8: 421 and close when the service cannot take the connection.
    refusal: (reason) => {
      const text = {
        'too-many': 'Too many connections, try again later',
        'too-many-from-ip': 'Too many connections from your address, try again later',
        'shutting-down': 'Server shutting down',
        banned: 'Too many failed logins from your address, try again later',
      }[reason];
      return formatReply({ code: 421, enhanced: reason === 'shutting-down' ? '4.3.2' : '4.7.0', text: `${deps.hostname} ${text}` });
    },
  };
}

/** The whole life of one connection: greeting, commands, cleanup. */
export async function serveSession(session: Session): Promise<void> {
  const { conn, config } = session;
  conn.setIdleTimeout(config.smtp.command_timeout * 1000);
  conn.write(`220 ${session.deps.hostname} ESMTP Septet\r\n`);
  // RFC 5321 §4.3.1 says clients wait for the greeting. Early talkers are mostly spam
  // bots; we answer them normally (a greet pause would delay every honest client)
  // and note it in the log for whoever tunes the filters.
  if (conn.reader.pending > 0) session.log.info({ octets: conn.reader.pending }, 'client sent data before the greeting');
  let first = true;
  try {
    while (session.state.kind !== 'closed') {
      let line: Buffer | null;
      try {
        line = await conn.reader.readLine(session.lineLimit);
      } catch (error) {
        if (!(error instanceof LineTooLongError)) throw error;
        session.reply(Replies.lineTooLong.with(`Line too long (limit ${error.limit} octets)`));
        if (closeAfterTooManyErrors(session)) break;
        continue;
      }
      if (line === null || session.refusedBareLf()) break;
      await dispatch(session, line, first);
      first = false;
      if (closeAfterTooManyErrors(session)) break;
    }
  } catch (error) {
    if (error instanceof ReadTimeoutError) {
      session.log.info('idle timeout');
      session.reply(Replies.idleTimeout);
    } else if (!(error instanceof ClientGoneError)) {
      session.log.debug({ err: (error as Error).message }, 'session ended by error');
    }
  } finally {
    // A transaction cut off (disconnect mid-DATA/BDAT) delivers nothing.
    await session.resetTransaction();
    session.close();
  }
}

function closeAfterTooManyErrors(session: Session): boolean {
  if (session.state.kind === 'closed') return true;
  if (session.errors < session.config.smtp.max_errors) return false;
  session.log.info({ errors: session.errors }, 'too many errors, closing');
  session.reply(Replies.tooManyErrors);
  session.close();
  return true;
}
