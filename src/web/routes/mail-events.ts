// GET /api/mail/events: server-sent events (WHATWG HTML §9.2) of the signed-in account's
// mailbox changes, fed by the store's change feed (store.bus), which also carries the
// changes other worker processes and the CLI commit. Each event is
//   event: mail
//   data: {"kind":"append","mailboxId":3,"uids":[17]}
// and the page re-reads counts and the list. A comment line every [web] mail_heartbeat
// seconds keeps the stream visibly alive. Not compressed (a compressor would hold
// events back in its buffer); the session marks the connection trusted, so the
// listener's pre-authentication deadline does not cut it.

import { PassThrough } from 'node:stream';
import type { ChangeEvent } from '../../core/bus/bus.ts';
import { signedIn } from '../access.ts';
import type { RouteGroup } from './types.ts';

export function eventLine(event: ChangeEvent): string {
  const data = event.kind === 'mailboxes'
    ? { kind: event.kind, change: event.change ?? null, mailboxId: event.mailboxId ?? null }
    : { kind: event.kind, mailboxId: event.mailboxId, uids: event.uids.slice(0, 1000) };
  return `event: mail\ndata: ${JSON.stringify(data)}\n\n`;
}

export const mailEventRoutes: RouteGroup = {
  name: 'mail-events',
  register(app, { deps }) {
    app.get('/api/mail/events', {
      config: { access: 'user' },
      compress: false,
      schema: {
        tags: ['mail'],
        summary: 'Server-sent events: changes to the account\'s folders and messages',
        response: { 200: { type: 'string', description: 'text/event-stream' } },
      },
    }, async (request, reply) => {
      const { account } = signedIn(request);
      const stream = new PassThrough();
      // retry: how long EventSource waits before reconnecting (ms).
      stream.write(`retry: 3000\n: connected\n\n`);
      const unsubscribe = deps.store.bus.subscribe(account.id, (event) => {
        stream.write(eventLine(event));
      });
      const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), deps.config.web.mail_heartbeat * 1000);
      heartbeat.unref();
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        stream.end();
      };
      request.raw.once('close', close);
      reply.raw.once('close', close);
      stream.once('error', close);
      return reply
        .header('Content-Type', 'text/event-stream; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .header('X-Accel-Buffering', 'no')
        .send(stream);
    });
  },
};
