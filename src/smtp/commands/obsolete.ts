// Commands RFC 5321 retired: answered 502 with the reason rather than "unknown".

import { Replies, SmtpError } from '../replies.ts';
import { ANY_STATE, command, type Command } from './command.ts';

const refuse = (reason: string): Command =>
  command({
    states: ANY_STATE,
    parse: () => undefined,
    run: () => {
      throw new SmtpError(Replies.notImplemented, reason);
    },
  });

// RFC 5321 Appendix F.1: TURN let anyone take another host's mail; not secure.
export const turn = refuse('TURN is not supported: without authentication it hands mail to anyone (RFC 5321 F.1)');
// SEND, SOML and SAML (RFC 5321 F.6) are in terminal.ts: 502 unless smtp.terminal_delivery.
