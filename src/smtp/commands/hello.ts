// EHLO and HELO (RFC 5321 §4.1.1.1). Both reset any transaction (§4.1.4). The EHLO
// reply lists the extensions; replies to EHLO/HELO carry no enhanced code (RFC 2034 §3).

import { helloLine, Replies, SmtpError } from '../replies.ts';
import type { SmtpSession } from '../session.ts';
import { ANY_STATE, command } from './command.ts';
import { terminalDeliveryEnabled } from './terminal.ts';

function parseDomain(args: string): string {
  const name = args.trim().split(' ')[0] ?? '';
  // The argument is a Domain or address-literal; what clients really send varies, so
  // anything non-empty goes (it is cleaned before it reaches a Received field).
  if (name === '') throw new SmtpError(Replies.badArguments, 'Syntax: EHLO hostname');
  return name.slice(0, 255);
}

export function capabilities(session: SmtpSession): string[] {
  const caps = ['PIPELINING', `SIZE ${session.config.smtp.max_message_size}`, '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'CHUNKING', 'DSN'];
  if (!session.conn.secure && !session.deps.implicitTls) caps.push('STARTTLS');
  // RFC 4954 §4 / RFC 3207 §6: no AUTH offered where passwords would go in clear.
  if (session.authAllowed) caps.push('AUTH PLAIN LOGIN');
  // RFC 5321 F.6: a server that implements SEND, SOML, SAML MUST list them in EHLO.
  if (terminalDeliveryEnabled(session)) caps.push('SEND', 'SOML', 'SAML');
  caps.push('HELP');
  return caps;
}

async function greet(session: SmtpSession, helo: string, esmtp: boolean): Promise<void> {
  await session.resetTransaction();
  session.state = { name: 'ready', client: { helo, esmtp } };
  const hello = helloLine(session.deps.hostname, helo, session.conn.remoteAddress);
  session.reply(Replies.hello(esmtp ? [hello, ...capabilities(session)] : [hello]));
}

export const ehlo = command({
  states: ANY_STATE,
  parse: parseDomain,
  run: (session, helo) => greet(session, helo, true),
});

export const helo = command({
  states: ANY_STATE,
  parse: parseDomain,
  run: (session, name) => greet(session, name, false),
});
