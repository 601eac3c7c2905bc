// A running SMTP session for tests: in-memory store, real authenticator, a real
// socket pair on 127.0.0.1 (or a pretended remote address), and the byte client with
// SMTP's reply parser and small helpers to assert replies. Not used by production code.

import { hashPassword } from '../core/auth/password.ts';
import { PasswordAuthenticator } from '../core/auth/authenticator.ts';
import { configFromObject } from '../core/config/load.ts';
import type { Config } from '../core/config/schema.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { PeerAddress } from '../core/net/connection.ts';
import { capturingLogger } from '../core/net/testing.ts';
import { testTls } from '../core/testing/tls.ts';
import { ByteClient } from '../core/testing/byte-client.ts';
import { ServedHandler } from '../core/testing/served-handler.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import type { Account, Store } from '../core/store/types.ts';
import { createMailService } from '../mail/mail-service.ts';
import { createSmtpHandler } from './server.ts';
import type { TerminalRegistry } from '../core/bus/terminals.ts';

export const PASSWORD = 'secret-password';
const HOSTNAME = 'mx.example.test';

export { testTls } from '../core/testing/tls.ts';

export interface FixtureOptions {
  mode?: 'mta' | 'submission';
  /** Pretend the client connects from here (e.g. '192.0.2.1': not loopback). */
  remoteAddress?: string;
  config?: Record<string, unknown>;
  /** Capture log lines into fixture.logs. */
  captureLog?: boolean;
  /** Open console terminals (SEND/SOML/SAML). */
  terminals?: TerminalRegistry;
}

/** Users alice@example.test (admin) and bob@example.test, alias sales@ → bob. */
export class SmtpFixture {
  readonly store: Store;
  readonly config: Config;
  private readonly served: ServedHandler;
  readonly alice: Account;
  readonly bob: Account;
  readonly logs: Array<Record<string, unknown>>;

  private constructor(store: Store, config: Config, served: ServedHandler, alice: Account, bob: Account, logs: Array<Record<string, unknown>>) {
    this.store = store;
    this.config = config;
    this.served = served;
    this.alice = alice;
    this.bob = bob;
    this.logs = logs;
  }

  static async start(options: FixtureOptions = {}): Promise<SmtpFixture> {
    const store = createMemoryStore();
    const hash = await hashPassword(PASSWORD, 1024);
    const alice = await store.accounts.addUser('alice@example.test', hash, { admin: true });
    const bob = await store.accounts.addUser('bob@example.test', hash);
    for (const a of [alice, bob]) await store.mailboxes.ensureDefaultMailboxes(a.id);
    await store.accounts.addAlias('sales@example.test', 'bob@example.test');
    const config = configFromObject({ ...options.config });
    const captured = options.captureLog ? capturingLogger() : null;
    const log = captured?.log ?? silentLogger();
    const auth = new PasswordAuthenticator({ accounts: store.accounts, scryptCost: 1024, freeFailures: 100, maxDelayMs: 0 });
    const mail = createMailService({ config, store, log, hostname: HOSTNAME });
    const handler = createSmtpHandler({ mode: options.mode ?? 'mta', implicitTls: false, config, hostname: HOSTNAME, store, auth, tls: await testTls(), log, mail, ...(options.terminals ? { terminals: options.terminals } : {}) });
    const address: PeerAddress | undefined = options.remoteAddress
      ? { remoteAddress: options.remoteAddress, remotePort: 40000, localAddress: '127.0.0.1', localPort: 25 }
      : undefined;
    const served = await ServedHandler.start(handler, { address: () => address, log });
    return new SmtpFixture(store, config, served, alice, bob, captured?.entries ?? []);
  }

  get port(): number {
    return this.served.port;
  }

  /** A connected client that has read the 220 greeting. */
  async connect(): Promise<SmtpClient> {
    const client = new SmtpClient(await ByteClient.connectTo(this.port));
    await client.expect(220);
    return client;
  }

  /** Messages in a user's INBOX, as text. */
  async inbox(account: Account): Promise<string[]> {
    const box = await this.store.mailboxes.getMailbox(account.id, 'INBOX');
    if (!box) return [];
    const out: string[] = [];
    for (const m of await this.store.mailboxes.listMessages(box.id)) out.push((await this.store.blobs.readAll(m.blobId)).toString('utf8'));
    return out;
  }

  async stop(): Promise<void> {
    await this.served.close();
  }
}

export interface Reply {
  code: number;
  lines: string[];
  /** All lines joined with "\n" (text after the code and separator). */
  text: string;
}

/** The byte client plus SMTP's reply parser (RFC 5321 §4.2: "xyz-" continues, "xyz " ends). */
export class SmtpClient extends ByteClient {
  send(text: string | Buffer): void {
    this.write(text);
  }

  /** Reads one (possibly multi-line) reply. */
  async reply(timeoutMs = 5000): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      if (!/^\d{3}[ -]/.test(line) && !/^\d{3}$/.test(line)) throw new Error(`not a reply line: ${JSON.stringify(line)}`);
      lines.push(line.slice(4));
      if (line[3] !== '-') return { code: Number(line.slice(0, 3)), lines, text: lines.join('\n') };
    }
  }

  /** Reads a reply and checks its code (and optionally that its text contains `contains`). */
  async expect(code: number, contains?: string | RegExp): Promise<Reply> {
    const r = await this.reply();
    if (r.code !== code || (contains !== undefined && !(typeof contains === 'string' ? r.text.includes(contains) : contains.test(r.text)))) {
      throw new Error(`expected ${code}${contains ? ` ~ ${String(contains)}` : ''}, got ${r.code} ${r.text}`);
    }
    return r;
  }

  /** Sends one command line and checks the reply. */
  async command(line: string, code: number, contains?: string | RegExp): Promise<Reply> {
    this.send(`${line}\r\n`);
    return this.expect(code, contains);
  }
}

export const plainResponse = (user: string, password: string): string => Buffer.from(`\0${user}\0${password}`).toString('base64');
