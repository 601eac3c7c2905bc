import type { PendingLiteral } from '../command-reader.ts';
import type { ImapSession, StateName } from '../session.ts';
import type { ArgParser } from '../wire.ts';

/** What parsing may depend on besides the octets. */
export interface ParseContext {
  /** The UID form of a command (RFC 3501 §6.4.8). */
  uid: boolean;
  /** Mailbox names arrive in UTF-8 (after ENABLE: RFC 9051 §5.1, RFC 6855 §3), not modified UTF-7. */
  utf8: boolean;
}

export interface CommandContext {
  tag: string;
  /** Upper-cased; "UID FETCH" for the UID forms. */
  verb: string;
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

/**
 * One entry of the command table (mox / go-imap style): where it is valid, how its
 * arguments parse and what it does. The dispatcher checks `states`, then calls
 * `parse`, then `run`.
 */
export interface Command<Parsed = unknown> {
  /** RFC 3501 §6: the states in which the command is valid; the dispatcher checks. */
  states: readonly StateName[];
  /**
   * RFC 3501 §7.4.1: no untagged EXPUNGE while FETCH, STORE or SEARCH run (their
   * UID forms may have them). Default: allowed.
   */
  noExpunge?: boolean;
  /**
   * `args` is positioned right after the verb (arguments start with a space); parse
   * consumes all of it (args.end()). Throws ImapError (BAD for syntax).
   */
  parse(args: ArgParser, ctx: ParseContext): Parsed;
  /** Writes untagged responses; throws ImapError for NO/BAD. */
  run(session: ImapSession, parsed: Parsed, ctx: CommandContext): Promise<CommandResult | void> | CommandResult | void;
}

/** The parse step of a command that takes no arguments. */
export function noArguments(args: ArgParser): void {
  args.end();
}

export const ANY_STATE: readonly StateName[] = ['not-authenticated', 'authenticated', 'selected'];
export const AUTHENTICATED: readonly StateName[] = ['authenticated', 'selected'];
export const SELECTED: readonly StateName[] = ['selected'];
export const NOT_AUTHENTICATED: readonly StateName[] = ['not-authenticated'];
