// The POP3 service: builds a handler that runs one Pop3Session per accepted
// connection, and the line a refused client hears. Listening is the listener's job
// (core/net), so tests drive sessions over any socket.

import type { ConnectionHandler, RefusalReason } from '../core/net/listener.ts';
import { errLine, ResponseCode, Text } from './replies.ts';
import { Pop3Session, type Pop3Deps } from './session.ts';

export type { Pop3Deps } from './session.ts';

const refusalTexts: Record<RefusalReason, string> = {
  'too-many': Text.refusedTooMany,
  'too-many-from-ip': Text.refusedTooManyFromIp,
  'shutting-down': Text.refusedShuttingDown,
  banned: Text.refusedBanned,
};

/** The greeting that replaces "+OK" for a refused client ('starting': the service is not up yet). */
export function pop3Refusal(reason: RefusalReason | 'starting'): string {
  // RFC 3206 §4: SYS/TEMP, the client may try again later.
  return errLine(reason === 'starting' ? Text.refusedStarting : refusalTexts[reason], ResponseCode.sysTemp);
}

export function createPop3Handler(deps: Pop3Deps): ConnectionHandler {
  return {
    async handle(conn) {
      await new Pop3Session(conn, deps).run();
    },
    refusal: pop3Refusal,
  };
}
