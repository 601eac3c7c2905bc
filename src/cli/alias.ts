// septet alias add|list|del
// The operations are shared with the console (src/core/admin/aliases.ts).

import { addAlias, aliasListLines, deleteAlias, normalizeAlias } from '../core/admin/aliases.ts';
import { normalizeAddress } from '../core/admin/accounts.ts';
import { parse, UsageError } from './args.ts';
import { withStore } from './store.ts';

const out = (line: string) => process.stdout.write(line + '\n');

export async function aliasCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {});
  const [action, alias, target] = positionals;
  switch (action) {
    case 'add': {
      // Both checked before the store opens, as before.
      normalizeAlias(alias);
      normalizeAddress(target, 'target');
      out(await withStore(values, (store) => addAlias(store, alias, target)));
      return;
    }
    case 'list':
      await withStore(values, async (store) => {
        for (const line of await aliasListLines(store)) out(line);
      });
      return;
    case 'del': {
      normalizeAlias(alias);
      out(await withStore(values, (store) => deleteAlias(store, alias)));
      return;
    }
    default:
      throw new UsageError('alias: expected add, list or del');
  }
}
