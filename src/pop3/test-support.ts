// Test support for POP3 transcripts: an in-memory store with one user, a POP3 handler
// served on 127.0.0.1 port 0, and a line-oriented client over a plain net socket
// (upgradable to TLS). Used only by the *.test.ts files next to it.

import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, createServer as createTlsServer, type SecureContext } from 'node:tls';
import { PasswordAuthenticator } from '../core/auth/authenticator.ts';
import { hashPassword } from '../core/auth/password.ts';
import type { Authenticator } from '../core/auth/types.ts';
import type { Config } from '../core/config/schema.ts';
import { defaultConfig } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import { Connection, type PeerAddress, type TlsProvider } from '../core/net/connection.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import type { Account, Store } from '../core/store/types.ts';
import { generateSelfSigned } from '../core/tls/self-signed.ts';
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
  private readonly server: Server;
  private readonly sessions = new Set<Promise<void>>();
  private readonly clients = new Set<Pop3Client>();
  private port = 0;
  private readonly implicitTls: boolean;

  private constructor(store: Store, config: Config, account: Account, server: Server, implicitTls: boolean) {
    this.implicitTls = implicitTls;
    this.store = store;
    this.config = config;
    this.account = account;
    this.server = server;
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
    let fixture: Pop3Fixture | undefined;
    const onSocket = (socket: Socket) => {
      const conn = new Connection(socket, silentLogger(), fixture?.nextAddress ? { address: fixture.nextAddress } : {});
      const session = handler.handle(conn);
      fixture!.sessions.add(session);
      void session.finally(() => fixture!.sessions.delete(session));
    };
    // pop3s (RFC 8314): the listener hands over sockets already speaking TLS.
    const server = options.implicitTls ? createTlsServer({ SNICallback: (name, cb) => cb(null, tls.contextFor(name)) }, onSocket) : createServer(onSocket);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    fixture = new Pop3Fixture(store, config, account, server, options.implicitTls ?? false);
    fixture.port = (server.address() as { port: number }).port;
    return fixture;
  }

  /** Stores a message in the user's INBOX; returns its UID. */
  async deliver(text: string | Buffer): Promise<number> {
    const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
    const writer = await this.store.blobs.create();
    await writer.write(body);
    const { blobId, size } = await writer.commit();
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
    const socket = this.implicitTls
      ? tlsConnect({ port: this.port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false })
      : createConnection({ port: this.port, host: '127.0.0.1' });
    await once(socket, this.implicitTls ? 'secureConnect' : 'connect');
    const client = new Pop3Client(socket);
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
    while (this.sessions.size > 0) await Promise.allSettled([...this.sessions]);
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.destroy();
    await this.sessionsEnded();
    this.server.close();
  }
}

/** A throwaway self-signed certificate as a TlsProvider. */
export async function testTlsProvider(): Promise<TlsProvider> {
  const { certPem, keyPem } = await generateSelfSigned('localhost');
  const context: SecureContext = createSecureContext({ cert: certPem, key: keyPem });
  return { contextFor: () => context };
}

/** A POP3 client that reads replies line by line and can send raw bytes. */
export class Pop3Client {
  greeting = '';
  private socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | null = null;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(socket: Socket) {
    this.socket = socket;
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      this.resolveClosed();
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async waitForData(timeoutMs: number): Promise<void> {
    if (this.ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer.toString('latin1'))}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (this.wake = resolve)),
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms; buffered: ${JSON.stringify(this.buffer.toString('latin1'))}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** The next line as raw octets, with its CRLF. */
  async rawLine(timeoutMs = 5000): Promise<Buffer> {
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf >= 0) {
        const line = this.buffer.subarray(0, lf + 1);
        this.buffer = this.buffer.subarray(lf + 1);
        return line;
      }
      await this.waitForData(timeoutMs);
    }
  }

  /** The next line, without CRLF (asserts the line does end in CRLF). */
  async line(timeoutMs = 5000): Promise<string> {
    const raw = await this.rawLine(timeoutMs);
    if (raw.length < 2 || raw[raw.length - 2] !== 0x0d) throw new Error(`line without CRLF: ${JSON.stringify(raw.toString('latin1'))}`);
    return raw.subarray(0, raw.length - 2).toString('utf8');
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
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
      const end = this.buffer.indexOf(terminator);
      if (end >= 0) {
        count += end + 2;
        this.buffer = this.buffer.subarray(end + terminator.length);
        return count;
      }
      // Keep the last few octets: the terminator may straddle two chunks.
      const keep = Math.min(this.buffer.length, terminator.length - 1);
      count += this.buffer.length - keep;
      this.buffer = this.buffer.subarray(this.buffer.length - keep);
      onProgress(count);
      await this.waitForData(timeoutMs);
    }
  }

  /** Sends a command expecting a multi-line +OK response; returns status and lines. */
  async multiline(line: string): Promise<{ status: string; lines: string[] }> {
    const status = await this.command(line);
    if (!status.startsWith('+OK')) return { status, lines: [] };
    return { status, lines: await this.multilineBody() };
  }

  /** Resolves when the server has closed the connection (fails after timeoutMs). */
  async closedByServer(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error('server did not close the connection')), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Octets received but not read yet. */
  get unread(): string {
    return this.buffer.toString('latin1');
  }

  /** Starts TLS on the client side after "+OK Begin TLS negotiation". */
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, servername: 'localhost' });
    await once(secure, 'secureConnect');
    this.socket = secure;
    this.attach(secure);
  }

  get encrypted(): boolean {
    return 'encrypted' in this.socket;
  }

  pause(): void {
    this.socket.pause();
  }
  resume(): void {
    this.socket.resume();
  }

  /** Drops the connection abruptly (no QUIT). */
  destroy(): void {
    this.socket.destroy();
  }
}
