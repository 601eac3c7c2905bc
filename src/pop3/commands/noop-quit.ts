// RFC 1939 §5 NOOP, §4 and §6 QUIT (the way into the UPDATE state).

import { Pop3Error, ResponseCode, Text } from '../replies.ts';
import { noArguments } from '../wire.ts';
import type { Command } from './types.ts';

export const noop: Command<void> = {
  states: ['transaction'],
  parse: noArguments('NOOP'),
  run(session) {
    session.ok(Text.noop);
  },
};

export const quit: Command<void> = {
  states: ['authorization', 'transaction'],
  parse: noArguments('QUIT'),
  async run(session) {
    const state = session.state;
    if (state.name !== 'transaction') {
      // RFC 1939 §4: QUIT in AUTHORIZATION just ends the session.
      session.ok(Text.signingOff);
      session.state = { name: 'closed' };
      return;
    }
    // RFC 1939 §6: only QUIT from TRANSACTION enters UPDATE and removes marked messages.
    const maildrop = state.maildrop;
    session.state = { name: 'update', maildrop };
    try {
      const deleted = await maildrop.commitDeletions();
      session.ok(Text.signingOffAfterUpdate(deleted));
    } catch (error) {
      session.conn.log.error({ err: error }, 'POP3 UPDATE failed');
      // RFC 1939 §6: "-ERR some deleted messages not removed"; RFC 3206: temporary.
      throw new Pop3Error(Text.updateFailed, ResponseCode.sysTemp);
    } finally {
      await maildrop.release().catch((error: unknown) => session.conn.log.error({ err: error }, 'cannot release the POP3 maildrop lock'));
      session.state = { name: 'closed' };
    }
  },
};
