// Alias administration shared by `septet alias ...` and the console's `alias ...`.

import { StoreError, type Store } from '../store/types.ts';
import { normalizeAddress } from './accounts.ts';
import { AdminError } from './errors.ts';

/** An alias is a full address, or "@domain" for a domain's catch-all. */
export function normalizeAlias(alias: string | undefined): string {
  if (alias?.startsWith('@') && alias.length > 1 && !/[\s@<>]/.test(alias.slice(1))) return alias.toLowerCase();
  return normalizeAddress(alias, 'alias');
}

export async function addAlias(store: Store, alias: string | undefined, target: string | undefined): Promise<string> {
  const from = normalizeAlias(alias);
  const to = normalizeAddress(target, 'target');
  try {
    await store.accounts.addAlias(from, to);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'exists') throw new AdminError('exists', `${from} → ${to} exists already, or ${from} is a user`);
    throw error;
  }
  return `added ${from} -> ${to}`;
}

export async function aliasListLines(store: Store): Promise<string[]> {
  return (await store.accounts.listAliases()).map(({ alias, target }) => `${alias}\t${target}`);
}

export async function deleteAlias(store: Store, alias: string | undefined): Promise<string> {
  const from = normalizeAlias(alias);
  if (!(await store.accounts.deleteAlias(from))) throw new AdminError('not-found', `no such alias: ${from}`);
  return `deleted ${from}`;
}
