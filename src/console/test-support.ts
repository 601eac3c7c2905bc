// Test tools for the console: a memory store with an administrator and a user, a
// temporary data folder, the in-process TerminalRegistry (src/core/bus/terminal-registry.ts),
// and a ByteChannel over stream pairs whose client side a test writes to and reads.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword } from '../core/auth/password.ts';
import { LocalTerminalRegistry } from '../core/bus/terminal-registry.ts';
import { defaultConfig } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { ByteChannel, ChannelPeer, TerminalSize } from '../core/service/byte-channel.ts';
import { createMemoryStore } from '../core/store/memory/memory-store.ts';
import type { Account, Store } from '../core/store/types.ts';
import type { ConsoleDeps } from './commands/command.ts';
import { createConsoleService, type ConsoleService } from './server.ts';

export const ADMIN = 'root@example.test';
export const USER = 'alice@example.test';
export const PASSWORD = 'secret-pw';

export interface ConsoleFixture {
  store: Store;
  deps: ConsoleDeps;
  service: ConsoleService;
  terminals: LocalTerminalRegistry;
  dataDir: string;
  admin: Account;
  user: Account;
  cleanup(): Promise<void>;
}

export async function consoleFixture(): Promise<ConsoleFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'septet-console-'));
  const store = createMemoryStore();
  const hash = await hashPassword(PASSWORD, 1024);
  const admin = await store.accounts.addUser(ADMIN, hash, { admin: true });
  const user = await store.accounts.addUser(USER, hash);
  await store.mailboxes.ensureDefaultMailboxes(user.id);
  const config = defaultConfig();
  config.auth.scrypt_cost = 1024;
  const terminals = new LocalTerminalRegistry();
  const deps: ConsoleDeps = { config, store, dataDir, terminals, log: silentLogger() };
  return {
    store,
    deps,
    service: createConsoleService(deps),
    terminals,
    dataDir,
    admin,
    user,
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestChannel {
  channel: ByteChannel;
  /** Client → server. */
  send(bytes: string | Buffer): void;
  end(): void;
  /** Everything the server wrote to the channel's output / errors so far. */
  output(): string;
  errors(): string;
  status: Promise<number>;
  /** Waits until the output contains `text` (after `from`, an offset in output()). */
  waitFor(text: string | RegExp, from?: number): Promise<void>;
  abort(): void;
}

export function testChannel(): TestChannel {
  const input = new PassThrough();
  const output = new PassThrough();
  const errors = new PassThrough();
  const controller = new AbortController();
  let out = '';
  let err = '';
  output.on('data', (c: Buffer) => (out += c.toString('utf8')));
  errors.on('data', (c: Buffer) => (err += c.toString('utf8')));
  let settle!: (status: number) => void;
  const status = new Promise<number>((resolve) => (settle = resolve));
  const channel: ByteChannel = { input, output, errors, signal: controller.signal, exit: (s) => settle(s) };
  return {
    channel,
    send: (bytes) => void input.write(bytes),
    end: () => void input.end(),
    output: () => out,
    errors: () => err,
    status,
    async waitFor(text, from = 0) {
      for (let i = 0; i < 400; i++) {
        const seen = out.slice(from);
        if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) return;
        await sleep(5);
      }
      throw new Error(`timed out waiting for ${String(text)} in ${JSON.stringify(out.slice(from))}`);
    },
    abort: () => controller.abort(),
  };
}

export function peerOf(account: Account): ChannelPeer {
  return { account, remoteAddress: '192.0.2.1', service: 'test', log: silentLogger() };
}

/** A pty terminal whose window-change the test triggers. */
export function testTerminal(columns = 80): { terminal: { size: TerminalSize; onResize(l: (s: TerminalSize) => void): void }; resize(columns: number): void } {
  const listeners: ((s: TerminalSize) => void)[] = [];
  return {
    terminal: { size: { term: 'xterm', columns, rows: 24 }, onResize: (l) => void listeners.push(l) },
    resize: (c) => listeners.forEach((l) => l({ term: 'xterm', columns: c, rows: 24 })),
  };
}

/** Runs one exec command; its output, errors and status. */
export async function execCommand(fixture: ConsoleFixture, account: Account, line: string, stdin = ''): Promise<{ out: string; err: string; status: number }> {
  const t = testChannel();
  if (stdin) t.send(stdin);
  t.end();
  const done = fixture.service.command(line, t.channel, peerOf(account));
  const status = await t.status;
  await done;
  return { out: t.output(), err: t.errors(), status };
}
