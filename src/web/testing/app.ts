// The web app over the in-memory store, for route tests with inject(): two accounts
// (alice, an administrator, and bob), a signed-in cookie jar per user, and the CSRF
// token each change needs. No listener, no TLS: inject() goes straight to Fastify.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { PasswordAuthenticator } from '../../core/auth/authenticator.ts';
import { hashPassword } from '../../core/auth/password.ts';
import { defaultConfig } from '../../core/config/load.ts';
import type { Config } from '../../core/config/schema.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { createMemoryStore } from '../../core/store/memory/memory-store.ts';
import type { Account, Store } from '../../core/store/types.ts';
import { createMailService } from '../../mail/mail-service.ts';
import { buildWebApp } from '../app.ts';
import type { WebDeps } from '../deps.ts';

export const ALICE = 'alice@example.org';
export const BOB = 'bob@example.org';
export const PASSWORD = 'correct horse';

export interface WebFixtureOptions {
  configure?: (config: Config) => void;
  store?: Store;
}

/** A signed-in (or anonymous) client: cookies kept between requests, the CSRF token sent with changes. */
export class WebClient {
  readonly cookies = new Map<string, string>();
  csrfToken = '';
  private readonly app: FastifyInstance;
  constructor(app: FastifyInstance) {
    this.app = app;
  }

  async request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD', url: string, options: { json?: unknown; payload?: string | Buffer; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && method !== 'HEAD' && options.csrf !== false && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let payload: string | Buffer | undefined = options.payload;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    }
    const response = await this.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}), remoteAddress: '192.0.2.10' });
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (cookie.value === '' || cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, headers ? { headers } : {});
  }
  post(url: string, json?: unknown) {
    return this.request('POST', url, json === undefined ? {} : { json });
  }
  put(url: string, json?: unknown) {
    return this.request('PUT', url, json === undefined ? {} : { json });
  }
  patch(url: string, json?: unknown) {
    return this.request('PATCH', url, json === undefined ? {} : { json });
  }
  delete(url: string, json?: unknown) {
    return this.request('DELETE', url, json === undefined ? {} : { json });
  }

  /** GET /api/session for a token, then POST /api/session; throws unless signed in. */
  async signIn(username: string, password = PASSWORD): Promise<void> {
    const anonymous = await this.get('/api/session');
    this.csrfToken = anonymous.json().csrfToken;
    const response = await this.post('/api/session', { username, password });
    if (response.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${response.statusCode} ${response.body}`);
    this.csrfToken = response.json().csrfToken;
  }
}

export class WebFixture {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly config: Config;
  readonly deps: WebDeps;
  readonly alice: Account;
  readonly bob: Account;
  readonly dataDir: string;

  private constructor(o: { app: FastifyInstance; store: Store; config: Config; deps: WebDeps; alice: Account; bob: Account; dataDir: string }) {
    this.app = o.app;
    this.store = o.store;
    this.config = o.config;
    this.deps = o.deps;
    this.alice = o.alice;
    this.bob = o.bob;
    this.dataDir = o.dataDir;
  }

  static async start(options: WebFixtureOptions = {}): Promise<WebFixture> {
    const config = defaultConfig();
    const dataDir = await mkdtemp(join(tmpdir(), 'septet-web-'));
    config.data = dataDir;
    config.hostname = 'mail.example.org';
    options.configure?.(config);
    const store = options.store ?? createMemoryStore();
    const hash = await hashPassword(PASSWORD, 1024);
    const alice = await store.accounts.addUser(ALICE, hash, { admin: true });
    const bob = await store.accounts.addUser(BOB, hash);
    await store.mailboxes.ensureDefaultMailboxes(alice.id);
    await store.mailboxes.ensureDefaultMailboxes(bob.id);
    const auth = new PasswordAuthenticator({ accounts: store.accounts, scryptCost: 1024, freeFailures: 100, maxDelayMs: 0 });
    const log = silentLogger();
    const mail = createMailService({ config, store, log, hostname: config.hostname });
    const deps: WebDeps = {
      config,
      implicitTls: true,
      hostname: config.hostname,
      auth,
      tls: { contextFor: () => { throw new Error('no TLS in inject() tests'); } },
      log,
      store,
      mail,
      dataDir,
      portOffset: 0,
      hostKeys: [{ type: 'ssh-ed25519', bits: 256, fingerprint: 'SHA256:test' }],
    };
    const app = await buildWebApp(deps);
    return new WebFixture({ app, store, config, deps, alice, bob, dataDir });
  }

  client(): WebClient {
    return new WebClient(this.app);
  }

  async signedIn(username: string): Promise<WebClient> {
    const client = this.client();
    await client.signIn(username);
    return client;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.store.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
