// RFC 1939 §7 USER / PASS (and APOP, which Septet does not offer).

import { Pop3Error, ResponseCode, Text } from '../replies.ts';
import type { Pop3Session } from '../session.ts';
import { expectArguments } from '../wire.ts';
import type { Command } from './types.ts';

/** RFC 2595 §4: no cleartext password on an unprotected non-loopback connection. */
export function requirePlaintextAllowed(session: Pop3Session): void {
  if (!session.plaintextLoginAllowed) throw new Pop3Error(Text.plaintextDisabled, ResponseCode.auth);
}

export const user: Command = {
  states: ['authorization'],
  run(session, rest) {
    requirePlaintextAllowed(session);
    const [name] = expectArguments(rest, 1, 1, 'USER name');
    session.state = { name: 'authorization', user: name! };
    // Whether the user exists is not revealed here (RFC 2449 §8.1.1 note).
    session.ok(Text.userAccepted);
  },
};

export const pass: Command = {
  states: ['authorization'],
  async run(session, rest) {
    requirePlaintextAllowed(session);
    const state = session.state;
    if (state.name !== 'authorization' || state.user === null) throw new Pop3Error(Text.passWithoutUser);
    // RFC 1939 §7: the argument is the whole rest of the line; spaces belong to the password.
    if (rest === '') throw new Pop3Error('Syntax: PASS password');
    await session.login(state.user, rest);
  },
};

export const apop: Command = {
  states: ['authorization'],
  run() {
    throw new Pop3Error(Text.apopUnsupported);
  },
};
