// RCPT TO (RFC 5321 §4.1.1.3): one recipient per command, many per message.
// Unknown local users are refused here (550 5.1.1), not bounced later; other
// domains need authentication or a trusted network (§3.6.2: no open relay).

import { Replies } from '../replies.ts';
import { parseRcptTo } from '../wire.ts';
import { command } from './command.ts';

export const rcpt = command({
  states: ['mail', 'rcpt'],
  sequenceHint: (state) => (state === 'greeting' ? 'Send HELO/EHLO first' : state === 'bdat' ? 'Not allowed during BDAT' : 'Send MAIL first'),
  parse: (args) => parseRcptTo(args),
  run: async (session, { mailbox, params }) => {
    const state = session.state;
    if (state.kind !== 'mail' && state.kind !== 'rcpt') throw Replies.badSequence;
    // DSN (NOTIFY, ORCPT) is not advertised yet, so no RCPT parameter is known.
    const first = params.keys().next();
    if (!first.done) throw Replies.unknownParameter.with(`Parameter not recognized: ${first.value}`);
    if (!mailbox) throw Replies.badAddress;
    if (mailbox.utf8 && !state.envelope.smtputf8) throw Replies.utf8NotPermitted;
    if (state.envelope.recipients.length >= session.config.smtp.max_recipients) throw Replies.tooManyRecipients;

    const { mail, mode } = session.deps;
    const resolution = await mail.resolveRecipient(mailbox.address);
    if (resolution.kind === 'unknown') {
      throw (mailbox.localPart.toLowerCase() === 'postmaster' ? Replies.noPostmaster : Replies.userUnknown).with(
        `<${mailbox.address}>: Recipient address rejected: no such user here`,
      );
    }
    if (resolution.kind === 'remote' && !mail.mayRelay({ account: session.account, remoteAddress: session.conn.remoteAddress })) {
      session.log.info({ rcpt: mailbox.address, mode }, 'relay denied');
      throw Replies.relayDenied.with(`<${mailbox.address}>: Relay access denied: authentication required`);
    }
    state.envelope.recipients.push({ address: mailbox.address, resolution });
    session.state = { kind: 'rcpt', client: state.client, envelope: state.envelope };
    session.reply(Replies.recipientOk);
  },
});
