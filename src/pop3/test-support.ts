// Test support for POP3 transcripts: an in-memory store with one user, a POP3 handler
// served on 127.0.0.1 port 0, and the byte client with POP3's reply reading (upgradable
// to TLS). Used only by the *.test.ts files next to it.

import type { Socket } from 'node:net';
import { ByteClient } from '../core/testing/byte-client.ts';
import { ServedHandler } from '../core/testing/served-handler.ts';
import { PasswordAuthenticator } from '../core/auth/authenticator.ts';
import { hashPassword } from '../core/auth/password.ts';
import type { Authenticator } from '../core/auth/types.ts';
import type { Config } from '../core/config/schema.ts';
import { defaultConfig } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { PeerAddress, TlsProvider } from '../core/net/connection.ts';
import { putBlob } from '../core/store/conformance-helpers.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import type { Account, Store } from '../core/store/types.ts';
import { createPop3Handler } from './server.ts';

export const USER = 'alice@example.org';
export const PASSWORD = 'correct horse';

/** A CRLF message of exactly `size` octets (RFC 1939 §11 counts CRLF line ends). */
export function messageOfSize(size: number, subject = 'test'): string {
  const head = `From: bob@example.org\r\nSubject: ${subject}\r\n\r\n`;
  let left = size - head.length;
  if (left < 2) throw new Error(`message of ${size} octets is too small for its header`);
  let body = '';
  for (;;) {
    if (left <= 62) return head + body + 'y'.repeat(left - 2) + '\r\n';
    body += 'x'.repeat(58) + '\r\n';
    left -= 60;
  }
}

export interface FixtureOptions {
  configure?: (config: Config) => void;
  implicitTls?: boolean;
  tls?: TlsProvider;
  hostname?: string;
  /** Replaces the store (for wrappers around the memory store). */
  wrapStore?: (store: Store) => Store;
  /** Replaces the authenticator (for slow or failing ones). */
  wrapAuth?: (auth: Authenticator) => Authenticator;
}

export class Pop3Fixture {
  readonly store: Store;
  readonly config: Config;
  readonly account: Account;
  /** Peer address the next connections pretend to come from (default: the real one). */
  nextAddress: PeerAddress | undefined;
  private served!: ServedHandler;
  private readonly clients = new Set<Pop3Client>();
  private readonly implicitTls: boolean;

  private constructor(store: Store, config: Config, account: Account, implicitTls: boolean) {
    this.implicitTls = implicitTls;
    this.store = store;
    this.config = config;
    this.account = account;
  }

  static async start(options: FixtureOptions = {}): Promise<Pop3Fixture> {
    const config = defaultConfig();
    options.configure?.(config);
    const base = createMemoryStore();
    const store = options.wrapStore ? options.wrapStore(base) : base;
    const account = await store.accounts.addUser(USER, await hashPassword(PASSWORD, 1024));
    await store.mailboxes.ensureDefaultMailboxes(account.id);
    const password = new PasswordAuthenticator({ accounts: store.accounts, scryptCost: 1024, freeFailures: 100, maxDelayMs: 0 });
    const auth = options.wrapAuth ? options.wrapAuth(password) : password;
    const tls = options.tls ?? { contextFor: () => { throw new Error('no TLS in this test'); } };
    const handler = createPop3Handler({
      config,
      implicitTls: options.implicitTls ?? false,
      hostname: options.hostname ?? 'pop.example.org',
      store,
      auth,
      tls,
      log: silentLogger(),
    });
    const fixture = new Pop3Fixture(store, config, account, options.implicitTls ?? false);
    // pop3s (RFC 8314): the handshake the way the real listener does it (core/net).
    fixture.served = await ServedHandler.start(handler, { implicitTls: options.implicitTls ? tls : undefined, address: () => fixture.nextAddress });
    return fixture;
  }

  /** Stores a message in the user's INBOX; returns its UID. */
  async deliver(text: string | Buffer): Promise<number> {
    const { blobId, size } = await putBlob(this.store, text);
    const result = await this.store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId: this.account.id }] });
    return result.local[0]!.uid;
  }

  async inboxUids(): Promise<number[]> {
    const inbox = await this.store.mailboxes.getMailbox(this.account.id, 'INBOX');
    return (await this.store.mailboxes.listMessages(inbox!.id)).map((m) => m.uid);
  }

  async inbox() {
    return (await this.store.mailboxes.getMailbox(this.account.id, 'INBOX'))!;
  }

  /** Connects and reads the greeting. */
  async connect(): Promise<Pop3Client> {
    const client = new Pop3Client(await ByteClient.connectTo(this.served.port, '127.0.0.1', { implicitTls: this.implicitTls }));
    this.clients.add(client);
    client.greeting = await client.line();
    return client;
  }

  /** Connects and logs in with USER/PASS (from loopback, so allowed). */
  async login(): Promise<Pop3Client> {
    const client = await this.connect();
    await client.expectOk(`USER ${USER}`);
    await client.expectOk(`PASS ${PASSWORD}`);
    return client;
  }

  /** Waits until every server-side session has ended (locks released). */
  async sessionsEnded(): Promise<void> {
    await this.served.sessionsEnded();
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.destroy();
    await this.served.close();
  }
}

/** A throwaway self-signed certificate as a TlsProvider. */
export { testTls as testTlsProvider } from '../core/testing/tls.ts';

/** The byte client plus POP3's status lines and multi-line bodies (RFC 1939 §3). */
export class Pop3Client extends ByteClient {
  greeting = '';

  constructor(socket: Socket) {
    super(socket, { encoding: 'utf8' });
  }

  /** Sends one command line and returns the status line. */
  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.line();
  }

  async expectOk(line: string): Promise<string> {
    const reply = await this.command(line);
    if (!reply.startsWith('+OK')) throw new Error(`${line.startsWith('PASS') ? 'PASS ***' : line} → ${reply}`);
    return reply;
  }

  /** Reads the lines of a multi-line response up to the lone "." (still stuffed). */
  async multilineBody(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      if (line === '.') return lines;
      lines.push(line);
    }
  }

  /** Raw octets of a multi-line body up to and excluding the terminating ".\r\n". */
  async multilineRaw(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const line = await this.rawLine();
      if (line.equals(Buffer.from('.\r\n'))) return Buffer.concat(parts);
      parts.push(line);
    }
  }

  /**
   * Counts the octets of a multi-line body (stuffed, as on the wire) up to the final
   * ".", without keeping them: for very large responses.
   */
  async countMultilineOctets(onProgress: (count: number) => void = () => {}, timeoutMs = 30_000): Promise<number> {
    const terminator = Buffer.from('\r\n.\r\n');
    let count = 0;
    for (;;) {
      let end = -1;
      // Wait for the terminator, or for more octets than the few kept back: the
      // terminator may straddle two chunks.
      await this.waitFor((b) => (end = b.indexOf(terminator)) >= 0 || b.length >= terminator.length, timeoutMs, 'the end of a multi-line body');
      if (end >= 0) {
        this.consume(end + terminator.length);
        return count + end + 2;
      }
      count += this.consume(this.buffered.length - (terminator.length - 1)).length;
      onProgress(count);
    }
  }

  /** Sends a command expecting a multi-line +OK response; returns status and lines. */
  async multiline(line: string): Promise<{ status: string; lines: string[] }> {
    const status = await this.command(line);
    if (!status.startsWith('+OK')) return { status, lines: [] };
    return { status, lines: await this.multilineBody() };
  }
}
