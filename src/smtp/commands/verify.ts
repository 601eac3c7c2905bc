// VRFY and EXPN (RFC 5321 §3.5). Both reveal who exists, so they are off unless
// configured (smtp.vrfy, smtp.expn): VRFY then answers 252 (§3.5.3: "cannot verify,
// will accept"), EXPN 502.

import { Replies, SmtpError } from '../replies.ts';
import type { SmtpSession } from '../session.ts';
import { parseMailbox } from '../wire.ts';
import { ANY_STATE, command } from './command.ts';

/** The argument as an address: "<a@b>" or "a@b". */
function addressArgument(args: string): string {
  const text = args.trim().replace(/^<(.*)>$/, '$1');
  if (text === '') throw new SmtpError(Replies.badArguments, 'Syntax: VRFY <address>');
  return parseMailbox(text).address;
}

export const vrfy = command({
  states: ANY_STATE,
  parse: (args) => args,
  run: async (session: SmtpSession, args: string) => {
    if (!session.config.smtp.vrfy) {
      session.reply(Replies.cannotVerify);
      return;
    }
    const address = addressArgument(args);
    const resolution = await session.deps.mail.resolveRecipient(address);
    if (resolution.kind === 'unknown') throw new SmtpError(Replies.userUnknown, `<${address}>: no such user here`);
    if (resolution.kind === 'remote') {
      session.reply(Replies.cannotVerify);
      return;
    }
    session.reply(Replies.verified(address));
  },
});

export const expn = command({
  states: ANY_STATE,
  parse: (args) => args,
  run: async (session: SmtpSession, args: string) => {
    if (!session.config.smtp.expn) throw new SmtpError(Replies.notImplemented, 'EXPN is disabled');
    const address = addressArgument(args);
    const targets = await session.deps.mail.aliasTargets(address);
    if (targets.length === 0) throw new SmtpError(Replies.userUnknown, `<${address}>: not a mailing list`);
    session.reply(Replies.expanded(targets));
  },
});
