// BDAT (RFC 3030 §2, CHUNKING): chunks of exactly N octets, the last one marked LAST.
// The chunk octets are always read, even when the command is refused, so they are
// never taken for commands.

import { ClientGoneError, type SmtpSession } from '../session.ts';
import { bodySink, finishBody, openBody } from '../data.ts';
import { Replies } from '../replies.ts';
import { parseBdatArgs } from '../wire.ts';
import { command } from './command.ts';

async function discardChunk(session: SmtpSession, size: number): Promise<void> {
  if (!(await session.conn.reader.pipeExact(size, () => {}))) throw new ClientGoneError();
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
    if (state.name !== 'rcpt' && state.name !== 'bdat') throw Replies.badSequence;
    let body = state.name === 'bdat' ? state.body : null;
    if (!body) {
      try {
        body = await openBody(session, state.client, state.envelope);
      } catch (error) {
        await discardChunk(session, size);
        await session.resetTransaction();
        throw error;
      }
      session.state = { name: 'bdat', client: state.client, envelope: state.envelope, body };
    }
    const { sink, failure } = bodySink(session, body);
    const { conn, config } = session;
    conn.setIdleTimeout(config.smtp.data_timeout * 1000);
    let complete = false;
    try {
      complete = await conn.reader.pipeExact(size, sink);
    } finally {
      conn.setIdleTimeout(config.smtp.command_timeout * 1000);
    }
    if (!complete) throw new ClientGoneError(); // the session loop aborts the body
    if (last || failure() || body.writer.oversize) {
      // RFC 3030 §2: an error ends the transaction; the client must RSET or start anew.
      await finishBody(session, state.envelope, body, failure());
      return;
    }
    session.reply({ code: 250, enhanced: '2.0.0', text: `${size} octets received` });
  },
});
