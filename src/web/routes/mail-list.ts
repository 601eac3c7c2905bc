// GET /api/mail/folders/:mailboxId/messages: one page of a folder, newest first (highest
// UID first), page size [web] page_size (the client may ask for up to 200), optionally
// filtered by a search (src/web/mail/search.ts) over the newest [web] mail_search_depth.

import type { MessageMeta, Store } from '../../core/store/types.ts';
import { signedIn } from '../access.ts';
import { queryWords, SEARCH_FIELDS, messageMatches, type SearchField } from '../mail/search.ts';
import { messageSummary } from '../mail/summary.ts';
import { folderSchema, idSchema, ownMailbox, summarySchema } from './mail-common.ts';
import type { RouteGroup } from './types.ts';

/** Beyond this many messages from the top, a page is found through the whole UID list. */
const WINDOW_LIMIT = 4096;

/**
 * One page of metadata, newest (highest UID) first. A page near the top is read as
 * UID windows below uidNext, doubled until they hold enough messages (one small read
 * when few were expunged): listing all 10,000 UIDs for the first 50 would be the
 * store's main cost. Deeper pages count from the end of listUids.
 */
async function newestPage(store: Store, mailboxId: number, uidNext: number, total: number, page: number, pageSize: number): Promise<MessageMeta[]> {
  const skip = (page - 1) * pageSize;
  if (skip >= total) return [];
  const need = Math.min(total, skip + pageSize);
  let window = Math.max(need * 2, 64);
  while (window <= WINDOW_LIMIT * 2) {
    const low = Math.max(1, uidNext - window);
    const range = Array.from({ length: uidNext - low }, (_, i) => uidNext - 1 - i).reverse();
    const found = await store.mailboxes.getMessages(mailboxId, range);
    if (found.length >= need || low === 1) return found.reverse().slice(skip, skip + pageSize);
    window *= 2;
    if (window > WINDOW_LIMIT) break;
  }
  const uids = await store.mailboxes.listUids(mailboxId);
  const end = Math.max(0, uids.length - skip);
  const metas = await store.mailboxes.getMessages(mailboxId, Array.from(uids.subarray(Math.max(0, end - pageSize), end)));
  return metas.reverse();
}

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
      const status = await store.mailboxes.status(mailbox.id);
      const folder = { id: mailbox.id, name: mailbox.name, specialUse: mailbox.specialUse, total: status.messages, unread: status.unseen };
      const words = queryWords(query.q ?? '');
      if (words.length === 0) {
        const metas = await newestPage(store, mailbox.id, status.uidNext, status.messages, page, pageSize);
        const messages = await Promise.all(metas.map((m) => messageSummary(store.blobs, m)));
        return { folder, page, pageSize, total: status.messages, messages };
      }
      const uids = await store.mailboxes.listUids(mailbox.id);
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
