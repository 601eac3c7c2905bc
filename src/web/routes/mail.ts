// The webmail's reading side, one route group of several small files: folders with
// counts, the message list (paging, search), reading (sanitised HTML in a sandboxed
// frame, parts), flags, move, delete to Trash, and live events. Every route finds
// mailboxes and messages through mail-common.ts, which refuses other accounts' ids.

import { mailChangeRoutes } from './mail-change.ts';
import { mailEventRoutes } from './mail-events.ts';
import { mailFolderRoutes } from './mail-folders.ts';
import { mailListRoutes } from './mail-list.ts';
import { mailReadRoutes } from './mail-read.ts';
import type { RouteGroup } from './types.ts';

const parts = [mailFolderRoutes, mailListRoutes, mailReadRoutes, mailChangeRoutes, mailEventRoutes];

export const mailReadingRoutes: RouteGroup = {
  name: 'mail',
  async register(app, ctx) {
    for (const part of parts) await part.register(app, ctx);
  },
};
