// The console's pages under /console/: the single-page shell (index.html) for signed-in
// users, the sign-in page for everyone else, and the pages' scripts and styles
// (src/web/ui/, public static assets: nothing in them is private). No page has inline
// script or style, so the Content-Security-Policy can forbid both.

import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { RouteGroup } from './types.ts';

export const UI_ROOT = join(import.meta.dirname, '..', 'ui');

export const consolePages: RouteGroup = {
  name: 'console',
  async register(app) {
    await app.register(fastifyStatic, {
      root: UI_ROOT,
      prefix: '/console/',
      // The one registration that decorates reply.sendFile (the www root's does not).
      decorateReply: true,
      index: false,
      dotfiles: 'deny',
      // The shell is served by the route below, not as a file.
      allowedPath: (path) => path !== '/index.html',
      cacheControl: true,
      maxAge: 0,
    });
    const page = (file: string) => ({ file });
    app.get('/console', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 308));
    app.get('/console/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
      if (request.web.name !== 'signed-in') return reply.redirect('/console/login.html', 303);
      return reply.header('Cache-Control', 'no-store').sendFile(page('index.html').file, UI_ROOT);
    });
  },
};
