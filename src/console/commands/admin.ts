// user, alias, queue: the administrator's commands, the same operations as
// `septet user|alias|queue` (src/core/admin/), so both give the same results.

import { addUser, deleteUser, normalizeAddress, parseQuotaAmount, setUserPassword, setUserAdmin, setUserQuota, setUserSendAs, userListLine } from '../../core/admin/accounts.ts';
import { addAlias, aliasListLines, deleteAlias } from '../../core/admin/aliases.ts';
import { flushQueue, queueAct, queueListLines, queueShowLines } from '../../core/admin/queue.ts';
import { failure, replies, usageError } from '../replies.ts';
import { printable } from '../wire.ts';
import { command, type CommandContext } from './command.ts';

const USER_USAGE =
  'user list [--schemes] | user add ADDRESS [--password PW] [--admin] [--send-as-domain] | user passwd ADDRESS [--password PW] | user quota ADDRESS BYTES|none | user sendas ADDRESS on|off | user admin ADDRESS on|off | user del ADDRESS';

type UserArgs =
  | { action: 'list'; schemes: boolean }
  | { action: 'add'; address: string; password: string | null; admin: boolean; sendAsDomain: boolean }
  | { action: 'passwd'; address: string; password: string | null }
  | { action: 'quota'; address: string; bytes: number | null }
  | { action: 'sendas' | 'admin'; address: string; on: boolean }
  | { action: 'del'; address: string };

/** Splits "--flag", "--option VALUE" and "--option=VALUE" from the positional words. */
function options(args: string[], known: { flags: readonly string[]; values: readonly string[] }, usage: string) {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (!word.startsWith('--')) {
      positionals.push(word);
      continue;
    }
    const [name, inline] = word.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (known.flags.includes(name) && inline === undefined) flags.add(name);
    else if (known.values.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw usageError(usage, `--${name} needs a value`);
      values.set(name, value);
    } else throw usageError(usage, `unknown option --${name}`);
  }
  return { flags, values, positionals };
}

function onOff(word: string | undefined, usage: string): boolean {
  if (word !== 'on' && word !== 'off') throw usageError(usage, 'give "on" or "off"');
  return word === 'on';
}

export const user = command<UserArgs>({
  name: 'user',
  admin: true,
  usage: USER_USAGE,
  summary: 'manage users (as septet user); without --password the password is asked',
  parse(args) {
    const { flags, values, positionals } = options(args, { flags: ['admin', 'send-as-domain', 'schemes'], values: ['password'] }, USER_USAGE);
    const [action, address, extra, ...rest] = positionals;
    if (rest.length > 0) throw usageError(USER_USAGE);
    const addressed = () => normalizeAddress(address);
    switch (action) {
      case 'list':
        return { action, schemes: flags.has('schemes') };
      case 'add':
        return { action, address: addressed(), password: values.get('password') ?? null, admin: flags.has('admin'), sendAsDomain: flags.has('send-as-domain') };
      case 'passwd':
        return { action, address: addressed(), password: values.get('password') ?? null };
      case 'quota': {
        const bytes = parseQuotaAmount(extra);
        if (bytes === undefined) throw usageError(USER_USAGE, 'user quota: give a number of bytes, or "none"');
        return { action, address: addressed(), bytes };
      }
      case 'sendas':
      case 'admin':
        return { action, address: addressed(), on: onOff(extra, USER_USAGE) };
      case 'del':
        return { action, address: addressed() };
      default:
        throw usageError(USER_USAGE);
    }
  },
  async run(ctx, args) {
    const { store, config } = ctx.deps;
    const { io } = ctx;
    const log = (what: string) => ctx.peer.log.info({ admin: ctx.account.address, remote: ctx.peer.remoteAddress, ...args, password: undefined }, `console: ${what}`);
    switch (args.action) {
      case 'list':
        await io.out(...(await store.accounts.listUsers()).map((a) => userListLine(a, { schemes: args.schemes })));
        return;
      case 'add': {
        const password = args.password ?? (await newPassword(ctx));
        const { message } = await addUser(store, config.auth, args.address, password, { admin: args.admin, sendAsDomain: args.sendAsDomain });
        log('user added');
        await io.out(message);
        return;
      }
      case 'passwd': {
        const password = args.password ?? (await newPassword(ctx));
        await io.out(await setUserPassword(store, config.auth, args.address, password));
        log('password set');
        return;
      }
      case 'quota':
        await io.out(await setUserQuota(store, args.address, args.bytes));
        log('quota set');
        return;
      case 'sendas':
        await io.out(await setUserSendAs(store, args.address, args.on));
        log('send-as set');
        return;
      case 'admin': {
        if (sameAccount(ctx, args.address) && !args.on) throw failure('you cannot take away your own administrator rights from its console');
        await io.out(await setUserAdmin(store, args.address, args.on));
        log('administrator set');
        return;
      }
      case 'del':
        if (sameAccount(ctx, args.address)) throw failure(replies.selfDelete);
        await io.out(await deleteUser(store, args.address));
        log('user deleted');
        return;
    }
  },
});

