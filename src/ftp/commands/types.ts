import type { FtpSession, SessionState } from '../session.ts';

export type StateName = SessionState['name'];

/**
 * One entry of the command table. The dispatcher checks `states`, then calls `parse`
 * with the rest of the line after the verb and one space, then `run` with what parse
 * returned. Both throw FtpError for a failure reply.
 */
export interface Command<Parsed = string> {
  /** RFC 959 §5.4: where the command is allowed; most need a completed login (530 otherwise). */
  readonly states: readonly StateName[];
  /** The argument's syntax (501/504 for what does not parse); no session is needed. */
  parse(argument: string): Parsed;
  run(session: FtpSession, parsed: Parsed): Promise<void> | void;
}

/** Before and after login: USER, PASS, AUTH, FEAT, TYPE... */
export const ANY_STATE: readonly StateName[] = ['login', 'ready'];
/** After a completed login only. */
export const LOGGED_IN: readonly StateName[] = ['ready'];

/** Builds a table entry; keeps parse and run typed against each other. */
export function command<Parsed>(spec: Command<Parsed>): Command<Parsed> {
  return spec;
}

/** For commands whose argument is taken as it is (paths may contain spaces). */
export const asIs = (argument: string): string => argument;
/** For commands that take no argument; anything after the verb is ignored, as before. */
export const noArgument = (): void => undefined;
