import type { Pop3Session, StateName } from '../session.ts';

/**
 * One entry of the command table: where it is valid, how its arguments parse and what
 * it does. The dispatcher checks `states`, then calls `parse`, then `run`.
 */
export interface Command<Parsed = unknown> {
  /** RFC 1939 §3: the states in which the command is valid; the dispatcher checks. */
  states: readonly StateName[];
  /** Accept lines up to pop3.max_auth_line_length (AUTH initial responses, RFC 5034 §4). */
  longLine?: boolean;
  /** Reply when used in a state not listed (default: "<VERB> is not valid in this state"). */
  wrongStateText?: string;
  /** `rest` is the line after the keyword and one space. Throws Pop3Error for a syntax error. */
  parse(rest: string): Parsed;
  /** Throws Pop3Error for -ERR (the dispatcher writes it). */
  run(session: Pop3Session, parsed: Parsed): Promise<void> | void;
}
