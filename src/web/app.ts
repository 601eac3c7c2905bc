// The web application: Fastify 5 with its own plugins for cookies, security headers
// (helmet: CSP, HSTS), CSRF, rate limits, compression, uploads and the OpenAPI
// document, then the route table (src/web/routes/index.ts). It does not listen: the
// listener hands it connections (src/web/server.ts), and tests use inject().

import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { checkAccess, type Access } from './access.ts';
import type { WebDeps } from './deps.ts';
import { replyWithError, toWebError } from './dispatch.ts';
import { errorBodySchema, texts, WebError } from './replies.ts';
import { routeGroups } from './routes/index.ts';
import type { WebContext } from './routes/types.ts';
import { ANONYMOUS, clientAddress, connectionOf, CSRF_COOKIE, needsSession, WebSessions } from './session.ts';
import { ALPN_PROTOCOLS, webLimits } from './wire.ts';
import type { SecureContext } from 'node:tls';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The Content-Security-Policy of every page: nothing from elsewhere, no inline script
 * or style, no plugins, no framing by other sites. The message frame
 * (routes of the webmail) sends a stricter one of its own.
 */
export const CONSOLE_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  frameSrc: ["'self'"],
  manifestSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/** The TLS side of the HTTP/2 server (src/web/server.ts); absent in inject() tests. */
export interface WebTlsOptions {
  SNICallback: (servername: string, callback: (error: Error | null, context?: SecureContext) => void) => void;
  handshakeTimeout: number;
}

export async function buildWebApp(deps: WebDeps, tls?: WebTlsOptions): Promise<FastifyInstance> {
  const limits = webLimits(deps.config);
  const app = Fastify({
    http2: true,
    // The listener hands over raw sockets (src/web/server.ts); this server does the
    // handshake with the certificates of src/core/tls/ and ALPN (RFC 7301) picks h2 or
    // HTTP/1.1.
    https: { allowHTTP1: true, ALPNProtocols: ALPN_PROTOCOLS, ...(tls ?? {}) },
    loggerInstance: deps.log,
    logController: new LogController({ disableRequestLogging: !deps.config.web.access_log }),
    bodyLimit: limits.maxBody,
    http2SessionTimeout: limits.keepAliveTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    return503OnClosing: true,
    trustProxy: false,
    // One generated id per request for the log; a client's X-Request-Id is not believed.
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: limits.maxParamLength },
  }) as unknown as FastifyInstance;

  const sessions = new WebSessions(deps);
  const ctx: WebContext = { deps, sessions, limits };

  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply));
  app.setNotFoundHandler((request, reply) => replyWithError(new WebError('not-found', `no such page: ${request.url.slice(0, 200)}`), request, reply));
  app.addSchema(errorBodySchema);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Septet web console API', version: '1', description: 'The JSON API the console pages use. Sign in with POST /api/session; send the csrfToken of GET /api/session as X-CSRF-Token with every change.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-septet' },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
        },
      },
      security: [{ session: [] }],
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
    strictTransportSecurity: deps.config.web.hsts_max_age > 0 ? { maxAge: deps.config.web.hsts_max_age, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', secure: true, httpOnly: true, sameSite: 'strict' },
    getToken: (request) => {
      const header = request.headers['x-csrf-token'];
      return typeof header === 'string' ? header : undefined;
    },
  });
  await app.register(fastifyRateLimit, {
    global: true,
    max: deps.config.web.api_rate,
    timeWindow: 60_000,
    keyGenerator: (request) => clientAddress(request),
    // Static files and pages are not counted; the API is.
    allowList: (request) => !request.url.startsWith('/api/'),
    errorResponseBuilder: () => Object.assign(new WebError('rate-limited', texts.rateLimited), { statusCode: 429 }),
  });
  await app.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  await app.register(fastifyMultipart, {
    limits: { fileSize: limits.maxUpload, files: 20, fields: 50, fieldSize: limits.maxBody, parts: 100, headerPairs: 200 },
  });

  // Who is asking, then whether they may: one hook for every route.
  // A primitive placeholder (Fastify forbids shared reference values); the hook assigns the state.
  app.decorateRequest('web', null as never);
  app.addHook('onRequest', async (request) => {
    // A complete request line and header arrived: from now on the connection is bounded
    // by the HTTP timeouts (headers, request, keep-alive) rather than by the listener's
    // pre-authentication deadline, so a long download or a keep-alive browser is not cut.
    connectionOf(request)?.markTrusted();
    // Static files need no session: the cookie is looked up only where it matters.
    request.web = needsSession(request.url) ? await sessions.resolve(request) : ANONYMOUS;
    // API routes are closed unless they say otherwise; files and pages (the static
    // registrations) are open unless they say otherwise.
    const url = request.routeOptions.url;
    const access: Access = request.routeOptions.config.access ?? (url !== undefined && url.startsWith('/api/') ? 'user' : 'public');
    checkAccess(access, request.web);
  });
  // CSRF (double submit: a secret in a __Host- cookie, a token in X-CSRF-Token) on every
  // change, signing in included; and Fetch Metadata: a browser saying cross-site is refused.
  app.addHook('onRequest', (request, reply, done) => {
    if (!UNSAFE_METHODS.has(request.method)) return done();
    if (request.headers['sec-fetch-site'] === 'cross-site') return done(new WebError('forbidden', texts.crossSite));
    app.csrfProtection(request, reply, (error?: Error) => done(error ? toWebError(error) : undefined));
  });

  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  for (const group of routeGroups) await group.register(app, ctx);
  await app.ready();
  return app;
}
