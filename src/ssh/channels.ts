// What a session channel (RFC 4254 §6) may run: the "sftp" subsystem (§6.5), an
// "exec" (§6.5) that is a legacy SCP command or else a console command, or a "shell"
// (§6.5) that is Septet's console, with a pty (§6.2) and its window changes (§6.7).
// "env" (§6.4) is accepted and ignored. X11 (§6.3), agent forwarding and signals are
// refused; nothing here ever starts an operating-system process.

import type { ChannelPeer, TerminalSize } from '../core/service/byte-channel.ts';
import type { Account } from '../core/store/types.ts';
import { channelStream } from './channel-stream.ts';
import type { ServerChannel, SshSessionChannel } from './library.ts';
import { engineFailure, REFUSED_REQUEST, serviceMissing } from './replies.ts';
import type { SshSession } from './session.ts';
import type { SshTerminal } from './server.ts';

/** Longest terminal type name kept (RFC 4254 §6.2 sets none). */
const MAX_TERM = 64;
/** Terminal sizes are clamped to this (a client may claim anything). */
const MAX_CELLS = 10_000;

export function openSessionChannel(session: SshSession, account: Account, channel: SshSessionChannel, onClosed: () => void): void {
  const { services } = session.deps;
  const log = session.log.child({ user: account.address });
  const peer: ChannelPeer = { account, remoteAddress: session.conn.remoteAddress, service: 'ssh', log };
  let size: TerminalSize | null = null;
  const resizeListeners: Array<(size: TerminalSize) => void> = [];
  let started = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClosed();
  };
  channel.on('close', close);

  channel.on('pty', (accept, reject, info) => {
    if (started) return reject?.();
    size = { term: String(info.term ?? '').slice(0, MAX_TERM), columns: clamp(info.cols), rows: clamp(info.rows) };
    accept?.();
  });
  channel.on('window-change', (accept, _reject, info) => {
    if (size) {
      size = { ...size, columns: clamp(info.cols), rows: clamp(info.rows) };
      for (const listener of resizeListeners) listener(size);
    }
    accept?.();
  });
  channel.on('env', (accept) => accept?.());
  channel.on('x11', (_accept, reject) => {
    log.info(REFUSED_REQUEST.x11);
    reject?.();
  });
  channel.on('auth-agent', (_accept, reject) => {
    log.info(REFUSED_REQUEST.agent);
    reject?.();
  });
  channel.on('signal', (_accept, reject) => reject?.());

  /** Runs one engine on the channel accept() gives; its failure is reported on stderr. */
  const run = (what: string, accept: () => ServerChannel | undefined, engine: (stream: ReturnType<typeof channelStream>) => Promise<void>) => {
    started = true;
    const raw = accept();
    if (!raw) return;
    const stream = channelStream(raw, () => session.activity());
    log.debug({ what }, 'ssh channel');
    engine(stream).then(
      () => {
        // An engine calls exit() itself; one that returned without it ends with 0.
        stream.exit(0);
      },
      (error: unknown) => {
        if (stream.signal.aborted) return;
        log.error({ err: error, what }, 'ssh channel failed');
        const failure = engineFailure();
        stream.errors.write(failure.message);
        stream.exit(failure.status);
      },
    );
  };
  /** A request whose engine is not there: accepted, then a message and exit status 127. */
  const missing = (what: string, accept: () => ServerChannel | undefined) =>
    run(what, accept, async (stream) => {
      const failure = serviceMissing(what);
      stream.errors.write(failure.message);
      stream.exit(failure.status);
    });

  channel.on('subsystem', (accept, reject, info) => {
    if (started) return reject?.();
    if (info.name !== 'sftp') {
      log.info({ subsystem: String(info.name).slice(0, 64) }, REFUSED_REQUEST.unknownSubsystem);
      return reject?.();
    }
    const sftp = services.sftp;
    if (!sftp) {
      log.info(REFUSED_REQUEST.noService);
      return reject?.();
    }
    run('sftp', accept, (stream) => sftp(stream, peer));
  });

  channel.on('exec', (accept, reject, info) => {
    if (started) return reject?.();
    const command = String(info.command ?? '');
    const { scp, console } = services;
    if (scp?.matches(command)) return run('scp', accept, (stream) => scp.run(command, stream, peer));
    if (!console) return missing('the console', accept);
    // With a pty (ssh -t host passwd) the command gets it too: CRLF output, no echo of secrets.
    const terminal = currentTerminal();
    run('exec', accept, (stream) => console.command(command, stream, peer, terminal));
  });

  channel.on('shell', (accept, reject) => {
    if (started) return reject?.();
    const shell = services.console;
    if (!shell) return missing('the console', accept);
    const terminal = currentTerminal();
    run('shell', accept, (stream) => shell.shell(stream, peer, terminal));
  });

  /** The pty the client asked for (RFC 4254 §6.2), its size following window-change; null without one. */
  function currentTerminal(): SshTerminal | null {
    if (!size) return null;
    const terminal = { size, onResize: (listener: (size: TerminalSize) => void) => void resizeListeners.push(listener) };
    Object.defineProperty(terminal, 'size', { get: () => size, enumerable: true });
    return terminal;
  }
}

function clamp(value: unknown): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
  return Math.max(0, Math.min(n, MAX_CELLS));
}
