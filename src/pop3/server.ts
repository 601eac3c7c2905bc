// The POP3 service: builds a handler that runs one Pop3Session per accepted
// connection, and the line a refused client hears. Listening is the listener's job
// (core/net), so tests drive sessions over any socket.

import type { ConnectionHandler } from '../core/net/listener.ts';
import { refusalText, type Refusal } from '../core/service/refusals.ts';
import { errLine, ResponseCode } from './replies.ts';
import { Pop3Session, type Pop3Deps } from './session.ts';

export type { Pop3Deps } from './session.ts';

/** The greeting that replaces "+OK" for a refused client ('starting': the service is not up yet). */
export function pop3Refusal(reason: Refusal): string {
  // RFC 3206 §4: SYS/TEMP, the client may try again later.
  return errLine(refusalText[reason], ResponseCode.sysTemp);
}

export function createPop3Handler(deps: Pop3Deps): ConnectionHandler {
  return {
    async handle(conn) {
      await new Pop3Session(conn, deps).run();
    },
    refusal: pop3Refusal,
  };
}
