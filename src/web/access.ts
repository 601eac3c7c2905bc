// Who may reach a route: every route says it in its config (`access`). The default
// under /api/ is 'user', so an API route that forgets is closed, not open; static files
// and pages default to 'public'. Checked in one onRequest hook (src/web/app.ts) after
// the session cookie is resolved.

import type { FastifyRequest } from 'fastify';
import type { Account, WebSession } from '../core/store/types.ts';
import { texts, WebError } from './replies.ts';
import type { WebSessionState } from './session.ts';

export type Access = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The resolved session (anonymous for public routes without a cookie). */
    web: WebSessionState;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** The signed-in account of a request that passed the access check (routes of 'user' and 'admin'). */
export function signedIn(request: FastifyRequest): { account: Account; session: WebSession } {
  const state = request.web;
  if (state.name !== 'signed-in') throw new WebError('unauthenticated', texts.signIn);
  return { account: state.account, session: state.session };
}

/** Throws unless the request may reach a route of `access`. */
export function checkAccess(access: Access, state: WebSessionState): void {
  if (access === 'public') return;
  if (state.name !== 'signed-in') throw new WebError('unauthenticated', texts.signIn);
  if (access === 'admin' && !state.account.admin) throw new WebError('forbidden', texts.adminOnly);
}
