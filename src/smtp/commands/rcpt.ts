// RCPT TO (RFC 5321 §4.1.1.3): one recipient per command, many per message.
// Unknown local users are refused here (550 5.1.1), not bounced later; other
// domains need authentication or a trusted network (§3.6.2: no open relay).

import { Replies, SmtpError } from '../replies.ts';
import { decodeXtext, parseRcptTo } from '../wire.ts';
import { command } from './command.ts';

/** RFC 3461 §4.1 NOTIFY and §4.2 ORCPT, the only RCPT parameters (DSN is advertised). */
function parseDsnParams(params: Map<string, string | null>): { notify: string | null; orcpt: string | null } {
  let notify: string | null = null;
  let orcpt: string | null = null;
  for (const [key, value] of params) {
    if (key === 'NOTIFY') {
      const keywords = (value ?? '').toUpperCase().split(',');
      const valid = keywords.every((k) => k === 'SUCCESS' || k === 'FAILURE' || k === 'DELAY') || (keywords.length === 1 && keywords[0] === 'NEVER');
      if (!value || !valid) throw new SmtpError(Replies.badArguments, 'NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY');
      notify = keywords.join(',');
    } else if (key === 'ORCPT') {
      // addr-type ";" xtext; only the address is xtext-encoded.
      const semi = value?.indexOf(';') ?? -1;
      if (!value || semi <= 0) throw new SmtpError(Replies.badArguments, 'ORCPT must be addr-type;address');
      orcpt = `${value.slice(0, semi)};${decodeXtext(value.slice(semi + 1))}`;
    } else throw new SmtpError(Replies.unknownParameter, `Parameter not recognized: ${key}`);
  }
  return { notify, orcpt };
}

export const rcpt = command({
  states: ['mail', 'rcpt'],
  sequenceHint: (state) => (state === 'greeting' ? 'Send HELO/EHLO first' : state === 'bdat' ? 'Not allowed during BDAT' : 'Send MAIL first'),
  parse: (args) => parseRcptTo(args),
  run: async (session, { mailbox, params }) => {
    const state = session.state;
    if (state.name !== 'mail' && state.name !== 'rcpt') throw new SmtpError(Replies.badSequence);
    const dsn = parseDsnParams(params);
    if (!mailbox) throw new SmtpError(Replies.badAddress);
    if (mailbox.utf8 && !state.envelope.smtputf8) throw new SmtpError(Replies.utf8NotPermitted);
    if (state.envelope.recipients.length >= session.config.smtp.max_recipients) throw new SmtpError(Replies.tooManyRecipients);

    const { mail, mode } = session.deps;
    const resolution = await mail.resolveRecipient(mailbox.address);
    if (resolution.kind === 'unknown') {
      const refusal = mailbox.localPart.toLowerCase() === 'postmaster' ? Replies.noPostmaster : Replies.userUnknown;
      throw new SmtpError(refusal, `<${mailbox.address}>: Recipient address rejected: no such user here`);
    }
    if (resolution.kind === 'remote' && !mail.mayRelay({ account: session.account, remoteAddress: session.conn.remoteAddress })) {
      session.log.info({ rcpt: mailbox.address, mode }, 'relay denied');
      throw new SmtpError(Replies.relayDenied, `<${mailbox.address}>: Relay access denied: authentication required`);
    }
    state.envelope.recipients.push({ address: mailbox.address, resolution, ...dsn });
    session.state = { name: 'rcpt', client: state.client, envelope: state.envelope };
    session.reply(Replies.recipientOk);
  },
});
