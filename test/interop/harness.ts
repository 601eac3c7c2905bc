// Starts a real Septet (the `septet` bin, as a user would) on loopback with a fresh
// data directory, and runs third-party clients against it. Each test file picks its
// own port offset so files can run side by side.

import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
export const SEPTET = join(ROOT, 'bin/septet.js');
/** Debian's interpreter: its smtplib/poplib are what a Debian user runs. */
export const PYTHON = '/usr/bin/python3';

export const standardPorts = { smtp: 25, submission: 587, submissions: 465, pop3: 110, pop3s: 995, imap: 143, imaps: 993, ftp: 21, ftps: 990, tftp: 69, ssh: 22, http: 80, https: 443 } as const;

export interface ServerOptions {
  offset: number;
  /** Extra TOML appended to the generated configuration (sections). */
  toml?: string;
  /** Extra top-level TOML keys. */
  topLevelToml?: string;
  dataDir?: string;
  /** Address to bind (default 127.0.0.1); other loopback addresses let two instances share ports. */
  listen?: string;
  /**
   * Worker processes (default 1: the suite's files run side by side on a small machine,
   * and one process per test keeps them light; test/interop/workers.test.ts runs 2, and
   * 0, the users' default, one per core).
   */
  workers?: number;
  /**
   * Serve HTTP and HTTPS (default off in tests: 443 + offset is IMAP's 143 + (offset +
   * 300), so two files running side by side could collide). Tests that turn it on pick
   * an offset whose +300 no other file uses; their own [https]/[http] sections go in toml.
   */
  web?: boolean;
}

export class SeptetProcess {
  readonly dataDir: string;
  readonly configFile: string;
  readonly offset: number;
  readonly listen: string;
  private child: ChildProcess | null = null;
  output = '';

  constructor(dataDir: string, configFile: string, offset: number, listen = '127.0.0.1') {
    this.dataDir = dataDir;
    this.configFile = configFile;
    this.offset = offset;
    this.listen = listen;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends a signal without waiting (SIGHUP: reload certificates). */
  notify(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  port(service: keyof typeof standardPorts): number {
    return standardPorts[service] + this.offset;
  }

  /** `septet user add USER --password PASSWORD` for each pair; fails the test on an error. */
  async addUsers(users: Record<string, string>): Promise<void> {
    for (const [user, password] of Object.entries(users)) {
      const added = await this.cli(['user', 'add', user, '--password', password]);
      assert.equal(added.code, 0, `user add ${user}: ${added.stderr}`);
    }
  }

  /** Runs `septet ARGS --data D --config C` to completion. */
  async cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
    return runCli([...args, '--data', this.dataDir, '--config', this.configFile], input);
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [SEPTET, 'start', '--data', this.dataDir, '--config', this.configFile, '--listen', this.listen, '--port-offset', String(this.offset)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`septet did not start:\n${this.output}`)), 30_000);
      lines.on('line', (line) => {
        this.output += line + '\n';
        if (line.includes('"septet ready"')) {
          clearTimeout(timer);
          resolveReady();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`septet exited with ${code}:\n${this.output}`));
      });
    });
  }

  /** SIGTERM and wait; returns the exit code. */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    const code = await exited;
    this.child = null;
    return code;
  }
}

export async function runCli(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [SEPTET, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolveRun({ stdout, stderr, code: code ?? -1 }));
    child.stdin.end(input ?? '');
  });
}

