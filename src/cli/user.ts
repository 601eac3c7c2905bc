// septet user add|list|passwd|del

import { hashPassword } from '../core/auth/password.ts';
import { StoreError } from '../core/store/types.ts';
import { parse, readPassword, UsageError } from './args.ts';
import { normalizeAddressArgument, withStore } from './store.ts';

export async function userCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { password: { type: 'string' }, admin: { type: 'boolean' } });
  const [action, address] = positionals;
  switch (action) {
    case 'add': {
      const normalized = normalizeAddressArgument(address);
      const password = await readPassword(values.password);
      await withStore(values, async (store, config) => {
        try {
          await store.accounts.addUser(normalized, await hashPassword(password, config.auth.scrypt_cost), { admin: values.admin === true });
        } catch (error) {
          if (error instanceof StoreError && error.code === 'exists') throw new Error(`${normalized} already exists`);
          throw error;
        }
      });
      process.stdout.write(`added ${normalized}${values.admin ? ' (administrator)' : ''}\n`);
      return;
    }
    case 'list':
      await withStore(values, async (store) => {
        for (const account of await store.accounts.listUsers()) {
          process.stdout.write(`${account.address}${account.admin ? '\tadmin' : ''}\n`);
        }
      });
      return;
    case 'passwd': {
      const normalized = normalizeAddressArgument(address);
      const password = await readPassword(values.password);
      await withStore(values, async (store, config) => {
        if (!(await store.accounts.setPassword(normalized, await hashPassword(password, config.auth.scrypt_cost)))) {
          throw new Error(`no such user: ${normalized}`);
        }
      });
      process.stdout.write(`password changed for ${normalized}\n`);
      return;
    }
    case 'del': {
      const normalized = normalizeAddressArgument(address);
      await withStore(values, async (store) => {
        if (!(await store.accounts.deleteUser(normalized))) throw new Error(`no such user: ${normalized}`);
      });
      process.stdout.write(`deleted ${normalized}\n`);
      return;
    }
    default:
      throw new UsageError(`user: expected add, list, passwd or del`);
  }
}
