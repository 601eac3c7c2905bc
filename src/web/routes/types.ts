// The contract of a route group: one file per group under src/web/routes/, listed in
// src/web/routes/index.ts (the route table). A group registers its routes on the app it
// is given; every route sets `config.access` ('public', 'user' or 'admin') and a JSON
// schema (body, params, querystring, response) so the OpenAPI document describes it.

import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';
import type { WebSessions } from '../session.ts';
import type { WebLimits } from '../wire.ts';

export interface WebContext {
  deps: WebDeps;
  sessions: WebSessions;
  limits: WebLimits;
}

export interface RouteGroup {
  /** For logs and the OpenAPI tag. */
  name: string;
  register(app: FastifyInstance, ctx: WebContext): Promise<void> | void;
}
