// RFC 4217 (with RFC 2228): AUTH TLS, PBSZ, PROT. CCC is not offered.

import { ConnectionClosedError } from '../../core/net/connection.ts';
import { FtpError, Reply } from '../replies.ts';
import { ANY_STATE, command } from './types.ts';

export const auth = command({
  states: ANY_STATE,
  parse(argument): void {
    const mechanism = argument.trim().toUpperCase();
    // RFC 4217 §4: "TLS"; "TLS-C", "SSL" and "TLS-P" are older names clients still send.
    if (!['TLS', 'TLS-C', 'SSL', 'TLS-P'].includes(mechanism)) throw new FtpError(Reply.parameterNotImplemented, 'AUTH TLS only.');
  },
  async run(session) {
    if (session.conn.secure) throw new FtpError(Reply.badSequence, 'Already using TLS.');
    await session.transfer?.done.catch(() => {});
    session.reply(Reply.securityExchangeDone, 'Proceed with negotiation.');
    // Anything pipelined before the handshake is dropped (command injection): what the
    // line reader holds here, and what the connection holds in startTls.
    const dropped = session.lines.discardBuffered();
    if (dropped > 0) session.conn.log.warn({ dropped }, 'discarded commands sent before the TLS handshake');
    try {
      await session.conn.startTls(session.deps.tls);
    } catch (error) {
      session.conn.log.info({ err: (error as Error).message }, 'AUTH TLS handshake failed');
      session.conn.destroy();
      throw new ConnectionClosedError();
    }
    // RFC 4217 §4: the security state is new; so is the login.
    session.reset();
    session.pbszDone = false;
    session.protection = 'C';
  },
});

export const pbsz = command({
  states: ANY_STATE,
  parse(argument): void {
    // RFC 4217 §8: a number; for TLS the buffer size is 0, whatever the client asks.
    if (!/^\d+$/.test(argument.trim())) throw new FtpError(Reply.badArguments, 'Syntax: PBSZ 0');
  },
  run(session) {
    if (!session.conn.secure) throw new FtpError(Reply.badSequence, 'PBSZ needs AUTH TLS first.');
    session.pbszDone = true;
    session.reply(Reply.ok, 'PBSZ=0');
  },
});

export const prot = command({
  states: ANY_STATE,
  parse(argument): 'C' | 'P' {
    const level = argument.trim().toUpperCase();
    if (level === 'C' || level === 'P') return level;
    // RFC 2228: 536 for a level the server does not support, 504 for nonsense.
    throw new FtpError(level === 'S' || level === 'E' ? Reply.protectionLevelNotSupported : Reply.parameterNotImplemented, 'Only PROT C and PROT P are supported.');
  },
  run(session, level) {
    if (!session.conn.secure) throw new FtpError(Reply.badSequence, 'PROT needs AUTH TLS first.');
    if (!session.pbszDone) throw new FtpError(Reply.badSequence, 'PBSZ first (RFC 4217 §9).');
    session.protection = level;
    session.reply(Reply.ok, `Protection level set to ${level}.`);
  },
});
