// The IMAP service: builds a handler that runs one ImapSession per accepted connection
// (ports 143 with STARTTLS and 993 with implicit TLS), and the line a refused client
// hears. Listening is core/net's job, so tests drive sessions over any socket.

import type { ConnectionHandler } from '../core/net/listener.ts';
import { refusalText, type Refusal } from '../core/service/refusals.ts';
import { Code, untaggedStatus } from './replies.ts';
import { ImapSession, type ImapDeps } from './session.ts';

export type { ImapDeps } from './session.ts';

/** The greeting that replaces "* OK" for a refused client ('starting': the service is not up yet). */
export function imapRefusal(reason: Refusal): string {
  // RFC 3501 §7.1.5: BYE instead of a greeting; RFC 5530 §3: UNAVAILABLE is temporary.
  return untaggedStatus('BYE', refusalText[reason], Code.unavailable);
}

export function createImapHandler(deps: ImapDeps): ConnectionHandler {
  return {
    async handle(conn) {
      await new ImapSession(conn, deps).run();
    },
    refusal: imapRefusal,
  };
}
