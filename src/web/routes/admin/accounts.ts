// Users, aliases and domains for administrators, through the operations the CLI and
// the SSH console use (src/core/admin/): the same checks, results and messages.
//
// Domains are not a table of their own in Septet: a domain is local because a user
// or an alias has an address in it, or because the configuration lists it in
// `domains`. So the domains section lists them with their users and aliases;
// a domain is added by adding its first user or alias (or in the configuration), and
// goes when its last one does.

import { addUser, deleteUser, setUserAdmin, setUserPassword, setUserQuota, setUserSendAs, normalizeAddress } from '../../../core/admin/accounts.ts';
import { addAlias, deleteAlias, normalizeAlias } from '../../../core/admin/aliases.ts';
import type { Account } from '../../../core/store/types.ts';
import { signedIn } from '../../access.ts';
import { WebError } from '../../replies.ts';
import type { RouteGroup } from '../types.ts';

const admin = { access: 'admin' } as const;
const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' }, 422: { $ref: 'ErrorBody#' } };
const address = { type: 'string', minLength: 3, maxLength: 320 } as const;
const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const quota = { type: ['integer', 'null'], minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'octets; null = no quota' } as const;
const message = { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } as const;

const userSchema = {
  type: 'object',
  required: ['address', 'admin', 'sendAsDomain', 'quotaBytes', 'usedBytes', 'createdAt'],
  properties: {
    address: { type: 'string' },
    admin: { type: 'boolean' },
    sendAsDomain: { type: 'boolean' },
    quotaBytes: { type: ['integer', 'null'] },
    usedBytes: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const addressParam = { type: 'object', required: ['address'], properties: { address } } as const;

function domainOf(addr: string): string {
  return addr.slice(addr.lastIndexOf('@') + 1).toLowerCase();
}

export const adminAccountRoutes: RouteGroup = {
  name: 'admin-accounts',
  register(app, { deps, sessions }) {
    const { store } = deps;
    const describe = async (account: Account) => ({
      address: account.address,
      admin: account.admin,
      sendAsDomain: account.sendAsDomain,
      quotaBytes: account.quotaBytes,
      usedBytes: await store.mailboxes.usage(account.id),
      createdAt: account.createdAt.toISOString(),
    });
    const requireUser = async (addr: string): Promise<Account> => {
      const account = await store.accounts.getUser(normalizeAddress(addr));
      if (!account) throw new WebError('not-found', `no such user: ${addr}`);
      return account;
    };

    app.get('/api/admin/users', {
      config: admin,
      schema: { tags: ['admin'], summary: 'Every user with quota, usage and flags', response: { 200: { type: 'object', required: ['users'], properties: { users: { type: 'array', items: userSchema } } }, ...errors } },
    }, async () => ({ users: await Promise.all((await store.accounts.listUsers()).map(describe)) }));

    app.post('/api/admin/users', {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Add a user (as septet user add)',
        body: { type: 'object', required: ['address', 'password'], additionalProperties: false, properties: { address, password, admin: { type: 'boolean' }, sendAsDomain: { type: 'boolean' }, quotaBytes: quota } },
        response: { 201: { type: 'object', required: ['user', 'message'], properties: { user: userSchema, message: { type: 'string' } } }, ...errors },
      },
    }, async (request, reply) => {
      const body = request.body as { address: string; password: string; admin?: boolean; sendAsDomain?: boolean; quotaBytes?: number | null };
      const added = await addUser(store, deps.config.auth, body.address, body.password, { admin: body.admin === true, sendAsDomain: body.sendAsDomain === true });
      await store.mailboxes.ensureDefaultMailboxes(added.account.id);
      if (body.quotaBytes !== undefined && body.quotaBytes !== null) await setUserQuota(store, added.account.address, body.quotaBytes);
      request.log.info({ admin: signedIn(request).account.address, user: added.account.address }, 'web admin: user added');
      return reply.code(201).send({ user: await describe(await requireUser(added.account.address)), message: added.message });
    });

    app.patch('/api/admin/users/:address', {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Change a user: password, quota, administrator, send as domain',
        params: addressParam,
        body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { password, quotaBytes: quota, admin: { type: 'boolean' }, sendAsDomain: { type: 'boolean' } } },
        response: { 200: { type: 'object', required: ['user', 'messages'], properties: { user: userSchema, messages: { type: 'array', items: { type: 'string' } } } }, ...errors },
      },
    }, async (request) => {
      const self = signedIn(request).account;
      const account = await requireUser((request.params as { address: string }).address);
      const body = request.body as { password?: string; quotaBytes?: number | null; admin?: boolean; sendAsDomain?: boolean };
      // Nobody locks the console's last way in by accident: an administrator keeps their own flag.
      if (body.admin === false && account.id === self.id) throw new WebError('refused', 'you cannot take away your own administrator flag; another administrator can');
      if (Object.keys(body).length === 0) throw new WebError('bad-request', 'nothing to change: give password, quotaBytes, admin or sendAsDomain');
      const messages: string[] = [];
      if (body.password !== undefined) {
        messages.push(await setUserPassword(store, deps.config.auth, account.address, body.password));
        await store.webSessions.deleteForAccount(account.id, account.id === self.id ? signedIn(request).session.id : undefined);
      }
      if (body.quotaBytes !== undefined) messages.push(await setUserQuota(store, account.address, body.quotaBytes));
      if (body.admin !== undefined) messages.push(await setUserAdmin(store, account.address, body.admin));
      if (body.sendAsDomain !== undefined) messages.push(await setUserSendAs(store, account.address, body.sendAsDomain));
      // Remembered sessions carry the account as it was (its administrator flag above all).
      sessions.forgetAccount(account.id);
      request.log.info({ admin: self.address, user: account.address, changed: Object.keys(body) }, 'web admin: user changed');
      return { user: await describe(await requireUser(account.address)), messages };
    });

    app.delete('/api/admin/users/:address', {
      config: admin,
      schema: { tags: ['admin'], summary: 'Delete a user with their mail (as septet user del)', params: addressParam, response: { 200: message, ...errors } },
    }, async (request) => {
      const self = signedIn(request).account;
      const account = await requireUser((request.params as { address: string }).address);
      if (account.id === self.id) throw new WebError('refused', 'you cannot delete the account you are signed in with');
      const text = await deleteUser(store, account.address);
      sessions.forgetAccount(account.id);
      request.log.info({ admin: self.address, user: account.address }, 'web admin: user deleted');
      return { message: text };
    });

    const aliasSchema = { type: 'object', required: ['alias', 'target'], properties: { alias: { type: 'string' }, target: { type: 'string' } } } as const;
    app.get('/api/admin/aliases', {
      config: admin,
      schema: { tags: ['admin'], summary: 'Every alias and its target', response: { 200: { type: 'object', required: ['aliases'], properties: { aliases: { type: 'array', items: aliasSchema } } }, ...errors } },
    }, async () => ({ aliases: await store.accounts.listAliases() }));

    app.post('/api/admin/aliases', {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Add an alias: a full address or "@domain" (catch-all), to an address',
        body: { type: 'object', required: ['alias', 'target'], additionalProperties: false, properties: { alias: { type: 'string', minLength: 2, maxLength: 320 }, target: address } },
        response: { 201: message, ...errors },
      },
    }, async (request, reply) => {
      const body = request.body as { alias: string; target: string };
      const text = await addAlias(store, body.alias, body.target);
      request.log.info({ admin: signedIn(request).account.address, alias: normalizeAlias(body.alias) }, 'web admin: alias added');
      return reply.code(201).send({ message: text });
    });

    app.delete('/api/admin/aliases/:alias', {
      config: admin,
      schema: { tags: ['admin'], summary: 'Delete an alias (every target of it)', params: { type: 'object', required: ['alias'], properties: { alias: { type: 'string', minLength: 2, maxLength: 320 } } }, response: { 200: message, ...errors } },
    }, async (request) => {
      const { alias } = request.params as { alias: string };
      const text = await deleteAlias(store, alias);
      request.log.info({ admin: signedIn(request).account.address, alias }, 'web admin: alias deleted');
      return { message: text };
    });

    app.get('/api/admin/domains', {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'The local domains: of users and aliases, and `domains` of the configuration',
        response: {
          200: {
            type: 'object',
            required: ['domains'],
            properties: {
              domains: {
                type: 'array',
                items: { type: 'object', required: ['domain', 'users', 'aliases', 'configured'], properties: { domain: { type: 'string' }, users: { type: 'integer' }, aliases: { type: 'integer' }, catchAll: { type: ['string', 'null'] }, configured: { type: 'boolean' } } },
              },
            },
          },
          ...errors,
        },
      },
    }, async () => {
      const [names, users, aliases] = await Promise.all([store.accounts.domains(), store.accounts.listUsers(), store.accounts.listAliases()]);
      const configured = new Set(deps.config.domains.map((d) => d.toLowerCase()));
      const all = [...new Set([...names.map((d) => d.toLowerCase()), ...configured])].sort();
      return {
        domains: all.map((domain) => ({
          domain,
          users: users.filter((u) => domainOf(u.address) === domain).length,
          aliases: aliases.filter((a) => domainOf(a.alias) === domain).length,
          catchAll: aliases.find((a) => a.alias === `@${domain}`)?.target ?? null,
          configured: configured.has(domain),
        })),
      };
    });
  },
};
