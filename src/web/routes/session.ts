// Signing in and out (POST/DELETE /api/session) and who is signed in (GET
// /api/session, which also hands out the CSRF token the pages send with every change).
// Passwords go through the shared Authenticator: the same throttle per source and
// account, bans and log line as IMAP or SSH; on top, [web] login_rate per minute.

import { texts, WebError } from '../replies.ts';
import { clientAddress } from '../session.ts';
import type { RouteGroup } from './types.ts';

export const accountSchema = {
  type: 'object',
  required: ['address', 'admin'],
  properties: { address: { type: 'string' }, admin: { type: 'boolean' } },
} as const;

const sessionReply = {
  type: 'object',
  required: ['signedIn', 'csrfToken'],
  properties: {
    signedIn: { type: 'boolean' },
    account: accountSchema,
    csrfToken: { type: 'string', description: 'send as X-CSRF-Token with every POST, PUT, PATCH and DELETE' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const sessionRoutes: RouteGroup = {
  name: 'session',
  register(app, { deps, sessions }) {
    app.get('/api/session', {
      config: { access: 'public' },
      schema: { tags: ['session'], summary: 'Who is signed in, and the CSRF token', response: { 200: sessionReply } },
    }, async (request, reply) => {
      const state = request.web;
      const csrfToken = reply.generateCsrf();
      if (state.name !== 'signed-in') return { signedIn: false, csrfToken };
      return { signedIn: true, account: { address: state.account.address, admin: state.account.admin }, csrfToken, expiresAt: state.session.expiresAt.toISOString() };
    });

    app.post('/api/session', {
      config: { access: 'public', rateLimit: { max: deps.config.web.login_rate, timeWindow: 60_000 } },
      schema: {
        tags: ['session'],
        summary: 'Sign in with a Septet account',
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
        response: { 200: sessionReply },
      },
    }, async (request, reply) => {
      const { username, password } = request.body as { username: string; password: string };
      const account = await deps.auth.login({ username, password, remoteAddress: clientAddress(request), service: 'https' });
      if (!account) throw new WebError('unauthenticated', texts.badLogin);
      const session = await sessions.signIn(request, reply, account);
      return { signedIn: true, account: { address: account.address, admin: account.admin }, csrfToken: reply.generateCsrf(), expiresAt: session.expiresAt.toISOString() };
    });

    app.delete('/api/session', {
      config: { access: 'public' },
      schema: { tags: ['session'], summary: 'Sign out', response: { 204: { type: 'null' } } },
    }, async (request, reply) => {
      await sessions.signOut(request, reply);
      return reply.code(204).send();
    });
  },
};
