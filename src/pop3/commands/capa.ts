// RFC 2449 §5-6: CAPA, valid in AUTHORIZATION and TRANSACTION state.

import { sendListing } from '../message-stream.ts';
import { okLine, Text } from '../replies.ts';
import { noArguments } from '../wire.ts';
import type { Pop3Session } from '../session.ts';
import type { Command } from './types.ts';

/** The capability lines for this session right now (they change with TLS and login). */
export function capabilities(session: Pop3Session): string[] {
  const lines = ['TOP'];
  // RFC 2449 §6.8 / RFC 2595 §4: offer password logins only where they may be used.
  if (session.plaintextLoginAllowed) lines.push('USER');
  // RFC 5034 §3: SASL stays listed after login too.
  if (session.plaintextLoginAllowed) lines.push('SASL PLAIN');
  lines.push('RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'UIDL');
  if (session.stlsAvailable) lines.push('STLS');
  // RFC 2449 §6.7: EXPIRE NEVER, Septet never deletes mail by itself.
  lines.push('EXPIRE NEVER', 'LOGIN-DELAY 0', 'IMPLEMENTATION Septet');
  return lines;
}

export const capa: Command<void> = {
  states: ['authorization', 'transaction'],
  parse: noArguments('CAPA'),
  async run(session) {
    await sendListing(session.conn, okLine(Text.capaFollows), capabilities(session));
  },
};
