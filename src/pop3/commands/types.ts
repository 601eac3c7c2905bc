import type { Pop3Session, StateName } from '../session.ts';

/** One entry of the command table: where it is valid and what it does. */
export interface Command {
  /** RFC 1939 §3: the states in which the command is valid; the dispatcher checks. */
  states: readonly StateName[];
  /** Accept lines up to pop3.max_auth_line_length (AUTH initial responses, RFC 5034 §4). */
  longLine?: boolean;
  /** Reply when used in a state not listed (default: "<VERB> is not valid in this state"). */
  wrongStateText?: string;
  /** `rest` is the line after the keyword and one space. Throws Pop3Error for -ERR. */
  run(session: Pop3Session, rest: string): Promise<void> | void;
}
