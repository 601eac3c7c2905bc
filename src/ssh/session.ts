// One SSH connection: ssh2 runs the transport (RFC 4253: version exchange, key
// exchange, ciphers) and the authentication protocol's framing (RFC 4252); this
// session decides who gets in (auth.ts) and what each session channel runs
// (channels.ts). Its state is a union with a name: the handshake, authentication with
// its attempt count, and the authenticated connection with its account.
//
// The socket is the listener's (bans, PROXY header, limits, the pre-authentication
// deadline): the Connection hands it over (takeSocket) and still tells us when the
// deadline passes; a successful login marks it trusted, which stops the deadline.

import type { Socket } from 'node:net';
import type { Connection } from '../core/net/connection.ts';
import type { Account } from '../core/store/types.ts';
import { authenticate, type AuthOutcome } from './auth.ts';
import { openSessionChannel } from './channels.ts';
import type { SshClient, SshProtocol } from './library.ts';
import { disconnectReason, REFUSED_REQUEST, type Goodbye } from './replies.ts';
import type { SshDeps } from './server.ts';

export type SshState =
  | { name: 'handshake' }
  | { name: 'auth'; attempts: number }
  | { name: 'ready'; account: Account; method: string; sessions: number }
  | { name: 'closed' };

/** After our side ended the stream, a peer that keeps it open is cut this much later. */
const LINGER_MS = 5_000;

export class SshSession {
  state: SshState = { name: 'handshake' };
  private client: (SshClient & { _protocol: SshProtocol }) | null = null;
  private socket: Socket | null = null;
  private lastActivity = Date.now();
  private idleTimer: NodeJS.Timeout | null = null;
  /** Authentication requests are answered one at a time, in order (RFC 4252 §5). */
  private authQueue: Promise<void> = Promise.resolve();

  readonly deps: SshDeps;
  readonly conn: Connection;

  constructor(deps: SshDeps, conn: Connection) {
    this.deps = deps;
    this.conn = conn;
  }

  get log() {
    return this.conn.log;
  }

  /** Serves the connection until its socket closes. */
  async run(register: (socket: Socket, session: SshSession) => void, inject: (socket: Socket) => void): Promise<void> {
    const socket = await this.conn.takeSocket({
      deadline: () => this.goodbye({ name: 'login-deadline' }),
      timeout: () => {
        if (!this.conn.trusted) this.goodbye({ name: 'login-idle' });
      },
    });
    this.socket = socket;
    const closed = new Promise<void>((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    // ssh2 ends its side on a protocol error; a peer that does not close is cut.
    socket.once('finish', () => setTimeout(() => socket.destroy(), LINGER_MS).unref());
    register(socket, this);
    inject(socket);
    await closed;
    this.state = { name: 'closed' };
    if (this.idleTimer) clearInterval(this.idleTimer);
  }

  /** ssh2 read a client's identification string: from now on its events are ours. */
  attach(client: SshClient & { _protocol: SshProtocol }, ident: string): void {
    this.client = client;
    this.log.debug({ remote: this.conn.remoteAddress, client: ident.slice(0, 200) }, 'ssh client');
    client.on('error', (error) => this.log.debug({ remote: this.conn.remoteAddress, err: error.message, level: error.level }, 'ssh error'));
    client.on('handshake', (negotiated) => {
      if (this.state.name === 'handshake') this.state = { name: 'auth', attempts: 0 };
      this.log.debug({ kex: negotiated.kex, hostKey: negotiated.srvHostKey, cipher: negotiated.cs.cipher }, 'ssh key exchange done');
    });
    client.on('authentication', (ctx) => {
      this.authQueue = this.authQueue.then(() => this.onAuthentication(ctx)).catch((error: unknown) => {
        this.log.error({ err: error }, 'ssh authentication failed unexpectedly');
        // The client may be gone already; nothing may escape into an unhandled rejection.
        try {
          ctx.reject();
        } catch {
          this.client?.end();
        }
      });
    });
    client.on('ready', () => this.activity());
    client.on('session', (accept, reject) => {
      if (this.state.name !== 'ready') return reject();
      if (this.state.sessions >= this.deps.config.ssh.max_sessions) {
        this.log.info({ max: this.deps.config.ssh.max_sessions }, REFUSED_REQUEST.tooManySessions);
        return reject();
      }
      const state = this.state;
      state.sessions++;
      this.activity();
      openSessionChannel(this, state.account, accept(), () => {
        state.sessions--;
        this.activity();
      });
    });
    // RFC 4254 §7: forwarding of any kind is refused, as is every global request.
    client.on('tcpip', (_accept, reject) => {
      this.log.info({ remote: this.conn.remoteAddress }, REFUSED_REQUEST.tcpip);
      reject();
    });
    client.on('openssh.streamlocal', (_accept, reject) => {
      this.log.info({ remote: this.conn.remoteAddress }, REFUSED_REQUEST.streamlocal);
      reject();
    });
    client.on('request', (_accept, reject, name) => {
      this.log.info({ remote: this.conn.remoteAddress, request: name }, REFUSED_REQUEST.global);
      reject?.();
    });
  }

  /** Channel data, a new channel or its end: the idle timeout starts again. */
  activity(): void {
    this.lastActivity = Date.now();
  }

  private async onAuthentication(ctx: Parameters<typeof authenticate>[1]): Promise<void> {
    if (this.state.name === 'handshake') this.state = { name: 'auth', attempts: 0 };
    if (this.state.name !== 'auth') return ctx.reject();
    const state = this.state;
    const outcome: AuthOutcome = await authenticate(this, ctx);
    if (this.state.name !== 'auth') return; // closed meanwhile
    if (outcome.kind === 'accepted') {
      this.state = { name: 'ready', account: outcome.account, method: ctx.method, sessions: 0 };
      // The login holds: no pre-authentication deadline from now on (limits.ts).
      this.conn.markTrusted();
      this.log.info({ user: outcome.account.address, method: ctx.method, remote: this.conn.remoteAddress, ...(outcome.fingerprint ? { key: outcome.fingerprint } : {}) }, 'ssh login');
      this.startIdleTimer();
      ctx.accept();
      return;
    }
    if (outcome.kind === 'pk-ok') return ctx.accept();
    if (outcome.counted) state.attempts++;
    ctx.reject(outcome.methods);
    if (state.attempts >= this.deps.config.ssh.max_auth_tries) this.goodbye({ name: 'too-many-auth-attempts' });
  }

  private startIdleTimer(): void {
    const seconds = this.deps.config.ssh.idle_timeout;
    if (seconds <= 0) return;
    this.lastActivity = Date.now();
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastActivity >= seconds * 1000) this.goodbye({ name: 'idle' });
    }, Math.min(seconds * 1000, 5_000));
    this.idleTimer.unref();
  }

  /** Ends the connection with a DISCONNECT message (RFC 4253 §11.1), then the socket. */
  goodbye(goodbye: Goodbye): void {
    if (this.state.name === 'closed') return;
    const { code, log } = disconnectReason(goodbye);
    this.log.info({ remote: this.conn.remoteAddress, reason: goodbye.name }, log);
    this.state = { name: 'closed' };
    if (this.idleTimer) clearInterval(this.idleTimer);
    try {
      this.client?._protocol.disconnect(code);
    } catch {
      // The transport may be mid-exchange or gone: closing is enough.
    }
    this.socket?.end();
    if (this.socket) setTimeout(() => this.socket?.destroy(), LINGER_MS).unref();
  }
}
