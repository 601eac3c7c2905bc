// The console's command table: one entry per command, { name, admin, usage, parse, run }.
// dispatch.ts looks a name up here, checks `admin`, then calls parse and run.

import { keys, passwd } from './account.ts';
import { alias, queue, user } from './admin.ts';
import { exit, helpCommand, whoami } from './basic.ts';
import type { ConsoleCommand } from './command.ts';
import { files, quota } from './files.ts';
import { mailboxes, messages } from './mail.ts';

export const COMMANDS: readonly ConsoleCommand[] = [
  helpCommand(() => COMMANDS),
  whoami,
  mailboxes,
  messages,
  files,
  quota,
  passwd,
  keys,
  user,
  alias,
  queue,
  exit,
];

const byName = new Map<string, ConsoleCommand>();
for (const c of COMMANDS) for (const name of [c.name, ...(c.aliases ?? [])]) byName.set(name, c);

/** Command names are case-sensitive, as in a shell. */
export function findCommand(name: string): ConsoleCommand | undefined {
  return byName.get(name);
}
