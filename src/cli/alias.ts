// septet alias add|list|del

import { StoreError } from '../core/store/types.ts';
import { parse, UsageError } from './args.ts';
import { normalizeAddressArgument, withStore } from './store.ts';

/** An alias is a full address, or "@domain" for a domain's catch-all. */
function normalizeAlias(alias: string | undefined): string {
  if (alias?.startsWith('@') && alias.length > 1 && !/[\s@<>]/.test(alias.slice(1))) return alias.toLowerCase();
  return normalizeAddressArgument(alias, 'alias');
}

export async function aliasCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {});
  const [action, alias, target] = positionals;
  switch (action) {
    case 'add': {
      const from = normalizeAlias(alias);
      const to = normalizeAddressArgument(target, 'target');
      await withStore(values, async (store) => {
        try {
          await store.accounts.addAlias(from, to);
        } catch (error) {
          if (error instanceof StoreError && error.code === 'exists') throw new Error(`${from} → ${to} exists already, or ${from} is a user`);
          throw error;
        }
      });
      process.stdout.write(`added ${from} -> ${to}\n`);
      return;
    }
    case 'list':
      await withStore(values, async (store) => {
        for (const { alias: a, target: t } of await store.accounts.listAliases()) process.stdout.write(`${a}\t${t}\n`);
      });
      return;
    case 'del': {
      const from = normalizeAlias(alias);
      await withStore(values, async (store) => {
        if (!(await store.accounts.deleteAlias(from))) throw new Error(`no such alias: ${from}`);
      });
      process.stdout.write(`deleted ${from}\n`);
      return;
    }
    default:
      throw new UsageError('alias: expected add, list or del');
  }
}
