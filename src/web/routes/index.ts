// The route table: every group of the web server, in registration order. Adding a page
// or an API area adds a file under src/web/routes/ and a line here.

import { consolePages } from './console-pages.ts';
import { mailReadingRoutes } from './mail.ts';
import { sessionRoutes } from './session.ts';
import type { RouteGroup } from './types.ts';

export const routeGroups: readonly RouteGroup[] = [sessionRoutes, consolePages, mailReadingRoutes];
