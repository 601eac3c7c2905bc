// RFC 2595 §4: STLS, in AUTHORIZATION state only and not once TLS is active.

import { ConnectionClosedError } from '../../core/net/connection.ts';
import { Pop3Error, Text } from '../replies.ts';
import { noArguments } from '../wire.ts';
import type { Command } from './types.ts';

export const stls: Command<void> = {
  states: ['authorization'],
  wrongStateText: Text.stlsOnlyBeforeLogin,
  parse: noArguments('STLS'),
  async run(session) {
    if (session.conn.secure) throw new Pop3Error(Text.tlsActive);
    if (!session.stlsAvailable) throw new Pop3Error(Text.tlsUnavailable);
    session.ok(Text.beginTls);
    // startTls drops any pipelined plaintext (RFC 2595 §3.1 command injection).
    try {
      await session.conn.startTls(session.deps.tls);
    } catch (error) {
      // Nothing sensible can be said on a half-negotiated connection: drop it.
      session.conn.log.info({ err: (error as Error).message }, 'STLS handshake failed');
      session.conn.destroy();
      throw new ConnectionClosedError();
    }
    // RFC 2595 §4: forget what the client said before TLS (a USER name, for one).
    session.state = { name: 'authorization', user: null };
    session.unknownInARow = 0;
  },
};
