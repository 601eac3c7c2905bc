// Web console sessions: sign-in makes a random token, the browser keeps it in a
// __Host- cookie (Secure, HttpOnly, SameSite=Strict, Path=/: RFC 6265bis §4.1.3), the
// store keeps its SHA-256 with the account and the expiry. Every request resolves the
// cookie to an account (a union: anonymous or signed in).

import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Connection } from '../core/net/connection.ts';
import type { Account, WebSession } from '../core/store/types.ts';
import type { WebDeps } from './deps.ts';

export const SESSION_COOKIE = '__Host-septet';
export const CSRF_COOKIE = '__Host-septet-csrf';
/** Sliding expiry is written back at most this often per session (not on every request). */
const TOUCH_EVERY_MS = 60_000;

export type WebSessionState =
  | { name: 'anonymous' }
  | { name: 'signed-in'; account: Account; session: WebSession };

export const ANONYMOUS: WebSessionState = Object.freeze({ name: 'anonymous' });

/** Whether a request's path can need the signed-in account: the API and the console's pages. */
export function needsSession(url: string): boolean {
  return url.startsWith('/api/') || url === '/console' || url.startsWith('/console/') || url.startsWith('/console?');
}

/**
 * The listener's Connections of the sockets handed to the web server (src/web/server.ts),
 * by the TCP peer's address and port. The request's socket is the TLS socket the HTTP/2
 * server made over ours (or, for HTTP/2, a proxy of it); both share the TCP handle, so
 * the peer's address and port name the Connection without reaching into either.
 */
export const openConnections = new Map<string, Connection>();

export function connectionKey(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? 0}`;
}

export function connectionOf(request: FastifyRequest): Connection | undefined {
  const socket = request.socket as unknown as { remoteAddress?: string; remotePort?: number } | undefined;
  return socket ? openConnections.get(connectionKey(socket)) : undefined;
}

/** The client's address: the listener's (after a trusted PROXY header), else the socket's. */
export function clientAddress(request: FastifyRequest): string {
  return connectionOf(request)?.remoteAddress ?? request.ip;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * A signed-in session is remembered by this process for this long, so a page's burst of
 * API calls does not read the store for each (two reads on the store's one thread). A
 * sign-out in this process forgets it at once; one in another worker, a password
 * change or an account deleted elsewhere reaches this process within this time (as
 * Dovecot's auth_cache_ttl, much shorter).
 */
export const SESSION_CACHE_MS = 2_000;
const SESSION_CACHE_ENTRIES = 10_000;

export class WebSessions {
  private readonly deps: WebDeps;
  private readonly cache = new Map<string, { state: WebSessionState; until: number }>();
  constructor(deps: WebDeps) {
    this.deps = deps;
  }

  /** Forgets every remembered session of the account (password changed, account deleted here). */
  forgetAccount(accountId: number): void {
    for (const [id, entry] of this.cache) if (entry.state.name === 'signed-in' && entry.state.account.id === accountId) this.cache.delete(id);
  }

  private get idleMs(): number {
    return this.deps.config.web.session_idle_timeout * 1000;
  }

  /** Resolves the request's cookie; expired, unknown or deleted sessions are anonymous. */
  async resolve(request: FastifyRequest): Promise<WebSessionState> {
    const token = request.cookies[SESSION_COOKIE];
    if (!token || token.length > 128) return ANONYMOUS;
    const now = Date.now();
    const id = hashToken(token);
    const cached = this.cache.get(id);
    if (cached && cached.until > now) return cached.state;
    const state = await this.lookup(id, now);
    if (state.name === 'signed-in') {
      if (this.cache.size >= SESSION_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, { state, until: now + SESSION_CACHE_MS });
    } else this.cache.delete(id);
    return state;
  }

  private async lookup(id: string, now: number): Promise<WebSessionState> {
    const session = await this.deps.store.webSessions.get(id, new Date(now));
    if (!session) return ANONYMOUS;
    if (session.createdAt.getTime() + this.deps.config.web.session_max_age * 1000 <= now) {
      await this.deps.store.webSessions.delete(session.id);
      return ANONYMOUS;
    }
    const account = await this.deps.store.accounts.getUserById(session.accountId);
    if (!account) return ANONYMOUS;
    if (session.expiresAt.getTime() < now + this.idleMs - TOUCH_EVERY_MS) {
      session.expiresAt = new Date(now + this.idleMs);
      await this.deps.store.webSessions.touch(session.id, session.expiresAt);
    }
    return { name: 'signed-in', account, session };
  }

  /** Starts a session for `account` and sets its cookie. */
  async signIn(request: FastifyRequest, reply: FastifyReply, account: Account): Promise<WebSession> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: WebSession = {
      id: hashToken(token),
      accountId: account.id,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.idleMs),
      remoteAddress: clientAddress(request),
      userAgent: String(request.headers['user-agent'] ?? '').slice(0, 200),
    };
    await this.deps.store.webSessions.create(session);
    reply.setCookie(SESSION_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'strict', maxAge: this.deps.config.web.session_max_age });
    return session;
  }

  /** Ends the request's session (if any) and clears the cookie. */
  async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = request.cookies[SESSION_COOKIE];
    if (token && token.length <= 128) {
      this.cache.delete(hashToken(token));
      await this.deps.store.webSessions.delete(hashToken(token));
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
  }
}
