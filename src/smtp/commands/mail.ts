// MAIL FROM (RFC 5321 §4.1.1.2) with the ESMTP parameters Septet offers (parsed in
// wire.ts): SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), RET and ENVID
// (RFC 3461 §4.3-4.4), AUTH (RFC 4954 §5). On the submission ports AUTH comes first
// and the sender must be the user's own address.

import { Replies, SmtpError, sizeLimitText } from '../replies.ts';
import type { Envelope, SmtpSession } from '../session.ts';
import { parseMailCommand, type MailOptions } from '../wire.ts';
import { command } from './command.ts';

export const mail = command({
  states: ['ready'],
  sequenceHint: (state) => (state === 'greeting' ? 'Send HELO/EHLO first' : 'Nested MAIL command'),
  parse: parseMailCommand,
  run: async (session, options) => {
    if (session.state.name !== 'ready') throw new SmtpError(Replies.badSequence);
    const client = session.state.client;
    if (session.deps.mode === 'submission' && !session.account) throw new SmtpError(Replies.authRequired); // RFC 6409 §4.3
    if (options.hasParameters && !client.esmtp) throw new SmtpError(Replies.unknownParameter, 'Parameters need EHLO');
    const max = session.config.smtp.max_message_size;
    // RFC 1870 §6.1: refuse at once what could never be accepted.
    if (options.size !== null && options.size > max) throw new SmtpError(Replies.sizeExceeded, sizeLimitText(max));
    if (options.mailbox?.utf8 && !options.smtputf8) throw new SmtpError(Replies.utf8NotPermitted);
    await requireOwnSender(session, options);
    const envelope: Envelope = {
      sender: options.mailbox?.address ?? '',
      declaredSize: options.size,
      body: options.body,
      smtputf8: options.smtputf8,
      recipients: [],
      ret: options.ret,
      envid: options.envid,
    };
    session.state = { name: 'mail', client, envelope };
    session.reply(Replies.senderOk);
  },
});

/** RFC 6409 §6.1: on the submission ports the envelope sender is one of the user's addresses. */
async function requireOwnSender(session: SmtpSession, { mailbox }: MailOptions): Promise<void> {
  const account = session.account;
  if (session.deps.mode !== 'submission' || !account) return;
  if (!mailbox || !(await session.deps.mail.senderBelongsTo(account, mailbox.address))) {
    throw new SmtpError(Replies.senderNotOwned, `Sender address rejected: <${mailbox?.address ?? ''}> not owned by ${account.address}`);
  }
}
