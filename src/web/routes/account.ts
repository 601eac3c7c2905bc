// The account page's API: what a user changes about their own account, as the
// console's passwd and keys commands do (src/console/commands/account.ts), over the same
// layers. The password: the old one proved through the shared Authenticator (its
// throttle, bans and log line), the new one held to checkNewPassword and hashed with the
// configured scheme, replaced only if the hash is still the one proved (a change made
// meanwhile elsewhere is not undone), then every other web session of the account is
// signed out. SSH keys: any format `septet ssh key add` reads (OpenSSH lines,
// authorized_keys, RFC 4716, PuTTY .ppk: src/core/keys/parse.ts), installed by the one
// path (src/core/keys/install.ts), listed with the fingerprints `ssh-keygen -l` prints,
// deleted by fingerprint. And the server's own SSH host key fingerprints, to check the
// first connection against.

import { checkNewPassword } from '../../core/admin/accounts.ts';
import { hashPassword, passwordPolicy } from '../../core/auth/password.ts';
import { installKeys, normalizeFingerprint } from '../../core/keys/install.ts';
import { parsePublicKeys } from '../../core/keys/parse.ts';
import { publicKeyFromBlob, type PublicKey } from '../../core/keys/public-key.ts';
import type { SshKey } from '../../core/store/types.ts';
import { signedIn } from '../access.ts';
import { WebError } from '../replies.ts';
import { clientAddress } from '../session.ts';
import type { RouteGroup } from './types.ts';

/** The longest key text a paste may be (an authorized_keys file of a few dozen keys). */
export const KEY_PASTE_MAX = 256 * 1024;

const keySchema = {
  type: 'object',
  required: ['fingerprint', 'algorithm', 'bits', 'comment'],
  properties: {
    fingerprint: { type: 'string', description: '"SHA256:..." as ssh-keygen -l prints it' },
    algorithm: { type: 'string' },
    bits: { type: 'integer' },
    comment: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;
const errors = { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } } as const;

function storedKey(key: SshKey): { fingerprint: string; algorithm: string; bits: number; comment: string; createdAt: string } {
  // The bits are not stored: read again from the blob, which was checked when it was added.
  let bits = 0;
  try {
    bits = publicKeyFromBlob(key.publicKey, key.comment, key.algorithm).bits;
  } catch {
    // A key stored by an older version that no longer parses still shows, and can be deleted.
  }
  return { fingerprint: key.fingerprint, algorithm: key.algorithm, bits, comment: key.comment, createdAt: key.createdAt.toISOString() };
}

const parsedKey = (key: PublicKey & { notes?: string[] }) => ({ fingerprint: key.fingerprint, algorithm: key.algorithm, bits: key.bits, comment: key.comment, notes: key.notes ?? [] });

export const accountRoutes: RouteGroup = {
  name: 'account',
  register(app, { deps, sessions }) {
    app.post('/api/account/password', {
      schema: {
        tags: ['account'],
        summary: 'Change your password (signs your other web sessions out)',
        body: {
          type: 'object',
          required: ['current', 'new'],
          additionalProperties: false,
          properties: { current: { type: 'string', minLength: 1, maxLength: 1024 }, new: { type: 'string', maxLength: 1024 } },
        },
        response: { 200: { type: 'object', required: ['signedOut'], properties: { signedOut: { type: 'integer', description: 'other sessions signed out' } } }, ...errors, 403: { $ref: 'ErrorBody#' } },
      },
    }, async (request) => {
      const { account, session } = signedIn(request);
      const { current, new: fresh } = request.body as { current: string; new: string };
      checkNewPassword(fresh);
      const proved = await deps.auth.login({ username: account.address, password: current, remoteAddress: clientAddress(request), service: 'https-password' });
      if (proved?.id !== account.id) {
        request.log.warn({ account: account.address, remote: clientAddress(request) }, 'web: password change with a wrong current password');
        throw new WebError('forbidden', 'The current password is wrong');
      }
      // The login may just have upgraded the hash's scheme: replace the one there now, and only it.
      const verified = (await deps.store.accounts.getUserById(account.id))?.passwordHash ?? account.passwordHash;
      const hash = await hashPassword(fresh, passwordPolicy(deps.config.auth));
      if (!(await deps.store.accounts.replacePasswordHash(account.address, verified, hash))) throw new WebError('conflict', 'The password was changed meanwhile; try again');
      const signedOut = await deps.store.webSessions.deleteForAccount(account.id, session.id);
      sessions.forgetAccount(account.id);
      request.log.info({ account: account.address, remote: clientAddress(request), signedOut }, 'web: password changed');
      return { signedOut };
    });

    app.get('/api/account/keys', {
      schema: { tags: ['account'], summary: 'Your SSH public keys, oldest first', response: { 200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: keySchema } } } } },
    }, async (request) => {
      const { account } = signedIn(request);
      return { keys: (await deps.store.sshKeys.list(account.id)).map(storedKey) };
    });

    app.post('/api/account/keys', {
      schema: {
        tags: ['account'],
        summary: 'Add SSH public keys: an OpenSSH line or authorized_keys text, an RFC 4716 block (PuTTY "Save public key") or a PuTTY .ppk',
        body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: KEY_PASTE_MAX } } },
        response: { 201: { type: 'object', required: ['added', 'present'], properties: { added: { type: 'array', items: keySchema }, present: { type: 'array', items: keySchema } } }, ...errors },
      },
    }, async (request, reply) => {
      const { account } = signedIn(request);
      const { text } = request.body as { text: string };
      const parsed = parsePublicKeys(text).keys;
      if (parsed.length === 0) throw new WebError('bad-request', 'no key in the text');
      const result = await installKeys(deps.store.sshKeys, account.id, parsed);
      if (result.added.length === 0) throw new WebError('conflict', parsed.length === 1 ? 'You have this key already' : 'You have these keys already');
      request.log.info({ account: account.address, keys: result.added.map((k) => k.fingerprint) }, 'web: ssh keys added');
      return reply.code(201).send({ added: result.added.map(parsedKey), present: result.present.map(parsedKey) });
    });

    app.delete('/api/account/keys', {
      schema: {
        tags: ['account'],
        summary: 'Delete one of your SSH keys by fingerprint',
        querystring: { type: 'object', required: ['fingerprint'], additionalProperties: false, properties: { fingerprint: { type: 'string', maxLength: 100 } } },
        response: { 204: { type: 'null' }, ...errors },
      },
    }, async (request, reply) => {
      const { account } = signedIn(request);
      const given = (request.query as { fingerprint: string }).fingerprint;
      const fingerprint = normalizeFingerprint(given);
      if (!fingerprint) throw new WebError('bad-request', 'not a SHA256 fingerprint');
      // Only the account's own keys: another account's fingerprint is "no such key".
      if (!(await deps.store.sshKeys.delete(account.id, fingerprint))) throw new WebError('not-found', `no key ${fingerprint}`);
      request.log.info({ account: account.address, key: fingerprint }, 'web: ssh key deleted');
      return reply.code(204).send();
    });

    app.get('/api/account/host-keys', {
      schema: {
        tags: ['account'],
        summary: "The server's SSH host key fingerprints (empty when SSH is off)",
        response: { 200: { type: 'object', required: ['hostKeys'], properties: { hostKeys: { type: 'array', items: { type: 'object', required: ['type', 'bits', 'fingerprint'], properties: { type: { type: 'string' }, bits: { type: 'integer' }, fingerprint: { type: 'string' } } } } } } },
      },
    }, async () => ({ hostKeys: deps.hostKeys }));
  },
};
