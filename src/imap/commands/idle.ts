// IDLE (RFC 2177, RFC 9051 §6.3.13): "+ idling", then every change of the selected
// mailbox is sent as soon as it is committed, until the client sends DONE. The idle
// timeout of the connection (at least 30 minutes, RFC 3501 §5.4) still applies.

import { LineTooLongError } from '../../core/net/byte-reader.ts';
import { EndOfInput } from '../command-reader.ts';
import { bad } from '../replies.ts';
import { AUTHENTICATED, noArguments, type Command } from './types.ts';

export const idle: Command<void> = {
  states: AUTHENTICATED,
  parse: noArguments,
  async run(session) {
    await session.updates.sync(true);
    session.write('+ idling\r\n');
    const line = session.conn.reader.readLine(session.limits.lineOctets);
    // The pending read must never become an unhandled rejection while we wait below.
    line.catch(() => {});
    for (;;) {
      const change = session.updates.nextChange();
      const winner = await Promise.race([line.then(() => 'line' as const), change.promise.then(() => 'change' as const)]);
      change.cancel();
      if (winner === 'line') break;
      await session.updates.sync(true);
      if (session.state.name === 'logout') return { answered: true };
    }
    let done: Buffer | null;
    try {
      done = await line;
    } catch (error) {
      if (error instanceof LineTooLongError) throw bad('Expected DONE');
      throw error;
    }
    if (done === null) throw new EndOfInput();
    if (done.toString('latin1').toUpperCase() !== 'DONE') throw bad('Expected DONE');
    return { text: 'IDLE terminated' };
  },
};
