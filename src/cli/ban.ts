// septet ban list|add|del: sources banned after repeated failed logins
// (src/core/auth/ban-guard.ts). The running server re-reads the bans at most a
// second after a change, so what these commands do applies to its next connection.

import { isIP } from 'node:net';
import { sourceNetwork } from '../core/net/address.ts';
import { parse, UsageError } from './args.ts';
import { withStore } from './store.ts';

/** An IPv4 address, an IPv6 address (its /64 is meant) or an IPv6 /64 as `ban list` shows it. */
function sourceArgument(address: string | undefined): string {
  if (!address) throw new UsageError('ban: give an IP address');
  const bare = address.endsWith('/64') ? address.slice(0, -3) : address;
  if (isIP(bare) === 0 || (bare !== address && isIP(bare) !== 6)) throw new Error(`not an IP address: ${address}`);
  return sourceNetwork(address);
}

export async function banCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { duration: { type: 'string' }, reason: { type: 'string' } });
  const [action, address] = positionals;
  switch (action) {
    case 'list':
      await withStore(values, async (store) => {
        for (const ban of await store.bans.listBans(new Date())) {
          process.stdout.write(`${ban.source}\tuntil ${ban.expiresAt.toISOString()}\t${ban.reason}\n`);
        }
      });
      return;
    case 'add': {
      const source = sourceArgument(address);
      await withStore(values, async (store, config) => {
        const seconds = values.duration === undefined ? config.auth.ban_duration : Number(values.duration);
        if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new UsageError('ban add: --duration takes a number of seconds');
        const now = Date.now();
        const reason = typeof values.reason === 'string' && values.reason ? values.reason : 'banned by the administrator';
        await store.bans.addBan({ source, reason, createdAt: new Date(now), expiresAt: new Date(now + seconds * 1000) });
        process.stdout.write(`banned ${source} for ${seconds} s\n`);
      });
      return;
    }
    case 'del': {
      const source = sourceArgument(address);
      await withStore(values, async (store) => {
        if (!(await store.bans.deleteBan(source, new Date()))) throw new Error(`no ban for ${source}`);
      });
      process.stdout.write(`lifted the ban of ${source}\n`);
      return;
    }
    default:
      throw new UsageError('ban: expected list, add or del');
  }
}
