// Test support for IMAP transcripts: an in-memory store with one user (and a second
// one, to prove isolation), the IMAP handler served on 127.0.0.1 port 0, and a client
// that reads responses with their literals. Used only by the *.test.ts files here.

import { ByteClient } from '../core/testing/byte-client.ts';
import { ServedHandler } from '../core/testing/served-handler.ts';
import { PasswordAuthenticator } from '../core/auth/authenticator.ts';
import { hashPassword } from '../core/auth/password.ts';
import type { Config } from '../core/config/schema.ts';
import { defaultConfig } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { PeerAddress, TlsProvider } from '../core/net/connection.ts';
import { putBlob } from '../core/store/conformance-helpers.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import type { Account, Store } from '../core/store/types.ts';
import { createImapHandler } from './server.ts';

export { testTls as testTlsProvider } from '../core/testing/tls.ts';

export const USER = 'alice@example.org';
export const PASSWORD = 'correct horse';
export const OTHER_USER = 'bob@example.org';

export interface FixtureOptions {
  configure?: (config: Config) => void;
  implicitTls?: boolean;
  tls?: TlsProvider;
  store?: Store;
}

export class ImapFixture {
  readonly store: Store;
  readonly config: Config;
  readonly account: Account;
  readonly other: Account;
  /** Peer address the next connections pretend to come from (default: the real one). */
  nextAddress: PeerAddress | undefined;
  private served!: ServedHandler;
  private readonly implicitTls: boolean;
  private readonly clients = new Set<ImapClient>();

  private constructor(o: { store: Store; config: Config; account: Account; other: Account; implicitTls: boolean }) {
    this.store = o.store;
    this.config = o.config;
    this.account = o.account;
    this.other = o.other;
    this.implicitTls = o.implicitTls;
  }

  get port(): number {
    return this.served.port;
  }

  static async start(options: FixtureOptions = {}): Promise<ImapFixture> {
    const config = defaultConfig();
    options.configure?.(config);
    const store = options.store ?? createMemoryStore();
    const hash = await hashPassword(PASSWORD, 1024);
    const account = await store.accounts.addUser(USER, hash);
    const other = await store.accounts.addUser(OTHER_USER, hash);
    const auth = new PasswordAuthenticator({ accounts: store.accounts, scryptCost: 1024, freeFailures: 100, maxDelayMs: 0 });
    const tls = options.tls ?? { contextFor: () => { throw new Error('no TLS in this test'); } };
    const handler = createImapHandler({ config, implicitTls: options.implicitTls ?? false, hostname: 'imap.example.org', store, auth, tls, log: silentLogger() });
    const fixture = new ImapFixture({ store, config, account, other, implicitTls: options.implicitTls ?? false });
    // imaps (RFC 8314): the handshake the way the real listener does it (core/net).
    fixture.served = await ServedHandler.start(handler, { implicitTls: options.implicitTls ? tls : undefined, address: () => fixture.nextAddress });
    return fixture;
  }

  /** Delivers a message as SMTP would (store.messages.deliver); returns its UID. */
  async deliver(text: string | Buffer, options: { mailbox?: string; flags?: string[]; accountId?: number; internalDate?: Date } = {}): Promise<number> {
    const { blobId, size } = await putBlob(this.store, text);
    const result = await this.store.messages.deliver({
      blobId,
      size,
      internalDate: options.internalDate ?? new Date(),
      local: [{ accountId: options.accountId ?? this.account.id, mailbox: options.mailbox ?? 'INBOX', flags: options.flags ?? [] }],
    });
    return result.local[0]!.uid;
  }

  async connect(): Promise<ImapClient> {
    const client = new ImapClient(await ByteClient.connectTo(this.port, '127.0.0.1', { implicitTls: this.implicitTls }));
    this.clients.add(client);
    client.greeting = await client.line();
    return client;
  }

  /** Connects and logs in (from loopback, so plaintext LOGIN is allowed). */
  async login(user = USER): Promise<ImapClient> {
    const client = await this.connect();
    await client.ok(`LOGIN ${user} "${PASSWORD}"`);
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.destroy();
    await this.served.close();
  }
}

export interface Reply {
  /** Untagged responses and continuations, literals inline (latin1). */
  untagged: string[];
  /** The tagged status line without the tag: "OK ...", "NO ...", "BAD ...". */
  status: string;
}

/** The byte client plus IMAP's response reader (lines with their literals). */
export class ImapClient extends ByteClient {
  greeting = '';
  private counter = 0;

  /** One response: a line, and for each literal at its end the octets and the rest. */
  async response(timeoutMs = 5000): Promise<string> {
    let text = await this.line(timeoutMs);
    for (;;) {
      const m = /~?\{(\d+)\}$/.exec(text);
      if (!m || text.startsWith('+ ')) return text;
      const data = await this.take(Number(m[1]), timeoutMs);
      text += '\r\n' + data.toString('latin1') + (await this.line(timeoutMs));
    }
  }

  nextTag(): string {
    return `A${String(++this.counter).padStart(3, '0')}`;
  }

  /** Reads responses until the tagged one for `tag`. */
  async until(tag: string, timeoutMs = 5000): Promise<Reply> {
    const untagged: string[] = [];
    for (;;) {
      const r = await this.response(timeoutMs);
      if (r.startsWith(tag + ' ')) return { untagged, status: r.slice(tag.length + 1) };
      untagged.push(r);
    }
  }

  /** Sends "tag command" and returns everything up to the tagged reply. */
  async command(command: string, timeoutMs = 5000): Promise<Reply> {
    const tag = this.nextTag();
    this.write(`${tag} ${command}\r\n`);
    return this.until(tag, timeoutMs);
  }

  /** Like command(), but fails unless the status is OK. */
  async ok(command: string, timeoutMs = 5000): Promise<Reply> {
    const reply = await this.command(command, timeoutMs);
    if (!reply.status.startsWith('OK')) throw new Error(`${command.startsWith('LOGIN') ? 'LOGIN ***' : command} → ${reply.status}\n${reply.untagged.join('\n')}`);
    return reply;
  }
}

/** A small RFC 5322 message with CRLF line ends. */
export function sampleMessage(subject = 'Hello', body = 'Hi there.\r\n', from = 'Bob <bob@example.org>'): string {
  return `From: ${from}\r\nTo: alice@example.org\r\nSubject: ${subject}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n\r\n${body}`;
}
