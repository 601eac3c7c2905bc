// RFC 4217 (with RFC 2228): AUTH TLS, PBSZ, PROT. CCC is not offered.

import { ConnectionClosedError } from '../../core/net/connection.ts';
import { FtpError, Reply } from '../replies.ts';
import type { Command } from './types.ts';

export const auth: Command = {
  needsLogin: false,
  async run(session, argument) {
    const mechanism = argument.trim().toUpperCase();
    // RFC 4217 §4: "TLS"; "TLS-C", "SSL" and "TLS-P" are older names clients still send.
    if (!['TLS', 'TLS-C', 'SSL', 'TLS-P'].includes(mechanism)) throw new FtpError(Reply.parameterNotImplemented, 'AUTH TLS only.');
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
};

export const pbsz: Command = {
  needsLogin: false,
  run(session, argument) {
    if (!session.conn.secure) throw new FtpError(Reply.badSequence, 'PBSZ needs AUTH TLS first.');
    if (!/^\d+$/.test(argument.trim())) throw new FtpError(Reply.badArguments, 'Syntax: PBSZ 0');
    // RFC 4217 §8: for TLS the buffer size is 0.
    session.pbszDone = true;
    session.reply(Reply.ok, 'PBSZ=0');
  },
};

export const prot: Command = {
  needsLogin: false,
  run(session, argument) {
    if (!session.conn.secure) throw new FtpError(Reply.badSequence, 'PROT needs AUTH TLS first.');
    if (!session.pbszDone) throw new FtpError(Reply.badSequence, 'PBSZ first (RFC 4217 §9).');
    const level = argument.trim().toUpperCase();
    if (level === 'C' || level === 'P') {
      session.protection = level;
      session.reply(Reply.ok, `Protection level set to ${level}.`);
      return;
    }
    // RFC 2228: 536 for a level the server does not support, 504 for nonsense.
    throw new FtpError(level === 'S' || level === 'E' ? 536 : Reply.parameterNotImplemented, 'Only PROT C and PROT P are supported.');
  },
};
