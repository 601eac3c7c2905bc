// The TerminalRegistry (terminals.ts) in two forms:
//
// - LocalTerminalRegistry: the terminals of this process only (one process, tests).
// - SharedTerminalRegistry: the terminals of every process over one data directory
//   (the worker processes of src/startup/workers/, and a CLI or test process next to
//   them). Open terminals are process state, not data: they end when the process
//   does, so they are not kept in the store or its change log (which records durable
//   changes in commit order and cannot tell a sender how many terminals it reached).
//   Instead each process that has a terminal listens on a Unix socket
//   <folder>/<pid>.sock, and each attached terminal leaves a presence file
//   <folder>/<accountId>-<pid>-<n>. hasTerminal/send read the presence names for the
//   account and ask each owning process over its socket (one JSON line each way);
//   the owner answers from its own memory, so a crashed process's leftover files
//   are only a hint, found stale when its socket refuses (and then removed). The
//   folder is 0700, owned by the server's user: only that user can show notices.

import { chmodSync, mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { TerminalAttachment, TerminalNotice, TerminalRegistry } from './terminals.ts';

type Show = (notice: TerminalNotice) => void;

export class LocalTerminalRegistry implements TerminalRegistry {
  private readonly terminals = new Map<number, Set<Show>>();

  attach(accountId: number, show: Show): TerminalAttachment {
    let set = this.terminals.get(accountId);
    if (!set) {
      set = new Set();
      this.terminals.set(accountId, set);
    }
    // Each attachment is its own entry, even when two sessions pass the same function.
    const entry: Show = (notice) => show(notice);
    set.add(entry);
    let attached = true;
    return {
      detach: () => {
        if (!attached) return;
        attached = false;
        set.delete(entry);
        if (set.size === 0) this.terminals.delete(accountId);
        this.detached(accountId);
      },
    };
  }

  /** Hook for the shared registry: the account's attachment went away. */
  protected detached(_accountId: number): void {}

  /** Terminals of the account in this process. */
  localCount(accountId: number): number {
    return this.terminals.get(accountId)?.size ?? 0;
  }

  /** Shows the notice on this process's terminals of the account; how many took it. */
  showLocal(accountId: number, notice: TerminalNotice): number {
    let reached = 0;
    for (const show of [...(this.terminals.get(accountId) ?? [])]) {
      try {
        show(notice);
        reached++;
      } catch {
        // A terminal that fails (its channel just closed) does not stop the others.
      }
    }
    return reached;
  }

  async hasTerminal(accountId: number): Promise<boolean> {
    return this.localCount(accountId) > 0;
  }

  async send(accountId: number, notice: TerminalNotice): Promise<number> {
    return this.showLocal(accountId, notice);
  }

  async close(): Promise<void> {}
}

/** Longest request line a process accepts on its terminal socket: a notice and its envelope. */
export const MAX_TERMINAL_REQUEST = 1024 * 1024;
/** Longest text of a notice passed between processes (SMTP limits it further: smtp.terminal_max_message). */
export const MAX_NOTICE_TEXT = 256 * 1024;
/** sockaddr_un holds 108 octets with the terminating NUL (unix(7)). */
const MAX_SOCKET_PATH = 107;

type Request = { op: 'count'; accountId: number } | { op: 'send'; accountId: number; notice: { from: string; text: string; at: string } };

export interface SharedTerminalOptions {
  /** A private folder all processes of one server share, e.g. <data>/run/terminals. */
  folder: string;
  /** How long to wait for another process's answer. */
  timeoutMs?: number;
  /** For the one line that says cross-process delivery is off (socket path too long). */
  warn?: (message: string) => void;
}

export class SharedTerminalRegistry extends LocalTerminalRegistry {
  private readonly folder: string;
  private readonly timeoutMs: number;
  private readonly warn: (message: string) => void;
  private server: Server | null = null;
  private listening: Promise<void> | null = null;
  private readonly presence = new Map<number, string[]>();
  private sequence = 0;
  private shared = true;
  private closed = false;
  private readonly cleanupOnExit = () => this.cleanupSync();

  constructor(options: SharedTerminalOptions) {
    super();
    this.folder = options.folder;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.warn = options.warn ?? (() => {});
    if (this.socketPath(process.pid).length > MAX_SOCKET_PATH) {
      this.shared = false;
      this.warn(`terminal notices stay within each process: ${this.folder} is too long a path for a Unix socket`);
    }
  }

  private socketPath(pid: number): string {
    return join(this.folder, `${pid}.sock`);
  }

  /**
   * Attaches; the terminal is visible to the other processes once `ready` resolves
   * (this process listens and its presence file exists).
   */
  override attach(accountId: number, show: Show): TerminalAttachment & { ready: Promise<void> } {
    const attachment = super.attach(accountId, show);
    const ready = this.shared && !this.closed ? this.announce(accountId) : Promise.resolve();
    return { detach: attachment.detach, ready };
  }

  private async announce(accountId: number): Promise<void> {
    try {
      await this.listen();
      const name = `${accountId}-${process.pid}-${++this.sequence}`;
      await writeFile(join(this.folder, name), '', { mode: 0o600 });
      const names = this.presence.get(accountId) ?? [];
      names.push(name);
      this.presence.set(accountId, names);
      // Detached while the file was being written: take it back.
      if (this.localCount(accountId) < names.length) this.detached(accountId);
    } catch (error) {
      this.warn(`terminal presence not announced: ${(error as Error).message}`);
    }
  }

  protected override detached(accountId: number): void {
    const names = this.presence.get(accountId);
    while (names && names.length > this.localCount(accountId)) {
      const name = names.pop()!;
      try {
        rmSync(join(this.folder, name), { force: true });
      } catch {
        // the folder went away: nothing to take back
      }
    }
    if (names?.length === 0) this.presence.delete(accountId);
  }

  private listen(): Promise<void> {
    // A failed start is not remembered: the next attach tries again.
    this.listening ??= (async () => {
      mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      const path = this.socketPath(process.pid);
      rmSync(path, { force: true }); // a previous process with our pid
      const server = createServer((socket) => this.serve(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
      chmodSync(path, 0o600); // the folder is 0700 already; the socket says so too
      // An accept failure (EMFILE) is emitted as 'error': without a listener it would end the process.
      server.on('error', (error: Error) => this.warn(`terminal socket: ${error.message}`));
      server.unref();
      this.server = server;
      process.once('exit', this.cleanupOnExit);
    })().catch((error: unknown) => {
      this.listening = null;
      throw error;
    });
    return this.listening;
  }

  /** One request from another process: count or show, answered with a number. */
  private serve(socket: Socket): void {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.setTimeout(this.timeoutMs, () => socket.destroy());
    socket.on('error', () => {});
    let answered = false;
    socket.on('data', (chunk: string) => {
      if (answered) return; // one request per connection
      buffered += chunk;
      if (buffered.length > MAX_TERMINAL_REQUEST) return void socket.destroy();
      const lf = buffered.indexOf('\n');
      if (lf < 0) return;
      answered = true;
      const request = parseRequest(buffered.slice(0, lf));
      let answer = 0;
      if (request?.op === 'count') answer = this.localCount(request.accountId);
      else if (request?.op === 'send') answer = this.showLocal(request.accountId, { from: request.notice.from, text: request.notice.text, at: new Date(request.notice.at) });
      socket.end(`${JSON.stringify({ n: answer })}\n`);
    });
  }

  /** Pids of other processes that announced a terminal of the account. */
  private async peers(accountId: number): Promise<number[]> {
    if (!this.shared) return [];
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch {
      return [];
    }
    const pids = new Set<number>();
    const prefix = `${accountId}-`;
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const pid = Number(name.split('-')[1]);
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid) pids.add(pid);
    }
    return [...pids];
  }

  /** Asks another process; null when it is gone (its files are then removed). */
  private ask(pid: number, request: Request): Promise<number | null> {
    return new Promise((resolve) => {
      let answer = '';
      let settled = false;
      const done = (n: number | null) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        resolve(n);
      };
      const socket = createConnection(this.socketPath(pid));
      socket.setEncoding('utf8');
      socket.setTimeout(this.timeoutMs, () => done(0));
      socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
      socket.on('data', (chunk: string) => {
        answer += chunk;
        if (answer.length > 1024) done(0);
      });
      socket.on('end', () => {
        let n: unknown = 0;
        try {
          n = (JSON.parse(answer.trim() || '{}') as { n?: unknown }).n;
        } catch {
          // a garbled answer counts as no terminal reached
        }
        done(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') {
          void this.removeStale(pid);
          done(null);
        } else done(0);
      });
    });
  }

  private async removeStale(pid: number): Promise<void> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.split('-')[1] === String(pid) || n === `${pid}.sock`).map((n) => rm(join(this.folder, n), { force: true }).catch(() => {})));
  }

  override async hasTerminal(accountId: number): Promise<boolean> {
    if (this.localCount(accountId) > 0) return true;
    for (const pid of await this.peers(accountId)) if (((await this.ask(pid, { op: 'count', accountId })) ?? 0) > 0) return true;
    return false;
  }

  override async send(accountId: number, notice: TerminalNotice): Promise<number> {
    let reached = this.showLocal(accountId, notice);
    const wire = { from: notice.from, text: notice.text.slice(0, MAX_NOTICE_TEXT), at: notice.at.toISOString() };
    const answers = await Promise.all((await this.peers(accountId)).map((pid) => this.ask(pid, { op: 'send', accountId, notice: wire })));
    for (const n of answers) reached += n ?? 0;
    return reached;
  }

  override async close(): Promise<void> {
    this.closed = true;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.cleanupSync();
    process.off('exit', this.cleanupOnExit);
  }

  /** Removes this process's socket and presence files (also at exit, synchronously). */
  private cleanupSync(): void {
    if (!this.server) return;
    try {
      unlinkSync(this.socketPath(process.pid));
    } catch {
      // already gone
    }
    for (const names of this.presence.values()) for (const name of names) rmSync(join(this.folder, name), { force: true });
    this.presence.clear();
  }
}

function parseRequest(line: string): Request | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.accountId !== 'number' || !Number.isSafeInteger(v.accountId)) return null;
  if (v.op === 'count') return { op: 'count', accountId: v.accountId };
  const n = v.notice as Record<string, unknown> | undefined;
  if (v.op === 'send' && n && typeof n.from === 'string' && typeof n.text === 'string' && typeof n.at === 'string') {
    return { op: 'send', accountId: v.accountId, notice: { from: n.from.slice(0, 1024), text: n.text.slice(0, MAX_NOTICE_TEXT), at: n.at } };
  }
  return null;
}

/** The registry a server process uses: shared over `folder` (several workers or not). */
export function createTerminalRegistry(options: SharedTerminalOptions): SharedTerminalRegistry {
  return new SharedTerminalRegistry(options);
}

/** Test/CLI helper: whether a folder holds presence files for the account (any process, live or not). */
export function presenceNames(folder: string, accountId: number): string[] {
  try {
    return readdirSync(folder).filter((n) => n.startsWith(`${accountId}-`));
  } catch {
    return [];
  }
}

