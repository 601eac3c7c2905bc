// DATA (RFC 5321 §4.1.1.4): 354, then the dot-terminated, dot-stuffed body (§4.5.2),
// streamed into storage. A body cut off by a disconnect delivers nothing. Only
// <CRLF>.<CRLF> ends it; a bare CR or LF refuses it (smtp.bare_newline = "reject").

import { DotDecoder } from '../../core/net/dot-decoder.ts';
import { ClientGoneError } from '../session.ts';
import { bodySink, finishBody, openBody } from '../data.ts';
import { Replies } from '../replies.ts';
import { command } from './command.ts';

export const data = command({
  states: ['rcpt'],
  sequenceHint: (state) =>
    state === 'mail' ? 'No valid recipients' : state === 'bdat' ? 'DATA cannot follow BDAT' /* RFC 3030 §2 */ : state === 'greeting' ? 'Send HELO/EHLO first' : 'Send MAIL first',
  parse: (args) => {
    if (args.trim() !== '') throw Replies.badArguments.with('DATA takes no arguments');
  },
  run: async (session) => {
    const state = session.state;
    if (state.name !== 'rcpt') throw Replies.badSequence;
    const body = await openBody(session, state.client, state.envelope);
    const { sink, failure } = bodySink(session, body);
    const { conn, config } = session;
    session.reply(Replies.startData);
    conn.setIdleTimeout(config.smtp.data_timeout * 1000);
    let complete = false;
    const decoder = new DotDecoder();
    const refuseBare = config.smtp.bare_newline === 'reject';
    // A message already known to be refused is read to its end but no longer stored.
    const guarded = (chunk: Buffer) => (refuseBare && decoder.bareNewline ? undefined : sink(chunk));
    try {
      complete = await conn.reader.pipeDotTerminated(guarded, decoder);
    } finally {
      if (!complete) {
        await body.writer.abort().catch(() => {});
        session.log.info({ msgid: body.messageId, octets: body.writer.size }, 'connection lost during DATA; message discarded');
      }
      conn.setIdleTimeout(config.smtp.command_timeout * 1000);
    }
    if (!complete) throw new ClientGoneError();
    if (refuseBare && decoder.bareNewline) {
      // Read to the real <CRLF>.<CRLF>, so whatever a smuggler put after a fake end is
      // discarded with the message, never run as commands (RFC 5321 §4.1.1.4).
      await body.writer.abort().catch(() => {});
      session.log.info({ msgid: body.messageId }, 'message refused: bare CR or LF in DATA');
      session.reply(Replies.bareNewlineInData);
      await session.resetTransaction();
      return;
    }
    await finishBody(session, state.envelope, body, failure());
  },
});
