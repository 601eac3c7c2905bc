import type { PendingLiteral } from '../command-reader.ts';
import type { ImapSession, StateName } from '../session.ts';
import type { ArgParser } from '../wire.ts';

export interface CommandContext {
  tag: string;
  /** Upper-cased; "UID FETCH" for the UID forms. */
  verb: string;
  /** Positioned right after the verb: arguments start with a space. */
  args: ArgParser;
  /** The UID form of a command (RFC 3501 §6.4.8). */
  uid: boolean;
  /** APPEND's message literal, not yet read (see command-reader.ts). */
  literal: PendingLiteral | null;
}

/** What the tagged OK carries; the text defaults to "<VERB> completed". */
export interface CommandResult {
  code?: string | null;
  text?: string;
  /** The command has sent its tagged reply itself (STARTTLS answers before the handshake). */
  answered?: boolean;
}

/** One entry of the command table (mox / go-imap style): where it is valid and what it does. */
export interface Command {
  /** RFC 3501 §6: the states in which the command is valid; the dispatcher checks. */
  states: readonly StateName[];
  /**
   * RFC 3501 §7.4.1: no untagged EXPUNGE while FETCH, STORE or SEARCH run (their
   * UID forms may have them). Default: allowed.
   */
  noExpunge?: boolean;
  /** Writes untagged responses; throws ImapError for NO/BAD. */
  run(session: ImapSession, ctx: CommandContext): Promise<CommandResult | void> | CommandResult | void;
}

export const ANY_STATE: readonly StateName[] = ['not-authenticated', 'authenticated', 'selected'];
export const AUTHENTICATED: readonly StateName[] = ['authenticated', 'selected'];
export const SELECTED: readonly StateName[] = ['selected'];
export const NOT_AUTHENTICATED: readonly StateName[] = ['not-authenticated'];
