// The two listeners of the web: HTTPS (443) hands each connection, once the listener
// has checked it (bans, limits, PROXY: src/core/net/listener.ts), to the Fastify app's
// HTTP/2 server, which does the TLS handshake (certificates by SNI from src/core/tls/)
// and speaks HTTP/2 or HTTP/1.1 as ALPN chose. (Node's HTTP/2 session does not run on a
// TLS socket made outside its server, so the listener's own implicit TLS is not used.)
// plain HTTP (80) answers every request with a permanent redirect to HTTPS and nothing
// else (RFC 9110 §15.4.9: 308 keeps the method).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Connection } from '../core/net/connection.ts';
import type { ConnectionHandler, RefusalReason } from '../core/net/listener.ts';
import { refusalText, type Refusal } from '../core/service/refusals.ts';
import { buildWebApp } from './app.ts';
import type { WebDeps } from './deps.ts';
import { connectionKey, openConnections } from './session.ts';
import { httpsPort, webLimits } from './wire.ts';

/** What a refused client reads: a complete HTTP/1.1 response, then the close. */
export function webRefusal(reason: Refusal): string {
  const body = `${refusalText[reason]}\n`;
  return `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 60\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Serves one taken socket through `serve` until it closes. */
async function serveSocket(conn: Connection, serve: (socket: import('node:net').Socket) => void): Promise<void> {
  let socket: import('node:net').Socket | null = null;
  socket = await conn.takeSocket({
    deadline: () => socket?.destroy(),
    timeout: () => {
      if (!conn.trusted) socket?.destroy();
    },
  });
  const taken = socket;
  // A response is headers then body in separate writes: with Nagle's algorithm the
  // second waits for the client's delayed ACK of the first (40 ms on Linux).
  taken.setNoDelay(true);
  const key = connectionKey(taken);
  openConnections.set(key, conn);
  const closed = new Promise<void>((resolve) => {
    if (taken.destroyed) resolve();
    else taken.once('close', () => resolve());
  });
  try {
    serve(taken);
    await closed;
  } finally {
    if (openConnections.get(key) === conn) openConnections.delete(key);
  }
}

/** How often expired web sessions are deleted from the store. */
const SESSION_PURGE_MS = 15 * 60_000;

/** How long a client has for its TLS handshake (the listener's own implicit-TLS bound). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * A tls.Server answers clients without SNI (an IP address in the URL) with its default
 * context, which Node fixes at construction from PEM options. It lives in the server's
 * `_sharedCreds`; setting it before each connection keeps it the CertificateManager's
 * current one (reloaded on SIGHUP and file change). Checked at start: a Node without
 * the field fails loudly here instead of serving without a certificate.
 */
function useDefaultContext(server: object, context: SecureContext): void {
  if (!('_sharedCreds' in server)) throw new Error('web: this Node.js has no tls.Server _sharedCreds; cannot set the default certificate');
  (server as { _sharedCreds: SecureContext })._sharedCreds = context;
}

/**
 * Node starts the HTTP/1.1 checks of headersTimeout and requestTimeout (Slowloris) when
 * a server emits 'listening', every connectionsCheckingInterval. This server never
 * listens (the listener hands it sockets), so it is told once that it does, after the
 * limits of [web] are set on it (Fastify sets them only on HTTP/1 servers).
 */
function startTimeoutChecks(server: object, limits: ReturnType<typeof webLimits>): void {
  Object.assign(server, {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  });
  (server as import('node:events').EventEmitter).emit('listening');
}

/** How often Node looks for requests past headersTimeout or requestTimeout. */
const TIMEOUT_CHECK_MS = 1000;

export function createWebHandler(deps: WebDeps): ConnectionHandler & { app: Promise<FastifyInstance> } {
  const built = buildWebApp(deps, {
    SNICallback: (servername, callback) => {
      try {
        callback(null, deps.tls.contextFor(servername));
      } catch (error) {
        callback(error as Error);
      }
    },
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  });
  const app = built.then((instance) => {
    startTimeoutChecks(instance.server, webLimits(deps.config));
    return instance;
  });
  // A failed build is logged once and refuses connections; it must not be unhandled.
  app.catch((error: unknown) => deps.log.error({ err: error }, 'web application failed to start'));
  // Expired sessions are refused when read; this only keeps the table small.
  const purge = setInterval(() => {
    deps.store.webSessions.purgeExpired(new Date()).catch((error: unknown) => deps.log.warn({ err: error }, 'web: purging expired sessions failed'));
  }, SESSION_PURGE_MS);
  purge.unref();
  return {
    app,
    refusal: (reason: RefusalReason) => webRefusal(reason),
    async handle(conn) {
      const server = (await app).server;
      await serveSocket(conn, (socket) => {
        useDefaultContext(server, deps.tls.contextFor(undefined));
        server.emit('connection', socket);
      });
    },
  };
}

/** The host a redirect names: the request's Host without its port when it is a plain name, else ours. */
export function redirectHost(hostHeader: string | undefined, fallback: string): string {
  const host = (hostHeader ?? '').trim().toLowerCase();
  const bracketed = /^\[[0-9a-f:.]+\](?::\d+)?$/.exec(host);
  if (bracketed) return host.replace(/:\d+$/, '');
  const name = host.replace(/:\d+$/, '');
  return /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/.test(name) ? name : fallback;
}

export function createRedirectHandler(deps: WebDeps): ConnectionHandler {
  const limits = webLimits(deps.config);
  const port = httpsPort(deps.config, deps.portOffset);
  const server = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.headersTimeoutMs, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 }, (request: IncomingMessage, response: ServerResponse) => {
    const host = redirectHost(request.headers.host, deps.hostname);
    const path = (request.url ?? '/').startsWith('/') ? (request.url ?? '/') : '/';
    const location = `https://${host}${port === 443 ? '' : `:${port}`}${path}`;
    const body = `Moved to ${location}\n`;
    response.writeHead(308, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'max-age=3600' });
    // RFC 6797 §7.2: no Strict-Transport-Security over plain HTTP.
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  return {
    refusal: (reason: RefusalReason) => webRefusal(reason),
    async handle(conn) {
      await serveSocket(conn, (socket) => server.emit('connection', socket));
    },
  };
}
