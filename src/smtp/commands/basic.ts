// RSET, NOOP, QUIT and HELP (RFC 5321 §4.1.1.5, §4.1.1.9, §4.1.1.10, §4.1.1.8).

import { Replies } from '../replies.ts';
import { ANY_STATE, command, noArguments } from './command.ts';

export const rset = command({
  states: ANY_STATE,
  parse: noArguments(),
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
  parse: noArguments(),
  run: async (session) => {
    await session.resetTransaction();
    session.reply(Replies.bye(session.deps.hostname));
    session.close();
  },
});

export const help = command({
  states: ANY_STATE,
  parse: () => undefined,
  run: (session) => session.reply(Replies.help),
});
