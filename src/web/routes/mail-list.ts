// GET /api/mail/folders/:mailboxId/messages: one page of a folder, newest first (highest
// UID first), page size [web] page_size (the client may ask for up to 200), optionally
// filtered by a search (src/web/mail/search.ts) over the newest [web] mail_search_depth.

import { constants as zlibConstants } from 'node:zlib';
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

/**
 * The list is JSON that changes on every request. With the plugin's defaults a new
 * compressor per response (gzip level 6 with a 32 KiB window and memLevel 8, brotli 4)
 * cost more CPU than the rest of the request (bench/web-api.sh: 427 -> 735 req/s with
 * these). The fastest levels with small windows fit a ~20 KB page and lose ~10% of the
 * ratio (18.5 KB -> 1.4 KB gzip instead of 1.3 KB).
 */
export const FAST_COMPRESSION = {
  encodings: ['br', 'gzip'],
  threshold: 1024,
  zlibOptions: { level: 1, windowBits: 13, memLevel: 4 },
  brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1, [zlibConstants.BROTLI_PARAM_LGWIN]: 16, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: 32768 } },
} as const;

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
      compress: { ...FAST_COMPRESSION, encodings: [...FAST_COMPRESSION.encodings] },
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
