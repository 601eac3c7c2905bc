// The shape of one command in the table: which states allow it, how its arguments
// parse into a typed value, what it does. The dispatcher (../dispatch.ts) checks the
// state before anything else, then calls parse and run.

import { Replies, SmtpError } from '../replies.ts';
import type { SmtpSession, StateName } from '../session.ts';

export interface CommandSpec<A> {
  /** States in which the verb is allowed; elsewhere 503 5.5.1. */
  states: readonly StateName[];
  /** Pure argument parsing into a typed value; throws SmtpError (501/555...). */
  parse(args: string): A;
  /** Does the command and sends its success reply; a refusal is thrown as SmtpError. */
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

/** For commands that take no arguments (RFC 5321 §4.1.1: 501 otherwise). */
export const noArguments =
  (text = 'No arguments allowed') =>
  (args: string): void => {
    if (args.trim() !== '') throw new SmtpError(Replies.badArguments, text);
  };
