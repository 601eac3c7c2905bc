// RFC 1939 §5 RETR and §7 TOP: a stored message, streamed and byte-stuffed.

import { sendMessage } from '../message-stream.ts';
import { okLine, Text } from '../replies.ts';
import { TopFilter } from '../top-filter.ts';
import { expectArguments, parseLineCount, parseMessageNumber } from '../wire.ts';
import type { Command } from './types.ts';

export const retr: Command = {
  states: ['transaction'],
  async run(session, rest) {
    const [arg] = expectArguments(rest, 1, 1, 'RETR message-number');
    const maildrop = session.maildrop;
    const meta = maildrop.message(parseMessageNumber(arg!, maildrop.size));
    // RFC 1939 §11: the size is the stored octets with CRLF line ends, before stuffing.
    await sendMessage(session.conn, okLine(Text.messageFollows(meta.size)), session.deps.store.blobs.read(meta.blobId, { start: 0, end: meta.size }));
  },
};

export const top: Command = {
  states: ['transaction'],
  async run(session, rest) {
    const [numberArg, linesArg] = expectArguments(rest, 2, 2, 'TOP message-number lines');
    const maildrop = session.maildrop;
    const meta = maildrop.message(parseMessageNumber(numberArg!, maildrop.size));
    const filter = new TopFilter(parseLineCount(linesArg!));
    await sendMessage(session.conn, okLine(Text.topFollows), session.deps.store.blobs.read(meta.blobId, { start: 0, end: meta.size }), filter);
  },
};
