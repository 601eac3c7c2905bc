// RSET, NOOP, QUIT and HELP (RFC 5321 §4.1.1.5, §4.1.1.9, §4.1.1.10, §4.1.1.8).

import { Replies } from '../replies.ts';
import { ANY_STATE, command } from './command.ts';

const noArguments = (args: string): void => {
  if (args.trim() !== '') throw Replies.badArguments.with('No arguments allowed');
};

export const rset = command({
  states: ANY_STATE,
  parse: noArguments,
  run: async (session) => {
    await session.resetTransaction();
    session.reply(Replies.resetOk);
  },
});

export const noop = command({
  states: ANY_STATE,
  // §4.1.1.9: a parameter string is allowed and ignored.
  parse: () => undefined,
  run: (session) => session.reply(Replies.noopOk),
});

export const quit = command({
  states: ANY_STATE,
  parse: noArguments,
  run: async (session) => {
    await session.resetTransaction();
    session.reply({ code: 221, enhanced: '2.0.0', text: `${session.deps.hostname} Bye` });
    session.close();
  },
});

export const help = command({
  states: ANY_STATE,
  parse: () => undefined,
  run: (session) =>
    session.reply({
      code: 214,
      enhanced: '2.0.0',
      text: [
        'Septet SMTP. Commands:',
        'EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY EXPN AUTH STARTTLS',
        'See RFC 5321 (SMTP), RFC 6409 (submission), RFC 4954 (AUTH), RFC 3030 (BDAT)',
      ].join('\n'),
    }),
});
