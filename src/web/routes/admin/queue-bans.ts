// The outbound queue (list, retry now, delete, hold, release: the operations of
// `septet queue`, src/core/admin/queue.ts) and the banned client sources (list, lift:
// as `septet ban del`; src/core/auth/ban-guard.ts re-reads the bans within a second).

import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { queueAct, type QueueAction } from '../../../core/admin/queue.ts';
import { sourceNetwork } from '../../../core/net/address.ts';
import type { QueueEntry } from '../../../core/store/types.ts';
import { signedIn } from '../../access.ts';
import { WebError } from '../../replies.ts';
import type { RouteGroup } from '../types.ts';

const admin = { access: 'admin' } as const;
const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } };
const message = { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } as const;
const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

const entrySchema = {
  type: 'object',
  required: ['id', 'state', 'sender', 'size', 'createdAt', 'nextAttemptAt', 'attempts', 'lastError', 'recipients'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'held', 'deferred', 'inflight'] },
    sender: { type: 'string' },
    size: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    nextAttemptAt: { type: 'string', format: 'date-time' },
    attempts: { type: 'integer' },
    lastError: { type: ['string', 'null'] },
    recipients: {
      type: 'array',
      items: { type: 'object', required: ['address', 'status'], properties: { address: { type: 'string' }, status: { type: 'string' }, lastReply: { type: ['string', 'null'] }, remoteMta: { type: ['string', 'null'] } } },
    },
  },
} as const;

function describeEntry(e: QueueEntry) {
  return {
    id: e.id,
    state: e.state,
    sender: e.sender,
    size: e.size,
    createdAt: e.createdAt.toISOString(),
    nextAttemptAt: e.nextAttemptAt.toISOString(),
    attempts: e.attempts,
    lastError: e.lastError,
    recipients: e.recipients.map((r) => ({ address: r.address, status: r.status ?? 'pending', lastReply: r.lastReply ?? null, remoteMta: r.remoteMta ?? null })),
  };
}

/** An IPv4 address, an IPv6 address or an IPv6 /64 as the list shows it (as `septet ban` takes it). */
function banSource(source: string): string {
  const bare = source.endsWith('/64') ? source.slice(0, -3) : source;
  if (isIP(bare) === 0 || (bare !== source && isIP(bare) !== 6)) throw new WebError('bad-request', `not an IP address: ${source.slice(0, 100)}`);
  return sourceNetwork(source);
}

export const queueAndBanRoutes: RouteGroup = {
  name: 'admin-queue-bans',
  register(app, { deps }) {
    const { store } = deps;

    app.get('/api/admin/queue', {
      config: admin,
      schema: { tags: ['admin'], summary: 'The outbound queue, oldest first', response: { 200: { type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: entrySchema } } }, ...errors } },
    }, async () => ({ entries: (await store.queue.list()).map(describeEntry) }));

    const act = (action: QueueAction) => async (request: FastifyRequest) => {
      const { id } = request.params as { id: string };
      const text = await queueAct(store, action, id);
      request.log.info({ admin: signedIn(request).account.address, queueId: id, action }, `web admin: queue ${action}`);
      return { message: text };
    };
    const summaries: Record<Exclude<QueueAction, 'delete'>, string> = {
      retry: 'Try the entry at once (also ends a hold)',
      hold: 'Hold the entry: the relay leaves it alone until released',
      release: 'End a hold; the entry is tried at once',
    };
    for (const action of ['retry', 'hold', 'release'] as const) {
      app.post(`/api/admin/queue/:id/${action}`, { config: admin, schema: { tags: ['admin'], summary: summaries[action], params: idParam, response: { 200: message, ...errors } } }, act(action));
    }
    app.delete('/api/admin/queue/:id', {
      config: admin,
      schema: { tags: ['admin'], summary: 'Delete the entry (no report goes to the sender)', params: idParam, response: { 200: message, ...errors } },
    }, act('delete'));

    const banSchema = { type: 'object', required: ['source', 'reason', 'createdAt', 'expiresAt'], properties: { source: { type: 'string' }, reason: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, expiresAt: { type: 'string', format: 'date-time' } } } as const;
    app.get('/api/admin/bans', {
      config: admin,
      schema: { tags: ['admin'], summary: 'Client sources banned now', response: { 200: { type: 'object', required: ['bans'], properties: { bans: { type: 'array', items: banSchema } } }, ...errors } },
    }, async () => ({
      bans: (await store.bans.listBans(new Date())).map((b) => ({ source: b.source, reason: b.reason, createdAt: b.createdAt.toISOString(), expiresAt: b.expiresAt.toISOString() })),
    }));

    // The source goes in the query: an IPv6 /64 has a slash.
    app.delete('/api/admin/bans', {
      config: admin,
      schema: {
        tags: ['admin'],
        summary: 'Lift the ban of a source (as septet ban del)',
        querystring: { type: 'object', required: ['source'], additionalProperties: false, properties: { source: { type: 'string', minLength: 2, maxLength: 64 } } },
        response: { 200: message, ...errors },
      },
    }, async (request) => {
      const source = banSource((request.query as { source: string }).source);
      if (!(await store.bans.deleteBan(source, new Date()))) throw new WebError('not-found', `no ban for ${source}`);
      request.log.info({ admin: signedIn(request).account.address, source }, 'web admin: ban lifted');
      return { message: `lifted the ban of ${source}` };
    });
  },
};
