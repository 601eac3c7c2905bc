// STARTTLS (RFC 3207). After the handshake the session starts over: no HELO, no
// authentication, no transaction (§4.2); Connection.startTls drops any bytes the
// client pipelined after the command (the command-injection attack).

import { Replies, SmtpError } from '../replies.ts';
import { ConnectionClosedError } from '../../core/net/connection.ts';
import { command, noArguments } from './command.ts';

export const starttls = command({
  states: ['greeting', 'ready'],
  sequenceHint: () => 'STARTTLS not allowed during a mail transaction',
  parse: noArguments('STARTTLS takes no arguments'), // §4: 501
  run: async (session) => {
    if (session.conn.secure) throw new SmtpError(Replies.badSequence, 'TLS already active');
    session.reply(Replies.readyForTls);
    try {
      await session.conn.startTls(session.deps.tls);
    } catch (error) {
      session.log.info({ err: (error as Error).message }, 'TLS handshake failed');
      throw new ConnectionClosedError();
    }
    session.state = { name: 'greeting' };
    session.account = null;
  },
});
