// GET /api/mail/folders/:mailboxId/messages: one page of a folder, newest first (highest
// UID first), page size [web] page_size (the client may ask for up to 200), optionally
// filtered by a search (src/web/mail/search.ts) over the newest [web] mail_search_depth.

import { signedIn } from '../access.ts';
import { queryWords, SEARCH_FIELDS, messageMatches, type SearchField } from '../mail/search.ts';
import { messageSummary } from '../mail/summary.ts';
import { folderSchema, idSchema, ownMailbox, summarySchema } from './mail-common.ts';
import type { RouteGroup } from './types.ts';

interface ListQuery {
  page?: number;
  size?: number;
  q?: string;
  field?: SearchField;
}

export const mailListRoutes: RouteGroup = {
  name: 'mail-list',
  register(app, { deps, limits }) {
    app.get('/api/mail/folders/:mailboxId/messages', {
      config: { access: 'user' },
      schema: {
        tags: ['mail'],
        summary: 'A page of messages of a folder, newest first, optionally searched',
        params: { type: 'object', required: ['mailboxId'], additionalProperties: false, properties: { mailboxId: idSchema } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
            size: { type: 'integer', minimum: 1, maximum: limits.maxPageSize },
            q: { type: 'string', maxLength: 200 },
            field: { type: 'string', enum: [...SEARCH_FIELDS], default: 'all' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['folder', 'page', 'pageSize', 'total', 'messages'],
            properties: {
              folder: folderSchema,
              page: { type: 'integer' },
              pageSize: { type: 'integer' },
              total: { type: 'integer', description: 'messages in the folder, or matches of the search' },
              searchLimited: { type: 'boolean', description: 'the search looked only at the newest mail_search_depth messages' },
              messages: { type: 'array', items: summarySchema },
            },
          },
        },
      },
    }, async (request) => {
      const { account } = signedIn(request);
      const { mailboxId } = request.params as { mailboxId: number };
      const query = request.query as ListQuery;
      const store = deps.store;
      const mailbox = await ownMailbox(store, account, mailboxId);
      const page = query.page ?? 1;
      const pageSize = query.size ?? limits.pageSize;
      const [status, uids] = await Promise.all([store.mailboxes.status(mailbox.id), store.mailboxes.listUids(mailbox.id)]);
      const folder = { id: mailbox.id, name: mailbox.name, specialUse: mailbox.specialUse, total: status.messages, unread: status.unseen };
      const words = queryWords(query.q ?? '');
      if (words.length === 0) {
        // Newest first: the page's UIDs counted from the end of the ascending list.
        const end = Math.max(0, uids.length - (page - 1) * pageSize);
        const pageUids = Array.from(uids.subarray(Math.max(0, end - pageSize), end)).reverse();
        const metas = await store.mailboxes.getMessages(mailbox.id, pageUids);
        const messages = await Promise.all(metas.reverse().map((m) => messageSummary(store.blobs, m)));
        return { folder, page, pageSize, total: uids.length, messages };
      }
      const depth = Math.min(uids.length, deps.config.web.mail_search_depth);
      const candidates = Array.from(uids.subarray(uids.length - depth)).reverse();
      const matches: number[] = [];
      const CHUNK = 500;
      for (let i = 0; i < candidates.length; i += CHUNK) {
        const metas = (await store.mailboxes.getMessages(mailbox.id, candidates.slice(i, i + CHUNK))).reverse();
        for (const meta of metas) if (await messageMatches(store.blobs, meta, words, query.field ?? 'all')) matches.push(meta.uid);
      }
      const pageUids = matches.slice((page - 1) * pageSize, page * pageSize);
      const metas = (await store.mailboxes.getMessages(mailbox.id, [...pageUids].sort((a, b) => a - b))).reverse();
      const messages = await Promise.all(metas.map((m) => messageSummary(store.blobs, m)));
      return { folder, page, pageSize, total: matches.length, searchLimited: depth < uids.length, messages };
    });
  },
};
