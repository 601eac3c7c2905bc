// RFC 1939 §7 USER / PASS (and APOP, which Septet does not offer).

import { Pop3Error, ResponseCode, Text } from '../replies.ts';
import type { Pop3Session } from '../session.ts';
import { expectArguments } from '../wire.ts';
import type { Command } from './types.ts';

/** RFC 2595 §4: no cleartext password on an unprotected non-loopback connection. */
export function requirePlaintextAllowed(session: Pop3Session): void {
  if (!session.plaintextLoginAllowed) throw new Pop3Error(Text.plaintextDisabled, ResponseCode.auth);
}

export const user: Command<string> = {
  states: ['authorization'],
  parse: (rest) => expectArguments(rest, 1, 1, 'USER name')[0]!,
  run(session, name) {
    requirePlaintextAllowed(session);
    session.state = { name: 'authorization', user: name };
    // Whether the user exists is not revealed here (RFC 2449 §8.1.1 note).
    session.ok(Text.userAccepted);
  },
};

export const pass: Command<string> = {
  states: ['authorization'],
  parse(rest) {
    // RFC 1939 §7: the argument is the whole rest of the line; spaces belong to the password.
    if (rest === '') throw new Pop3Error('Syntax: PASS password');
    return rest;
  },
  async run(session, password) {
    requirePlaintextAllowed(session);
    const state = session.state;
    if (state.name !== 'authorization' || state.user === null) throw new Pop3Error(Text.passWithoutUser);
    await session.login(state.user, password);
  },
};

export const apop: Command<void> = {
  states: ['authorization'],
  // Refused whatever follows, so nothing is parsed.
  parse() {},
  run() {
    throw new Pop3Error(Text.apopUnsupported);
  },
};
