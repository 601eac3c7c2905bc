// The route table: every group of the web server, in registration order. Adding a page
// or an API area adds a file under src/web/routes/ and a line here.

import { accountRoutes } from './account.ts';
import { adminRoutes } from './admin.ts';
import { composeRoutes } from './compose.ts';
import { consolePages } from './console-pages.ts';
import { fileRoutes } from './files.ts';
import { mailReadingRoutes } from './mail.ts';
import { sessionRoutes } from './session.ts';
import { staticFiles } from './static.ts';
import type { RouteGroup } from './types.ts';

export const routeGroups: readonly RouteGroup[] = [sessionRoutes, consolePages, mailReadingRoutes, composeRoutes, fileRoutes, accountRoutes, adminRoutes, staticFiles];
