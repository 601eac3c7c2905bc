// RCPT TO (RFC 5321 §4.1.1.3): one recipient per command, many per message.
// Unknown local users are refused here (550 5.1.1), not bounced later; other
// domains need authentication or a trusted network (§3.6.2: no open relay).

import { Replies, SmtpError } from '../replies.ts';
import { parseRcptCommand } from '../wire.ts';
import { command } from './command.ts';

export const rcpt = command({
  states: ['mail', 'rcpt'],
  sequenceHint: (state) => (state === 'greeting' ? 'Send HELO/EHLO first' : state === 'bdat' ? 'Not allowed during BDAT' : 'Send MAIL first'),
  parse: parseRcptCommand,
  run: async (session, { mailbox, notify, orcpt }) => {
    const state = session.state;
    if (state.name !== 'mail' && state.name !== 'rcpt') throw new SmtpError(Replies.badSequence);
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
    state.envelope.recipients.push({ address: mailbox.address, resolution, notify, orcpt });
    session.state = { name: 'rcpt', client: state.client, envelope: state.envelope };
    session.reply(Replies.recipientOk);
  },
});
