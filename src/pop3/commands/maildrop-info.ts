// RFC 1939 §5 STAT and LIST, §7 UIDL: what is in the maildrop, by number.

import { sendListing } from '../message-stream.ts';
import { okLine, Text } from '../replies.ts';
import { noArguments, parseOptionalMessageNumber } from '../wire.ts';
import type { Command } from './types.ts';

export const stat: Command<void> = {
  states: ['transaction'],
  parse: noArguments('STAT'),
  run(session) {
    const { count, octets } = session.maildrop.stat();
    // RFC 1939 §5: exactly "+OK nn mm"; clients parse it, so no further text.
    session.ok(`${count} ${octets}`);
  },
};

export const list: Command<number | null> = {
  states: ['transaction'],
  parse: (rest) => parseOptionalMessageNumber(rest, 'LIST [message-number]'),
  async run(session, n) {
    const maildrop = session.maildrop;
    if (n !== null) {
      session.ok(`${n} ${maildrop.message(n).size}`);
      return;
    }
    const { count, octets } = maildrop.stat();
    const lines = (function* () {
      for (const { n, meta } of maildrop.live()) yield `${n} ${meta.size}`;
    })();
    await sendListing(session.conn, okLine(Text.listFollows(count, octets)), lines);
  },
};

export const uidl: Command<number | null> = {
  states: ['transaction'],
  parse: (rest) => parseOptionalMessageNumber(rest, 'UIDL [message-number]'),
  async run(session, n) {
    const maildrop = session.maildrop;
    if (n !== null) {
      session.ok(`${n} ${maildrop.uniqueId(maildrop.message(n))}`);
      return;
    }
    const lines = (function* () {
      for (const { n, meta } of maildrop.live()) yield `${n} ${maildrop.uniqueId(meta)}`;
    })();
    await sendListing(session.conn, okLine(Text.uidlFollows), lines);
  },
};
