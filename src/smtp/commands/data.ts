// DATA (RFC 5321 §4.1.1.4): 354, then the dot-terminated, dot-stuffed body (§4.5.2),
// streamed into storage. A body cut off by a disconnect delivers nothing. Only
// <CRLF>.<CRLF> ends it; a bare CR or LF refuses it (smtp.bare_newline = "reject").

import { ConnectionClosedError } from '../../core/net/connection.ts';
import { DotDecoder } from '../../core/net/dot-decoder.ts';
import { bodySink, finishBody, openBody, withDataTimeout } from '../data.ts';
import { Replies, SmtpError } from '../replies.ts';
import type { BodyInProgress, SmtpSession } from '../session.ts';
import { command, noArguments } from './command.ts';

export const data = command({
  states: ['rcpt'],
  sequenceHint: (state) =>
    state === 'mail' ? 'No valid recipients' : state === 'bdat' ? 'DATA cannot follow BDAT' /* RFC 3030 §2 */ : state === 'greeting' ? 'Send HELO/EHLO first' : 'Send MAIL first',
  parse: noArguments('DATA takes no arguments'),
  run: async (session) => {
    const state = session.state;
    if (state.name !== 'rcpt') throw new SmtpError(Replies.badSequence);
    const body = await openBody(session, state.client, state.envelope);
    session.reply(Replies.startData);
    const { bareNewline, failure } = await receiveDotBody(session, body);
    if (bareNewline) await refuseBareNewline(session, body);
    else await finishBody(session, state.envelope, body, failure);
  },
});

/** Reads the body to <CRLF>.<CRLF> into the writer; a connection lost on the way discards it. */
async function receiveDotBody(session: SmtpSession, body: BodyInProgress): Promise<{ bareNewline: boolean; failure: unknown }> {
  const { sink, failure } = bodySink(body);
  const decoder = new DotDecoder();
  const refuseBare = session.config.smtp.bare_newline === 'reject';
  // A message already known to be refused is read to its end but no longer stored.
  const guarded = (chunk: Buffer) => (refuseBare && decoder.bareNewline ? undefined : sink(chunk));
  let complete = false;
  try {
    complete = await withDataTimeout(session, () => session.conn.reader.pipeDotTerminated(guarded, decoder));
  } finally {
    if (!complete) {
      await body.writer.abort().catch(() => {});
      session.log.info({ msgid: body.messageId, octets: body.writer.size }, 'connection lost during DATA; message discarded');
    }
  }
  if (!complete) throw new ConnectionClosedError();
  return { bareNewline: refuseBare && decoder.bareNewline, failure: failure() };
}

/**
 * The body was read to the real <CRLF>.<CRLF>, so whatever a smuggler put after a fake
 * end is discarded with the message, never run as commands (RFC 5321 §4.1.1.4).
 */
async function refuseBareNewline(session: SmtpSession, body: BodyInProgress): Promise<void> {
  await body.writer.abort().catch(() => {});
  session.log.info({ msgid: body.messageId }, 'message refused: bare CR or LF in DATA');
  session.reply(Replies.bareNewlineInData);
  await session.resetTransaction();
}
