// septet user add|list|import|passwd|quota|sendas|admin|del
// The operations themselves are shared with the console (src/core/admin/accounts.ts).

import { addUser, deleteUser, normalizeAddress, parseQuotaAmount, setUserPassword, setUserAdmin, setUserQuota, setUserSendAs, userListLine } from '../core/admin/accounts.ts';
import { parse, readPassword, UsageError } from './args.ts';
import { withStore } from './store.ts';
import { importUsers } from './user-import.ts';

const out = (line: string) => process.stdout.write(line + '\n');

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
      const normalized = normalizeAddress(address);
      const password = await readPassword(values.password);
      out(
        await withStore(values, async (store, config) =>
          (await addUser(store, config.auth, normalized, password, { admin: values.admin === true, sendAsDomain: values['send-as-domain'] === true })).message,
        ),
      );
      return;
    }
    case 'list':
      // --schemes adds each user's hash scheme, to follow a migration from Dovecot.
      await withStore(values, async (store) => {
        for (const account of await store.accounts.listUsers()) out(userListLine(account, { schemes: values.schemes === true }));
      });
      return;
    case 'import':
      await importUsers({ file: address, domain: values.domain, replace: values.replace === true, values });
      return;
    case 'passwd': {
      const normalized = normalizeAddress(address);
      const password = await readPassword(values.password);
      out(await withStore(values, (store, config) => setUserPassword(store, config.auth, normalized, password)));
      return;
    }
    case 'del': {
      const normalized = normalizeAddress(address);
      out(await withStore(values, (store) => deleteUser(store, normalized)));
      return;
    }
    case 'quota': {
      // septet user quota ADDRESS BYTES|none: the per-user storage quota that IMAP's
      // QUOTA reports and SMTP delivery enforces (452 / 552, RFC 3463 x.2.2).
      const normalized = normalizeAddress(address);
      const bytes = parseQuotaAmount(positionals[2]);
      if (bytes === undefined) throw new UsageError('user quota: give a number of bytes, or "none"');
      out(await withStore(values, (store) => setUserQuota(store, normalized, bytes)));
      return;
    }
    case 'sendas': {
      // septet user sendas ADDRESS on|off: the user may use any address of its own
      // domain as sender on the submission ports, in MAIL FROM and From:/Sender:
      // (a shared-mailbox operator, like Postfix's smtpd_sender_login_maps "@domain user").
      const normalized = normalizeAddress(address);
      const setting = positionals[2];
      if (setting !== 'on' && setting !== 'off') throw new UsageError('user sendas: give "on" or "off"');
      out(await withStore(values, (store) => setUserSendAs(store, normalized, setting === 'on')));
      return;
    }
    case 'admin': {
      // septet user admin ADDRESS on|off: may use the console's administrator commands.
      const normalized = normalizeAddress(address);
      const setting = positionals[2];
      if (setting !== 'on' && setting !== 'off') throw new UsageError('user admin: give "on" or "off"');
      out(await withStore(values, (store) => setUserAdmin(store, normalized, setting === 'on')));
      return;
    }
    default:
      throw new UsageError(`user: expected add, list, import, passwd, quota, sendas, admin or del`);
  }
}
