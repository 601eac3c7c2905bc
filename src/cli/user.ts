// septet user add|list|import|passwd|quota|sendas|del

import { hashPassword, hashSchemeName, passwordPolicy } from '../core/auth/password.ts';
import { StoreError } from '../core/store/types.ts';
import { parse, readPassword, UsageError } from './args.ts';
import { normalizeAddressArgument, withStore } from './store.ts';
import { importUsers } from './user-import.ts';

export async function userCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    password: { type: 'string' },
    admin: { type: 'boolean' },
    'send-as-domain': { type: 'boolean' },
    domain: { type: 'string' },
    replace: { type: 'boolean' },
    schemes: { type: 'boolean' },
  });
  const [action, address] = positionals;
  switch (action) {
    case 'add': {
      const normalized = normalizeAddressArgument(address);
      const password = await readPassword(values.password);
      await withStore(values, async (store, config) => {
        try {
          await store.accounts.addUser(normalized, await hashPassword(password, passwordPolicy(config.auth)), {
            admin: values.admin === true,
            sendAsDomain: values['send-as-domain'] === true,
          });
        } catch (error) {
          if (error instanceof StoreError && error.code === 'exists') throw new Error(`${normalized} already exists`);
          throw error;
        }
      });
      const notes = [values.admin ? 'administrator' : '', values['send-as-domain'] ? 'may send as any address of its domain' : ''].filter(Boolean);
      process.stdout.write(`added ${normalized}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}\n`);
      return;
    }
    case 'list':
      // --schemes adds each user's hash scheme, to follow a migration from Dovecot.
      await withStore(values, async (store) => {
        for (const account of await store.accounts.listUsers()) {
          const scheme = values.schemes ? `\t${hashSchemeName(account.passwordHash)}` : '';
          process.stdout.write(`${account.address}${scheme}${account.admin ? '\tadmin' : ''}${account.sendAsDomain ? '\tsend-as-domain' : ''}\n`);
        }
      });
      return;
    case 'import':
      await importUsers({ file: address, domain: values.domain, replace: values.replace === true, values });
      return;
    case 'passwd': {
      const normalized = normalizeAddressArgument(address);
      const password = await readPassword(values.password);
      await withStore(values, async (store, config) => {
        if (!(await store.accounts.setPassword(normalized, await hashPassword(password, passwordPolicy(config.auth))))) {
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
    case 'quota': {
      // septet user quota ADDRESS BYTES|none: the per-user storage quota that IMAP's
      // QUOTA reports and SMTP delivery enforces (452 / 552, RFC 3463 x.2.2).
      const normalized = normalizeAddressArgument(address);
      const amount = positionals[2];
      const bytes = amount === 'none' ? null : Number(amount);
      if (bytes !== null && (!Number.isSafeInteger(bytes) || bytes < 0)) throw new UsageError('user quota: give a number of bytes, or "none"');
      await withStore(values, async (store) => {
        if (!(await store.accounts.setQuota(normalized, bytes))) throw new Error(`no such user: ${normalized}`);
      });
      process.stdout.write(`quota of ${normalized}: ${bytes === null ? 'none' : `${bytes} bytes`}\n`);
      return;
    }
    case 'sendas': {
      // septet user sendas ADDRESS on|off: the user may use any address of its own
      // domain as sender on the submission ports, in MAIL FROM and From:/Sender:
      // (a shared-mailbox operator, like Postfix's smtpd_sender_login_maps "@domain user").
      const normalized = normalizeAddressArgument(address);
      const setting = positionals[2];
      if (setting !== 'on' && setting !== 'off') throw new UsageError('user sendas: give "on" or "off"');
      await withStore(values, async (store) => {
        if (!(await store.accounts.setSendAsDomain(normalized, setting === 'on'))) throw new Error(`no such user: ${normalized}`);
      });
      const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
      process.stdout.write(`${normalized} ${setting === 'on' ? 'may' : 'may no longer'} send as any address of ${domain}\n`);
      return;
    }
    default:
      throw new UsageError(`user: expected add, list, import, passwd, quota, sendas or del`);
  }
}
