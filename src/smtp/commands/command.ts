// The shape of one command in the table: which states allow it, how its arguments
// parse, what it does. The dispatcher (index.ts) checks the state before anything else.

import type { SmtpSession, StateName } from '../session.ts';

export interface CommandSpec<A> {
  /** States in which the verb is allowed; elsewhere 503 5.5.1. */
  states: readonly StateName[];
  /** Pure argument parsing; throws SmtpError (501/555...). */
  parse(args: string, session: SmtpSession): A;
  run(session: SmtpSession, parsed: A): Promise<void> | void;
  /**
   * Commands that carry a payload after the line (BDAT) must swallow it even when
   * refused, or the payload would be read as commands.
   */
  drainOnRefusal?(session: SmtpSession, args: string): Promise<void>;
  /** Why the verb is refused in a state, for the 503 text. */
  sequenceHint?(state: StateName): string;
}

export type Command = CommandSpec<unknown>;

export const command = <A>(spec: CommandSpec<A>): Command => spec as unknown as Command;

/** Every state but 'closed'. */
export const ANY_STATE: readonly StateName[] = ['greeting', 'ready', 'mail', 'rcpt', 'bdat'];

export const noArgs = (args: string): string => args;
