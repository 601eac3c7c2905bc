// The IMAP service: builds a handler that runs one ImapSession per accepted connection
// (ports 143 with STARTTLS and 993 with implicit TLS), and the line a refused client
// hears. Listening is core/net's job, so tests drive sessions over any socket.

import type { ConnectionHandler, RefusalReason } from '../core/net/listener.ts';
import { Code, Text, untaggedStatus } from './replies.ts';
import { ImapSession, type ImapDeps } from './session.ts';

export type { ImapDeps } from './session.ts';

const refusalTexts: Record<RefusalReason, string> = {
  'too-many': Text.refusedTooMany,
  'too-many-from-ip': Text.refusedTooManyFromIp,
  'shutting-down': Text.refusedShuttingDown,
  banned: Text.refusedBanned,
};

/** The greeting that replaces "* OK" for a refused client ('starting': the service is not up yet). */
export function imapRefusal(reason: RefusalReason | 'starting'): string {
  // RFC 3501 §7.1.5: BYE instead of a greeting; RFC 5530 §3: UNAVAILABLE is temporary.
  return untaggedStatus('BYE', reason === 'starting' ? Text.refusedStarting : refusalTexts[reason], Code.unavailable);
}

export function createImapHandler(deps: ImapDeps): ConnectionHandler {
  return {
    async handle(conn) {
      await new ImapSession(conn, deps).run();
    },
    refusal: imapRefusal,
  };
}
