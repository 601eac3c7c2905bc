// passwd and keys: what a user changes about their own account. The new password
// meets the same rule and gets the same hash (auth.password_scheme) as with
// `septet user passwd` (src/core/admin/accounts.ts).

import { setTimeout as sleep } from 'node:timers/promises';
import { checkNewPassword } from '../../core/admin/accounts.ts';
import { hashPassword, passwordPolicy, verifyPassword } from '../../core/auth/password.ts';
import { failure, replies, usageError } from '../replies.ts';
import { columns, printable } from '../wire.ts';
import { command, type CommandContext, type ConsoleIO } from './command.ts';
import { describeKey } from '../../core/keys/public-key.ts';
import { installKeys, normalizeFingerprint } from '../../core/keys/install.ts';
import { parsePublicKeys } from '../../core/keys/parse.ts';

/** Without the login throttle (tests): what a wrong old password costs. */
const WRONG_PASSWORD_DELAY_MS = 1000;

async function required(io: ConsoleIO, prompt: string, secret: boolean): Promise<string> {
  const answer = await io.ask(prompt, { secret });
  if (answer === null) throw failure(replies.noInput);
  return answer;
}

export const passwd = command({
  name: 'passwd',
  admin: false,
  usage: 'passwd',
  summary: 'change your password (asks the old one, then the new one; without a terminal: two lines on standard input)',
  parse(args) {
    if (args.length > 0) throw usageError('passwd', 'the passwords are asked, not given as arguments');
  },
  async run(ctx) {
    const { io, account, deps } = ctx;
    const old = await required(io, replies.oldPasswordPrompt, true);
    const fresh = await required(io, replies.newPasswordPrompt, true);
    if (io.interactive && (await required(io, replies.againPrompt, true)) !== fresh) throw failure(replies.passwordsDiffer);
    checkNewPassword(fresh);
    if (!(await oldPasswordHolds(ctx, old))) {
      ctx.peer.log.warn({ account: account.address, remote: ctx.peer.remoteAddress }, 'console passwd: wrong old password');
      throw failure(replies.wrongPassword);
    }
    // The login may just have upgraded the hash's scheme: replace the one there now,
    // and only it, so a change made meanwhile elsewhere is not undone.
    const verified = (await deps.store.accounts.getUserById(account.id))?.passwordHash ?? account.passwordHash;
    const hash = await hashPassword(fresh, passwordPolicy(deps.config.auth));
    if (!(await deps.store.accounts.replacePasswordHash(account.address, verified, hash))) throw failure(replies.passwordRaced);
    ctx.peer.log.info({ account: account.address, remote: ctx.peer.remoteAddress }, 'console passwd: password changed');
    await io.out(replies.passwordChanged);
  },
});

async function oldPasswordHolds(ctx: CommandContext, password: string): Promise<boolean> {
  const { auth } = ctx.deps;
  if (auth) {
    const proved = await auth.login({ username: ctx.account.address, password, remoteAddress: ctx.peer.remoteAddress, service: `${ctx.peer.service}-console` });
    return proved?.id === ctx.account.id;
  }
  if (await verifyPassword(password, ctx.account.passwordHash)) return true;
  await sleep(WRONG_PASSWORD_DELAY_MS);
  return false;
}

type KeysArgs = { action: 'list' } | { action: 'add'; text: string | null } | { action: 'del'; fingerprint: string };
const KEYS_USAGE = 'keys list | keys add [KEY LINE] | keys del FINGERPRINT';

export const keys = command<KeysArgs>({
  name: 'keys',
  admin: false,
  usage: KEYS_USAGE,
  summary: 'your SSH public keys (add without a line reads keys from standard input, or asks for one)',
  parse(args) {
    const [action, ...rest] = args;
    if (action === 'list' || action === undefined) {
      if (rest.length > 0) throw usageError(KEYS_USAGE);
      return { action: 'list' };
    }
    if (action === 'add') return { action: 'add', text: rest.length > 0 ? rest.join(' ') : null };
    if (action === 'del' && rest.length === 1) return { action: 'del', fingerprint: rest[0]! };
    throw usageError(KEYS_USAGE);
  },
  async run(ctx, args) {
    const { store } = ctx.deps;
    const { account, io } = ctx;
    switch (args.action) {
      case 'list': {
        const list = await store.sshKeys.list(account.id);
        if (list.length === 0) return io.out('no keys');
        await io.out(...columns(list.map((k) => [k.fingerprint, k.algorithm, k.createdAt.toISOString().slice(0, 10), printable(k.comment)])));
        return;
      }
      case 'add': {
        const text = args.text ?? (io.interactive ? await required(io, replies.keyPrompt, false) : await readAll(io));
        // Every format `septet ssh key add` reads: OpenSSH lines, authorized_keys, RFC 4716, PuTTY .ppk.
        // The one path `septet ssh key add` takes too (src/core/keys/install.ts).
        const parsed = parsePublicKeys(text).keys;
        if (parsed.length === 0) throw failure('no key given');
        const result = await installKeys(store.sshKeys, account.id, parsed);
        for (const key of result.added) await io.out(`added ${printable(describeKey(key))}`, ...key.notes.map((note) => `  ${printable(note)}`));
        for (const key of result.present) await io.out(`already there: ${printable(describeKey(key))}`);
        if (result.added.length > 0) ctx.peer.log.info({ account: account.address, keys: result.added.map((k) => k.fingerprint) }, 'console: ssh keys added');
        if (result.added.length === 0) throw failure(parsed.length === 1 ? 'you have this key already' : 'you have these keys already');
        return;
      }
      case 'del': {
        const fingerprint = normalizeFingerprint(args.fingerprint);
        if (!fingerprint) throw failure(`not a SHA256 fingerprint: ${printable(args.fingerprint)}; see keys list`);
        if (!(await store.sshKeys.delete(account.id, fingerprint))) throw failure(`no key ${fingerprint}; see keys list`);
        ctx.peer.log.info({ account: account.address, key: fingerprint }, 'console: ssh key deleted');
        await io.out(`deleted ${fingerprint}`);
        return;
      }
    }
  },
});

/** Lines until the end of input (an authorized_keys file piped in), bounded by the line limit per line. */
async function readAll(io: ConsoleIO): Promise<string> {
  const lines: string[] = [];
  for (let line = await io.ask(''); line !== null && lines.length < 10_000; line = await io.ask('')) lines.push(line);
  return lines.join('\n');
}
