// Test support for FTP: a handler served on 127.0.0.1 port 0 (plain, or implicit TLS)
// over a temporary data directory, with one user in an in-memory store, and a raw
// control-connection client. Used only by the *.test.ts files.

import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteClient } from '../core/testing/byte-client.ts';
import { ServedHandler } from '../core/testing/served-handler.ts';
import { PasswordAuthenticator } from '../core/auth/authenticator.ts';
import { hashPassword } from '../core/auth/password.ts';
import { defaultConfig } from '../core/config/load.ts';
import type { Config } from '../core/config/schema.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { PeerAddress } from '../core/net/connection.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import { testTls } from '../core/testing/tls.ts';
import { createFtpHandler } from './server.ts';

export const USER = 'user@example.org';
export const LOCAL_USER = 'user';
export const PASSWORD = 'mypassword';

export { testTls } from '../core/testing/tls.ts';

export interface FtpFixtureOptions {
  configure?: (config: Config) => void;
  implicitTls?: boolean;
  quotaBytes?: number | null;
  /** Address to listen on (default 127.0.0.1; '::1' for the IPv6 tests). */
  host?: string;
}

export class FtpFixture {
  readonly dataDir: string;
  readonly config: Config;
  host = '127.0.0.1';
  port = 0;
  /** Peer address the next connections pretend to come from (default: the real one). */
  nextAddress: PeerAddress | undefined;
  private served!: ServedHandler;

  private constructor(dataDir: string, config: Config) {
    this.dataDir = dataDir;
    this.config = config;
  }

  get home(): string {
    return join(this.dataDir, 'home', USER);
  }

  static async start(options: FtpFixtureOptions = {}): Promise<FtpFixture> {
    const dataDir = await mkdtemp(join(tmpdir(), 'septet-ftp-'));
    const config = defaultConfig();
    config.ftp.data_timeout = 5;
    options.configure?.(config);
    const store = createMemoryStore();
    await store.accounts.addUser(USER, await hashPassword(PASSWORD, 1024));
    if (options.quotaBytes !== undefined && options.quotaBytes !== null) await store.accounts.setQuota(USER, options.quotaBytes);
    const auth = new PasswordAuthenticator({ accounts: store.accounts, defaultDomain: 'example.org', scryptCost: 1024, freeFailures: 100, maxDelayMs: 0 });
    const tls = await testTls();
    const handler = createFtpHandler({ config, implicitTls: options.implicitTls ?? false, hostname: 'ftp.example.org', dataDir, auth, tls, log: silentLogger(), portOffset: 10000 });
    const fixture = new FtpFixture(dataDir, config);
    fixture.served = await ServedHandler.start(handler, { host: options.host, implicitTls: options.implicitTls ? tls : undefined, address: () => fixture.nextAddress });
    fixture.host = fixture.served.host;
    fixture.port = fixture.served.port;
    return fixture;
  }

  /** A raw control connection, greeting read. */
  async connect(): Promise<FtpControl> {
    const client = new FtpControl(await ByteClient.connectTo(this.port, this.host));
    const greeting = await client.reply();
    if (greeting.code !== 220) throw new Error(`greeting: ${greeting.text}`);
    return client;
  }

  async login(): Promise<FtpControl> {
    const c = await this.connect();
    await c.expect('USER user', 331);
    await c.expect(`PASS ${PASSWORD}`, 230);
    return c;
  }

  async sessionsEnded(): Promise<void> {
    await this.served.sessionsEnded();
  }

  get openSessions(): number {
    return this.served.openSessions;
  }

  async close(): Promise<void> {
    await this.served.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

export interface FtpReply {
  code: number;
  /** All lines joined with "\n", codes included. */
  text: string;
  lines: string[];
}

/** The byte client plus FTP's reply parser (multi-line replies, RFC 959 §4.2). */
export class FtpControl extends ByteClient {
  constructor(socket: Socket) {
    super(socket, { encoding: 'utf8' }); // RFC 2640: UTF-8 path names
  }

  /** RFC 959 §4.2: "xyz-" starts a multi-line reply that ends at "xyz ". */
  async reply(timeoutMs = 5000): Promise<FtpReply> {
    const first = await this.line(timeoutMs);
    const lines = [first];
    const code = Number(first.slice(0, 3));
    if (first[3] === '-') {
      for (;;) {
        const l = await this.line(timeoutMs);
        lines.push(l);
        if (l.startsWith(`${first.slice(0, 3)} `)) break;
      }
    }
    return { code, text: lines.join('\n'), lines };
  }

  send(line: string | Buffer): void {
    this.write(typeof line === 'string' ? `${line}\r\n` : line);
  }

  async command(line: string): Promise<FtpReply> {
    this.send(line);
    return this.reply();
  }

  async expect(line: string, code: number): Promise<FtpReply> {
    const r = await this.command(line);
    if (r.code !== code) throw new Error(`${line.startsWith('PASS') ? 'PASS ***' : line} → ${r.text} (wanted ${code})`);
    return r;
  }

  /** PASV, then a connected data socket. */
  async pasv(): Promise<Socket> {
    const r = await this.expect('PASV', 227);
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text)!;
    const socket = createConnection({ host: `${m[1]}.${m[2]}.${m[3]}.${m[4]}`, port: Number(m[5]) * 256 + Number(m[6]) });
    await once(socket, 'connect');
    return socket;
  }
}

/** Everything a data socket delivers until it closes. */
export async function readAll(socket: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of socket) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Writes and half-closes a data socket (stream-mode EOF). */
export async function writeAndEnd(socket: Socket, data: Buffer): Promise<void> {
  await new Promise<void>((resolve) => socket.end(data, () => resolve()));
}
