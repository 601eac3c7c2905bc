// MAIL FROM (RFC 5321 §4.1.1.2) with the ESMTP parameters Septet offers: SIZE
// (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), RET and ENVID (RFC 3461 §4.3-4.4),
// AUTH (RFC 4954 §5). On the
// submission ports AUTH comes first and the sender must be the user's own address.

import { Replies, SmtpError } from '../replies.ts';
import type { Envelope } from '../session.ts';
import { decodeXtext, parseMailFrom, parseSizeParam } from '../wire.ts';
import { command } from './command.ts';

export const mail = command({
  states: ['ready'],
  sequenceHint: (state) => (state === 'greeting' ? 'Send HELO/EHLO first' : 'Nested MAIL command'),
  parse: (args) => parseMailFrom(args),
  run: async (session, { mailbox, params }) => {
    if (session.state.name !== 'ready') throw new SmtpError(Replies.badSequence);
    const client = session.state.client;
    const max = session.config.smtp.max_message_size;
    if (session.deps.mode === 'submission' && !session.account) throw new SmtpError(Replies.authRequired); // RFC 6409 §4.3
    if (params.size > 0 && !client.esmtp) throw new SmtpError(Replies.unknownParameter, 'Parameters need EHLO');

    const envelope: Envelope = { sender: mailbox?.address ?? '', declaredSize: null, body: '7BIT', smtputf8: false, recipients: [], ret: null, envid: null };
    for (const [key, value] of params) {
      switch (key) {
        case 'SIZE':
          envelope.declaredSize = parseSizeParam(value);
          // RFC 1870 §6.1: refuse at once what could never be accepted.
          if (envelope.declaredSize > max) throw new SmtpError(Replies.sizeExceeded, `Message size exceeds fixed maximum message size (${max} octets)`);
          break;
        case 'BODY': {
          const body = value?.toUpperCase();
          if (body !== '7BIT' && body !== '8BITMIME') throw new SmtpError(Replies.badArguments, 'BODY must be 7BIT or 8BITMIME');
          envelope.body = body;
          break;
        }
        case 'SMTPUTF8':
          if (value !== null) throw new SmtpError(Replies.badArguments, 'SMTPUTF8 takes no value'); // RFC 6531 §3.4
          envelope.smtputf8 = true;
          break;
        case 'RET': {
          // RFC 3461 §4.3
          const ret = value?.toUpperCase();
          if (ret !== 'FULL' && ret !== 'HDRS') throw new SmtpError(Replies.badArguments, 'RET must be FULL or HDRS');
          envelope.ret = ret;
          break;
        }
        case 'ENVID': {
          // RFC 3461 §4.4: xtext, at most 100 characters.
          if (value === null || value.length > 100) throw new SmtpError(Replies.badArguments, 'ENVID needs a value of at most 100 characters');
          envelope.envid = decodeXtext(value);
          break;
        }
        case 'AUTH':
          // RFC 4954 §5: the original submitter, xtext; we accept it and do not trust it.
          if (value === null) throw new SmtpError(Replies.badArguments, 'AUTH= needs a value');
          decodeXtext(value);
          break;
        default:
          throw new SmtpError(Replies.unknownParameter, `Parameter not recognized: ${key}`);
      }
    }
    if (mailbox?.utf8 && !envelope.smtputf8) throw new SmtpError(Replies.utf8NotPermitted);
    if (session.deps.mode === 'submission' && session.account) {
      if (!mailbox || !(await session.deps.mail.senderBelongsTo(session.account, mailbox.address))) {
        throw new SmtpError(Replies.senderNotOwned, `Sender address rejected: <${mailbox?.address ?? ''}> not owned by ${session.account.address}`);
      }
    }
    session.state = { name: 'mail', client, envelope };
    session.reply(Replies.senderOk);
  },
});