/** A fresh data directory and configuration; the server is not started yet. */
export async function prepareSeptet(options: ServerOptions): Promise<SeptetProcess> {
  const base = await mkdtemp(join(tmpdir(), 'septet-test-'));
  // Started as root, Septet drops to its service user, which must reach the folder.
  await chmod(base, 0o755);
  const dataDir = options.dataDir ?? join(base, 'data');
  const configFile = join(base, 'septet.toml');
  await writeFile(
    configFile,
    [
      'hostname = "mx.septet.test"',
      `workers = ${options.workers ?? 1}`,
      // Top-level keys of the test's own must come before the first [section].
      ...(options.topLevelToml ? [options.topLevelToml] : []),
      // Before [auth]: tests append auth keys right after it without a header of their own.
      ...(options.web ? [] : ['[http]', 'enabled = false', '[https]', 'enabled = false']),
      '[log]',
      'level = "info"',
      '[auth]',
      // A lower scrypt cost keeps the suite fast; production uses the default.
      'scrypt_cost = 1024',
      options.toml ?? '',
    ].join('\n'),
  );
  return new SeptetProcess(dataDir, configFile, options.offset, options.listen);
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Runs a python3 program (Debian's interpreter) with arguments; rejects on failure. */
export async function python(program: string, args: string[] = [], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await execFileP(PYTHON, ['-c', program, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`python failed: ${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`);
  }
}

/** Runs curl; returns stdout, or rejects with curl's exit code and stderr. */
export async function curl(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolveRun) => {
    const child = spawn('curl', ['--silent', '--show-error', '--max-time', '60', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ stdout, stderr, code: code ?? -1 });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Polls `probe` every 250 ms until it returns a truthy value, and returns that value.
 * On timeout the error names `what` and adds `onTimeout()`'s text (e.g. a peer's log).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, onTimeout?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${onTimeout ? `\n${await onTimeout()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The messages of a POP3 maildrop on `server` (not deleted), as text, read with poplib. */
export async function popAll(server: SeptetProcess, user: string, password: string): Promise<string[]> {
  const out = await python(
    `
import poplib, sys, json
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=30)
p.user(sys.argv[3]); p.pass_(sys.argv[4])
count, _ = p.stat()
print(json.dumps([b'\\r\\n'.join(p.retr(i)[1]).decode('utf-8', 'replace') for i in range(1, count + 1)]))
p.quit()
`,
    [server.listen, String(server.port('pop3')), user, password],
  );
  return JSON.parse(out) as string[];
}

/** The message whose Subject is `subject`, if any. */
export const findMessage = (texts: string[], subject: string): string | undefined => texts.find((t) => t.includes(`Subject: ${subject}`));

/** The master.cf of a private Postfix listening for SMTP on address:port (fixtures/postfix-master.cf, shared with bench/relay.sh). */
export async function postfixMasterCf(address: string, port: number): Promise<string> {
  const template = await readFile(join(ROOT, 'test/interop/fixtures/postfix-master.cf'), 'utf8');
  return template.replace(/^@LISTEN@/m, `${address}:${port}`);
}

/**
 * Fails, rather than skips or passes vacuously, a test whose subject needs a server
 * started as root (the privilege drop): CI runs the interop tests as root.
 */
export function assertRunAsRoot(what: string): void {
  assert.equal(process.getuid?.(), 0, `precondition: ${what} needs the tests run as root (as CI runs them), this is uid ${process.getuid?.()}`);
}

/** The uid of a system user (`id -u`). */
export async function uidOf(user: string): Promise<number> {
  return Number((await execFileP('id', ['-u', user])).stdout.trim());
}

export interface Submission {
  host: string;
  port: number;
  from: string;
  to: string;
  subject: string;
  body: string;
  /** AUTH as `from` with this password (none: no AUTH). */
  password?: string;
  messageId?: string;
}

/** smtplib submits one message (email.message.EmailMessage); resolves to "sent". */
export function submitMail(m: Submission): Promise<string> {
  return python(
    `
import smtplib, sys
from email.message import EmailMessage
host, port, sender, to, subject, body, password, message_id = sys.argv[1:9]
msg = EmailMessage()
msg['From'] = sender; msg['To'] = to; msg['Subject'] = subject
if message_id: msg['Message-ID'] = message_id
msg.set_content(body)
s = smtplib.SMTP(host, int(port), timeout=30)
if password: s.login(sender, password)
s.send_message(msg, to_addrs=[to])
s.quit()
print('sent')
`,
    [m.host, String(m.port), m.from, m.to, m.subject, m.body, m.password ?? '', m.messageId ?? ''],
  );
}

export interface RelayTomlOptions {
  /** The port remote MX hosts (the other instance, Postfix) listen on. */
  port: number;
  /** The test's dnsmasq on 127.0.0.1. */
  dnsPort: number;
  source?: string;
  /** Retry keys (default: a retry after 2 s). */
  schedule?: string[];
  maxAge?: string;
  /** More [relay] keys. */
  extra?: string[];
}

/**
 * The [relay] and [dns] sections of a relay interop test: a shortened schedule (retry
 * after 2 s, give up after max_age, default 2 minutes), delay notices at once, a queue
 * scan every second, and the test's DNS server.
 */
export function relayTestToml(o: RelayTomlOptions): string {
  return [
    '[relay]',
    `port = ${o.port}`,
    ...(o.source ? [`source_address = "${o.source}"`] : []),
    ...(o.schedule ?? ['retry_schedule = ["2s"]']),
    `max_age = "${o.maxAge ?? '2m'}"`,
    'delay_notice_after = "0"',
    'poll_interval = 1',
    'connect_timeout = 3',
    ...(o.extra ?? []),
    '[dns]',
    `servers = ["127.0.0.1:${o.dnsPort}"]`,
  ].join('\n');
}
