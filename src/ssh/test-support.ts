// The SSH handler served by the real listener on a loopback port over the in-memory store, with fake
// engines that record what reached them, and ssh2's own client to drive it (the
// real-client tests are in test/interop/ssh.test.ts). Test-only.

import { createRequire } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { PasswordAuthenticator } from '../core/auth/authenticator.ts';
import { hashPassword } from '../core/auth/password.ts';
import type { Authenticator } from '../core/auth/types.ts';
import { defaultConfig } from '../core/config/load.ts';
import type { Config } from '../core/config/schema.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { ByteChannel, ChannelPeer } from '../core/service/byte-channel.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import type { Account, Store } from '../core/store/types.ts';
import { ListenerGroup } from '../core/net/listener.ts';
import { connectionLimitsFrom } from '../core/net/limits-config.ts';
import { ensureHostKeys, type HostKey } from './host-keys.ts';
import { createSshHandler, type SshChannelServices, type SshTerminal } from './server.ts';

const require = createRequire(import.meta.url);

export const USER = 'alice@example.org';
export const PASSWORD = 'alice-password';

/** ssh2's client, loosely typed (enough for the tests). */
export interface TestClient extends EventEmitter {
  connect(options: Record<string, unknown>): void;
  end(): void;
  exec(command: string, callback: (error: Error | undefined, stream: ClientChannel) => void): void;
  exec(command: string, options: Record<string, unknown>, callback: (error: Error | undefined, stream: ClientChannel) => void): void;
  shell(window: Record<string, unknown> | false, callback: (error: Error | undefined, stream: ClientChannel) => void): void;
  subsys(name: string, callback: (error: Error | undefined, stream: ClientChannel) => void): void;
  forwardOut(srcIP: string, srcPort: number, dstIP: string, dstPort: number, callback: (error: Error | undefined) => void): void;
  forwardIn(address: string, port: number, callback: (error: Error | undefined) => void): void;
}
export interface ClientChannel extends Duplex {
  stderr: Duplex;
  setWindow(rows: number, cols: number, height: number, width: number): void;
  close(): void;
}

export const clientModule = () => require('ssh2') as { Client: new () => TestClient; utils: { generateKeyPairSync(type: string, options?: Record<string, unknown>): { private: string; public: string }; parseKey(data: string | Buffer): { getPublicSSH(): Buffer; type: string } } };

export interface Recorded {
  kind: 'sftp' | 'scp' | 'command' | 'shell';
  command?: string;
  peer: ChannelPeer;
  terminal?: SshTerminal | null;
}

/** Fake engines: each records its call, then does what the test's `behaviour` says. */
export type Behaviour = (call: Recorded, channel: ByteChannel) => Promise<void>;

/** ssh2's client hands over a channel a tick after the reply: an engine that answers at once would beat its listeners. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

export const echoExit: Behaviour = async (call, channel) => {
  await settle();
  channel.output.write(`${call.kind}:${call.command ?? ''}:${call.peer.account.address}\n`);
  channel.exit(0);
};

let hostKeys: Promise<HostKey[]> | null = null;
/** One set of host keys per test process (RSA 3072 takes a moment). */
export function testHostKeys(): Promise<HostKey[]> {
  return (hostKeys ??= mkdtemp(join(tmpdir(), 'septet-ssh-keys-')).then((dir) => ensureHostKeys(dir)));
}

export class SshFixture {
  readonly calls: Recorded[] = [];
  behaviour: Behaviour = echoExit;
  /** The real listener (limits, the pre-authentication deadline) on an ephemeral port. */
  served!: { port: number; close(): Promise<void> };
  readonly store: Store;
  readonly config: Config;
  readonly account: Account;
  readonly auth: Authenticator;
  private readonly clients = new Set<TestClient>();

  private constructor(store: Store, config: Config, account: Account, auth: Authenticator) {
    this.store = store;
    this.config = config;
    this.account = account;
    this.auth = auth;
  }

  static async start(options: { configure?: (config: Config) => void; wrapAuth?: (auth: Authenticator) => Authenticator; scp?: (command: string) => boolean } = {}): Promise<SshFixture> {
    const config = defaultConfig();
    options.configure?.(config);
    const store = createMemoryStore();
    const account = await store.accounts.addUser(USER, await hashPassword(PASSWORD, 1024));
    const password = new PasswordAuthenticator({ accounts: store.accounts, scryptCost: 1024, freeFailures: 100, maxDelayMs: 0 });
    const auth = options.wrapAuth ? options.wrapAuth(password) : password;
    const fixture = new SshFixture(store, config, account, auth);
    const record = (call: Recorded, channel: ByteChannel) => {
      fixture.calls.push(call);
      return fixture.behaviour(call, channel);
    };
    const services: SshChannelServices = {
      sftp: (channel, peer) => record({ kind: 'sftp', peer }, channel),
      scp: { matches: options.scp ?? ((command) => command.startsWith('scp ')), run: (command, channel, peer) => record({ kind: 'scp', command, peer }, channel) },
      console: {
        command: (line, channel, peer) => record({ kind: 'command', command: line, peer }, channel),
        shell: (channel, peer, terminal) => record({ kind: 'shell', peer, terminal }, channel),
      },
    };
    const handler = createSshHandler({
      config,
      implicitTls: false,
      hostname: 'ssh.example.org',
      auth,
      tls: { contextFor: () => { throw new Error('no TLS in SSH'); } },
      log: silentLogger(),
      store,
      hostKeys: await testHostKeys(),
      services,
    });
    const group = new ListenerGroup({ log: silentLogger(), tls: { contextFor: () => { throw new Error('no TLS in SSH'); } }, limits: connectionLimitsFrom(config) });
    const [bound] = await group.listen({ name: 'ssh', addresses: ['127.0.0.1'], port: 0, implicitTls: false, proxyProtocol: false }, handler);
    fixture.served = { port: bound!.port, close: () => group.close(0) };
    return fixture;
  }

  /** A connected, authenticated ssh2 client (password unless `login` says otherwise). */
  async connect(login: Record<string, unknown> = { username: USER, password: PASSWORD }): Promise<TestClient> {
    const client = new (clientModule().Client)();
    this.clients.add(client);
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.connect({ host: '127.0.0.1', port: this.served.port, readyTimeout: 10_000, ...login });
    });
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.end();
    await this.served.close();
  }
}

/** Everything a client channel sends until it closes, with its exit status. */
export function collect(stream: ClientChannel): Promise<{ out: Buffer; err: Buffer; code: number | null; order: string[] }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const order: string[] = [];
  let code: number | null = null;
  stream.on('data', (d: Buffer) => out.push(d));
  stream.stderr.on('data', (d: Buffer) => err.push(d));
  stream.on('exit', (c: number) => {
    code = c;
    order.push('exit');
  });
  stream.on('end', () => order.push('eof'));
  return new Promise((resolve) => stream.on('close', (closeCode?: number) => {
    order.push('close');
    code ??= closeCode ?? null;
    resolve({ out: Buffer.concat(out), err: Buffer.concat(err), code, order });
  }));
}
