// RFC 1939 §5 DELE and RSET: deletion marks, acted on only in the UPDATE state.

import { Text } from '../replies.ts';
import { expectArguments, noArguments, parseMessageNumber } from '../wire.ts';
import type { Command } from './types.ts';

export const dele: Command<number> = {
  states: ['transaction'],
  parse: (rest) => parseMessageNumber(expectArguments(rest, 1, 1, 'DELE message-number')[0]!),
  run(session, n) {
    session.maildrop.markDeleted(n);
    session.ok(Text.deleted(n));
  },
};

export const rset: Command<void> = {
  states: ['transaction'],
  parse: noArguments('RSET'),
  run(session) {
    const maildrop = session.maildrop;
    maildrop.unmarkAll();
    const { count, octets } = maildrop.stat();
    session.ok(Text.maildropSummary(count, octets));
  },
};
