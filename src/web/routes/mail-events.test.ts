// The event stream's lifecycle: heartbeats at [web] mail_heartbeat, and the change-feed
// subscription is dropped when the client goes away (no listener left behind).

import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createMemoryStore } from '../../core/store/memory/memory-store.ts';
import { BOB, WebFixture } from '../testing/app.ts';

test('GET /api/mail/events sends heartbeats and unsubscribes from the change feed when the client closes', async () => {
  const store = createMemoryStore();
  let live = 0;
  const subscribe = store.bus.subscribe.bind(store.bus);
  (store.bus as { subscribe: typeof subscribe }).subscribe = (accountId, listener) => {
    live++;
    const stop = subscribe(accountId, listener);
    return () => {
      live--;
      stop();
    };
  };
  const fx = await WebFixture.start({ store, configure: (config) => (config.web.mail_heartbeat = 5) });
  try {
    const bob = await fx.signedIn(BOB);
    const cookie = [...bob.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    // A real HTTP/1.1 socket (inject() has none to close): Fastify's router behind a plain server.
    const server = createServer((request, reply) => fx.app.routing(request, reply));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    let text = '';
    const request = get({ host: '127.0.0.1', port, path: '/api/mail/events', headers: { cookie } });
    await new Promise<void>((resolve, reject) => {
      request.on('error', reject);
      request.on('response', (response) => {
        assert.equal(response.statusCode, 200);
        assert.equal(response.headers['cache-control'], 'no-store');
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes(': heartbeat')) resolve();
        });
      });
    });
    assert.equal(live, 1, 'subscribed while open');
    request.destroy();
    const deadline = Date.now() + 5000;
    while (live > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(live, 0, 'unsubscribed after the client closed');
    server.close();
  } finally {
    await fx.close();
  }
});
