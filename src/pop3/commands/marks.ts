// RFC 1939 §5 DELE and RSET: deletion marks, acted on only in the UPDATE state.

import { Text } from '../replies.ts';
import { expectArguments, parseMessageNumber } from '../wire.ts';
import type { Command } from './types.ts';

export const dele: Command = {
  states: ['transaction'],
  run(session, rest) {
    const [arg] = expectArguments(rest, 1, 1, 'DELE message-number');
    const maildrop = session.maildrop;
    const n = parseMessageNumber(arg!, maildrop.size);
    maildrop.markDeleted(n);
    session.ok(Text.deleted(n));
  },
};

export const rset: Command = {
  states: ['transaction'],
  run(session, rest) {
    expectArguments(rest, 0, 0, 'RSET');
    const maildrop = session.maildrop;
    maildrop.unmarkAll();
    const { count, octets } = maildrop.stat();
    session.ok(Text.maildropSummary(count, octets));
  },
};
