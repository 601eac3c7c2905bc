// The IMAP service: builds a handler that runs one ImapSession per accepted connection
// (ports 143 with STARTTLS and 993 with implicit TLS). Listening is core/net's job, so
// tests drive sessions over any socket.

import type { ConnectionHandler, RefusalReason } from '../core/net/listener.ts';
import { Code, untaggedStatus } from './replies.ts';
import { ImapSession, type ImapDeps } from './session.ts';

export type { ImapDeps } from './session.ts';

const refusalTexts: Record<RefusalReason, string> = {
  'too-many': 'Too many connections, try again later',
  'too-many-from-ip': 'Too many connections from your address, try again later',
  'shutting-down': 'Server shutting down, try again later',
  banned: 'Too many failed logins from your address, try again later',
};

export function createImapHandler(deps: ImapDeps): ConnectionHandler {
  return {
    async handle(conn) {
      await new ImapSession(conn, deps).run();
    },
    refusal(reason) {
      // RFC 3501 §7.1.5: BYE instead of a greeting; RFC 5530 §3: UNAVAILABLE is temporary.
      return untaggedStatus('BYE', refusalTexts[reason], Code.unavailable);
    },
  };
}
