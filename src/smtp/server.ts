// The SMTP service as the listener sees it: createSmtpHandler(deps) gives a handler
// that runs one SmtpSession per already-connected Connection (so tests drive it over
// a socket pair), and smtpRefusal words the refusal of a connection the service
// cannot take (over the limits, shutting down, or still starting).

import type { ConnectionHandler } from '../core/net/listener.ts';
import type { Refusal } from '../core/service/refusals.ts';
import { refusalLine } from './replies.ts';
import { SmtpSession, type SmtpDeps } from './session.ts';

export type { SmtpDeps } from './session.ts';

export function createSmtpHandler(deps: SmtpDeps): ConnectionHandler {
  return {
    handle: (conn) => new SmtpSession(conn, deps).run(),
    refusal: (reason) => smtpRefusal(reason, deps.hostname),
  };
}

/**
 * RFC 5321 §3.8: 421 and close. The hostname prefixes the text once the service knows
 * it; the 'starting' line (the listener is bound, the service not yet ready) has none.
 */
export function smtpRefusal(reason: Refusal, hostname = ''): string {
  return refusalLine(reason, hostname);
}
