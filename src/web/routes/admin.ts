// Administration (administrators only: every route is `access: 'admin'`): users,
// aliases and domains; the mail queue and bans; live status and recent log lines.
// The console's page is src/web/ui/views/admin.js.

import { adminAccountRoutes } from './admin/accounts.ts';
import { queueAndBanRoutes } from './admin/queue-bans.ts';
import { statusRoutes } from './admin/status.ts';
import type { RouteGroup } from './types.ts';

export const adminRoutes: RouteGroup = {
  name: 'admin',
  async register(app, ctx) {
    for (const group of [adminAccountRoutes, queueAndBanRoutes, statusRoutes]) await group.register(app, ctx);
  },
};
