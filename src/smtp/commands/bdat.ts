// BDAT (RFC 3030 §2, CHUNKING): chunks of exactly N octets, the last one marked LAST.
// The chunk octets are always read, even when the command is refused, so they are
// never taken for commands.

import { ConnectionClosedError } from '../../core/net/connection.ts';
import { bodySink, finishBody, openBody, withDataTimeout } from '../data.ts';
import { Replies, SmtpError } from '../replies.ts';
import type { BodyInProgress, ClientIdentity, Envelope, SmtpSession } from '../session.ts';
import { parseBdatArgs } from '../wire.ts';
import { command } from './command.ts';

async function discardChunk(session: SmtpSession, size: number): Promise<void> {
  if (!(await session.conn.reader.pipeExact(size, () => {}))) throw new ConnectionClosedError();
}

/** The first chunk opens the body; if that fails its octets are still read and the transaction ends. */
async function startBody(session: SmtpSession, client: ClientIdentity, envelope: Envelope, size: number): Promise<BodyInProgress> {
  let body: BodyInProgress;
  try {
    body = await openBody(session, client, envelope);
  } catch (error) {
    await discardChunk(session, size);
    await session.resetTransaction();
    throw error;
  }
  session.state = { name: 'bdat', client, envelope, body };
  return body;
}

export const bdat = command({
  states: ['rcpt', 'bdat'],
  sequenceHint: (state) => (state === 'mail' ? 'No valid recipients' : state === 'greeting' ? 'Send HELO/EHLO first' : 'Send MAIL first'),
  parse: (args) => parseBdatArgs(args),
  drainOnRefusal: async (session, args) => {
    let size: number;
    try {
      size = parseBdatArgs(args).size;
    } catch {
      return; // no size, nothing we can skip
    }
    await discardChunk(session, size);
  },
  run: async (session, { size, last }) => {
    const state = session.state;
    if (state.name !== 'rcpt' && state.name !== 'bdat') throw new SmtpError(Replies.badSequence);
    const body = state.name === 'bdat' ? state.body : await startBody(session, state.client, state.envelope, size);
    const { sink, failure } = bodySink(body);
    const complete = await withDataTimeout(session, () => session.conn.reader.pipeExact(size, sink));
    if (!complete) throw new ConnectionClosedError(); // the session loop aborts the body
    if (last || failure() || body.writer.oversize) {
      // RFC 3030 §2: an error ends the transaction; the client must RSET or start anew.
      await finishBody(session, state.envelope, body, failure());
      return;
    }
    session.reply(Replies.chunkReceived(size));
  },
});
