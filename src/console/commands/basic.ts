// help, whoami, exit/quit.

import { failure, usageError } from '../replies.ts';
import { columns, printable } from '../wire.ts';
import { command, type ConsoleCommand } from './command.ts';

const noArgs = (usage: string) => (args: string[]) => {
  if (args.length > 0) throw usageError(usage, 'no arguments expected');
};

export const whoami = command({
  name: 'whoami',
  admin: false,
  usage: 'whoami',
  summary: 'your account address',
  parse: noArgs('whoami'),
  async run(ctx) {
    await ctx.io.out(ctx.account.address + (ctx.account.admin ? ' (administrator)' : ''));
  },
});

export const exit = command({
  name: 'exit',
  aliases: ['quit', 'logout'],
  admin: false,
  usage: 'exit',
  summary: 'leave the console',
  parse: noArgs('exit'),
  async run() {
    return 'exit';
  },
});

/** help lists the commands this account may use; `all` is the table (index.ts passes it in). */
export function helpCommand(all: () => readonly ConsoleCommand[]): ConsoleCommand {
  return command({
    name: 'help',
    aliases: ['?'],
    admin: false,
    usage: 'help [COMMAND]',
    summary: 'this list, or how to use one command',
    parse: (args) => {
      if (args.length > 1) throw usageError('help [COMMAND]');
      return args[0];
    },
    async run(ctx, name) {
      const visible = all().filter((c) => !c.admin || ctx.account.admin);
      if (name !== undefined) {
        const found = visible.find((c) => c.name === name || c.aliases?.includes(name));
        if (!found) throw failure(`no command ${printable(name)}; try help`);
        await ctx.io.out(`${found.usage}\n  ${found.summary}`);
        return;
      }
      await ctx.io.out('Commands (words may be quoted as in a shell):', ...columns(visible.map((c) => ['  ' + c.usage, c.summary])));
    },
  });
}
