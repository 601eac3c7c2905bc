// The SMTP service as the listener sees it: createSmtpHandler(deps) gives a handler
// that serves one already-connected Connection (so tests drive it over a socket
// pair) and words the refusal of a connection over the limits.

import type { ConnectionHandler } from '../core/net/listener.ts';
import { formatReply } from './replies.ts';
import { SmtpSession, type SmtpDeps } from './session.ts';

export type { SmtpDeps } from './session.ts';

export function createSmtpHandler(deps: SmtpDeps): ConnectionHandler {
  return {
    handle: (conn) => new SmtpSession(conn, deps).run(),
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