const sameAccount = (ctx: CommandContext, address: string) => ctx.account.address.toLowerCase() === address.toLowerCase();

/** A new password for another user: asked twice on a pty, one line of input without. */
async function newPassword(ctx: CommandContext): Promise<string> {
  const { io } = ctx;
  const first = await io.ask(replies.passwordPrompt, { secret: true });
  if (first === null) throw failure(replies.noInput);
  if (io.interactive && (await io.ask(replies.againPrompt, { secret: true })) !== first) throw failure(replies.passwordsDiffer);
  return first;
}

const ALIAS_USAGE = 'alias list | alias add ALIAS TARGET | alias del ALIAS';
type AliasArgs = { action: 'list' } | { action: 'add'; alias: string; target: string } | { action: 'del'; alias: string };

export const alias = command<AliasArgs>({
  name: 'alias',
  admin: true,
  usage: ALIAS_USAGE,
  summary: 'manage aliases (as septet alias); ALIAS may be @domain (catch-all)',
  parse(args) {
    const [action, a, b, ...rest] = args;
    if (action === 'list' && a === undefined) return { action };
    if (action === 'add' && a !== undefined && b !== undefined && rest.length === 0) return { action, alias: a, target: b };
    if (action === 'del' && a !== undefined && b === undefined) return { action, alias: a };
    throw usageError(ALIAS_USAGE);
  },
  async run(ctx, args) {
    const { store } = ctx.deps;
    switch (args.action) {
      case 'list':
        await ctx.io.out(...(await aliasListLines(store)));
        return;
      case 'add':
        await ctx.io.out(await addAlias(store, args.alias, args.target));
        return;
      case 'del':
        await ctx.io.out(await deleteAlias(store, args.alias));
        return;
    }
  },
});

const QUEUE_USAGE = 'queue list | queue flush | queue show|retry|delete|hold|release ID';
const ENTRY_ACTIONS = ['show', 'retry', 'delete', 'hold', 'release'] as const;
type QueueArgs = { action: 'list' | 'flush' } | { action: (typeof ENTRY_ACTIONS)[number]; id: string };

export const queue = command<QueueArgs>({
  name: 'queue',
  admin: true,
  usage: QUEUE_USAGE,
  summary: 'the outbound mail queue (as septet queue); flush tries every waiting entry at once',
  parse(args) {
    const [action, id, ...rest] = args;
    if (rest.length > 0) throw usageError(QUEUE_USAGE);
    if ((action === 'list' || action === 'flush') && id === undefined) return { action };
    if (ENTRY_ACTIONS.includes(action as (typeof ENTRY_ACTIONS)[number]) && id !== undefined) return { action: action as (typeof ENTRY_ACTIONS)[number], id };
    throw usageError(QUEUE_USAGE, action !== undefined && id === undefined ? `queue ${action}: missing queue id` : undefined);
  },
  async run(ctx, args) {
    const { store } = ctx.deps;
    switch (args.action) {
      case 'list':
        return ctx.io.out(...(await queueListLines(store)));
      case 'flush':
        return ctx.io.out(await flushQueue(store));
      case 'show':
        return ctx.io.out(...(await queueShowLines(store, args.id)));
      default:
        await ctx.io.out(await queueAct(store, args.action, args.id));
        ctx.peer.log.info({ admin: ctx.account.address, queueId: args.id, action: args.action }, 'console: queue');
    }
  },
});
