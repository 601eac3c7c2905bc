// What a console command is: one entry of the table in index.ts. `parse` turns the
// words after the name into typed arguments (or throws a usage error) before anything
// runs; `run` does the work through the context.

import type { Logger } from 'pino';
import type { Authenticator } from '../../core/auth/types.ts';
import type { Config } from '../../core/config/schema.ts';
import type { TerminalRegistry } from '../../core/bus/terminals.ts';
import type { ChannelPeer } from '../../core/service/byte-channel.ts';
import type { Account, Store } from '../../core/store/types.ts';

export interface ConsoleDeps {
  config: Config;
  store: Store;
  dataDir: string;
  terminals: TerminalRegistry;
  log: Logger;
  /**
   * The login throttle (src/core/auth/): passwd checks the old password through it, so a
   * console is no faster a guessing oracle than a login, with the same bans and log.
   * Without it (tests) a wrong old password costs a fixed delay.
   */
  auth?: Authenticator;
}

/** How a command talks to the user: lines out, and questions (passwords, keys) in. */
export interface ConsoleIO {
  /** A pty with the line editor: prompts are shown and secrets are not echoed. */
  readonly interactive: boolean;
  /** Writes text ending in a line end per line ("\n"; the session turns it into CRLF on a pty). */
  out(...lines: string[]): Promise<void>;
  /** A diagnostic (stderr without a pty; the terminal with one). */
  err(line: string): Promise<void>;
  /** The next line of input; null at its end. With a pty the prompt is shown and a secret is not echoed. */
  ask(prompt: string, options?: { secret?: boolean }): Promise<string | null>;
}

export interface CommandContext {
  deps: ConsoleDeps;
  /** The account as the store has it now (re-read for every command). */
  account: Account;
  peer: ChannelPeer;
  io: ConsoleIO;
}

/** What a command asks of the session after it ran. */
export type CommandOutcome = void | 'exit';

export interface ConsoleCommand<A = unknown> {
  name: string;
  /** Other names for it ("ls" for "files"). */
  aliases?: readonly string[];
  /** Only for administrators (Account.admin). */
  admin: boolean;
  usage: string;
  summary: string;
  parse(args: string[]): A;
  run(ctx: CommandContext, args: A): Promise<CommandOutcome>;
}

/** Keeps each entry's argument type checked while the table holds them all. */
export const command = <A>(c: ConsoleCommand<A>): ConsoleCommand => c as unknown as ConsoleCommand;
