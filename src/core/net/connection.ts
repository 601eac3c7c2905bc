// One client connection as protocol sessions see it: who is on the other end, a
// ByteReader for input, replies written out in order, STARTTLS, timeouts and close.
// A session never touches the socket itself, so it can be driven over any duplex
// stream in tests.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { ByteReader, ReadTimeoutError } from './byte-reader.ts';
import { isLoopbackAddress, normalizeAddress } from './address.ts';
import type { ConnectionLease } from './limits.ts';
import { quickAck } from './quick-ack.ts';

export interface TlsProvider {
  /** The context for a server name (SNI), or the default one. */
  contextFor(servername: string | undefined): SecureContext;
}

export interface PeerAddress {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

export interface TlsState {
  protocol: string | null;
  cipher: string | null;
  servername: string | null;
  /** Whether the client resumed an earlier TLS session (FTPS data connections). */
  resumed: boolean;
}

export class ConnectionClosedError extends Error {
  constructor() {
    super('connection closed');
    this.name = 'ConnectionClosedError';
  }
}

/**
 * The total deadline of a connection that has not authenticated passed (limits.ts).
 * A ReadTimeoutError, so every protocol answers it with its timeout reply.
 */
export class DeadlineExceededError extends ReadTimeoutError {
  constructor() {
    super();
    this.message = 'pre-authentication deadline exceeded';
    this.name = 'DeadlineExceededError';
  }
}

/** After its deadline a session that does not end by itself (it is not reading) is cut this much later. */
const DEADLINE_GRACE_MS = 10_000;

let sequence = 0;
/** Short, unique, sortable-ish ids for log correlation across all services. */
export function newConnectionId(): string {
  sequence = (sequence + 1) % 0x1000000;
  return randomBytes(3).toString('hex') + sequence.toString(36).padStart(4, '0');
}

export class Connection {
  readonly id: string;
  readonly reader = new ByteReader();
  readonly log: Logger;
  private socket: Socket;
  private address: PeerAddress;
  private tlsState: TlsState | null = null;
  private closed = false;
  private corked = false;
  private idleTimeoutMs = 0;
  /** Under stress an unauthenticated session's idle timeout is at most this (0 = no cap). */
  private idleCapMs = 0;
  private lease: ConnectionLease | null = null;
  private isTrusted = false;
  private expired = false;
  private readonly closeListeners: Array<() => void> = [];
  /** Set once a transport that reads the socket itself took it (takeSocket). */
  private transport: { deadline(): void; timeout(): void } | null = null;

  constructor(socket: Socket, log: Logger, options: { id?: string; address?: PeerAddress; initialData?: Buffer } = {}) {
    this.id = options.id ?? newConnectionId();
    this.socket = socket;
    this.address = options.address ?? {
      remoteAddress: normalizeAddress(socket.remoteAddress ?? ''),
      remotePort: socket.remotePort ?? 0,
      localAddress: normalizeAddress(socket.localAddress ?? ''),
      localPort: socket.localPort ?? 0,
    };
    this.log = log.child({ cid: this.id });
    if (socket instanceof TLSSocket) this.tlsState = describeTls(socket);
    this.reader.onWait = () => this.flush();
    this.reader.onDemand = () => this.socket.resume();
    this.reader.onSatiated = () => this.socket.pause();
    if (options.initialData && options.initialData.length > 0) this.reader.push(options.initialData);
    this.attach(socket);
  }

  get remoteAddress(): string {
    return this.address.remoteAddress;
  }
  get remotePort(): number {
    return this.address.remotePort;
  }
  get localAddress(): string {
    return this.address.localAddress;
  }
  get localPort(): number {
    return this.address.localPort;
  }
  /** True for 127.0.0.0/8 and ::1 (after any PROXY header): trusted for plaintext login. */
  get isLoopback(): boolean {
    return isLoopbackAddress(this.address.remoteAddress);
  }
  get secure(): boolean {
    return this.tlsState !== null;
  }
  get tls(): TlsState | null {
    return this.tlsState;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** The underlying socket, for options such as IP type of service. */
  get rawSocket(): Socket {
    return this.socket;
  }

  /** Idle timeout for reads; 0 disables it. The pending read fails with ReadTimeoutError. */
  setIdleTimeout(ms: number): void {
    this.idleTimeoutMs = ms;
    this.socket.setTimeout(this.effectiveIdleTimeout());
  }

  /**
   * Ties the connection to its slot in the limits (the listener does): until
   * markTrusted() it has a total deadline, and a shorter idle timeout under stress.
   */
  attachLease(lease: ConnectionLease): void {
    this.lease = lease;
    lease.attach({
      deadlineExpired: () => this.deadlineExpired(),
      capIdleTimeout: (ms) => {
        if (this.isTrusted) return;
        this.idleCapMs = ms;
        this.socket.setTimeout(this.effectiveIdleTimeout());
      },
    });
  }

  /**
   * The client logged in (or, on port 25, completed a transaction): the session is no
   * longer bound by the pre-authentication deadline nor by the stress idle timeout.
   * Every protocol calls this on success; it is idempotent.
   */
  markTrusted(): void {
    if (this.isTrusted) return;
    this.isTrusted = true;
    this.idleCapMs = 0;
    this.lease?.markTrusted();
    if (!this.closed) this.socket.setTimeout(this.effectiveIdleTimeout());
  }

  get trusted(): boolean {
    return this.isTrusted;
  }

  private effectiveIdleTimeout(): number {
    if (this.idleCapMs === 0) return this.idleTimeoutMs;
    return this.idleTimeoutMs === 0 ? this.idleCapMs : Math.min(this.idleTimeoutMs, this.idleCapMs);
  }

  /**
   * Hands the socket to a transport that parses the byte stream itself (SSH: ssh2
   * reads and writes it). The Connection stops reading; bytes it had buffered (sent
   * with a PROXY header) are put back in front of the socket's data. Close tracking,
   * the lease, markTrusted() and the deadline stay: the transport hears the deadline
   * and the idle timeout (setIdleTimeout, the stress cap) through `events`, and the
   * connection is still destroyed a little after the deadline if it lingers.
   */
  async takeSocket(events: { deadline(): void; timeout(): void }): Promise<Socket> {
    this.flush();
    this.transport = events;
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('timeout', this.onTimeout);
    socket.on('timeout', () => this.transport?.timeout());
    const pending = this.reader.pending;
    const early = pending > 0 ? await this.reader.readExact(pending) : null;
    if (early) socket.unshift(early);
    return socket;
  }

  private deadlineExpired(): void {
    if (this.closed || this.isTrusted) return;
    this.log.info({ remote: this.remoteAddress }, 'pre-authentication deadline reached; closing');
    if (this.transport) {
      this.transport.deadline();
      setTimeout(() => {
        if (!this.closed) this.destroy();
      }, DEADLINE_GRACE_MS).unref();
      return;
    }
    // Whatever the client sends from now on is ignored, so a pipelined stream of
    // commands cannot keep the session reading; the next read fails at once.
    this.expired = true;
    this.reader.discardBuffered();
    this.reader.fail(new DeadlineExceededError());
    // A session that is not reading (waiting for a client that does not read its
    // replies, say) is cut a little later anyway.
    setTimeout(() => {
      if (!this.closed) this.destroy();
    }, DEADLINE_GRACE_MS).unref();
  }

  /**
   * Queues output. Writes made in one turn of the event loop go out together; they
   * are flushed at the latest when the session waits for input.
   */
  write(data: string | Buffer): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => this.flush());
    }
    this.socket.write(data);
  }

  /** Writes and waits until the socket can take more (for streaming large bodies). */
  async send(data: string | Buffer): Promise<void> {
    if (this.closed) throw new ConnectionClosedError();
    // Small responses coalesce with what is queued (one segment for a status line, a
    // short message and its terminator); only a full buffer is flushed and waited on.
    this.write(data);
    if (!this.socket.writableNeedDrain) return;
    this.flush();
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onClose = () => {
        cleanup();
        reject(new ConnectionClosedError());
      };
      const cleanup = () => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
      };
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
    });
  }

  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
    // The reply is out: ACK the client's next segment at once (quick-ack.ts says why).
    quickAck(this.socket);
  }

  /**
   * Starts TLS on this connection (STARTTLS / STLS / AUTH TLS). Everything the client
   * sent before the handshake and we have not read yet is discarded: RFC 3207 §4.2,
   * RFC 2595 §3.1 (the command-injection attack).
   */
  async startTls(provider: TlsProvider, options: { requestCert?: boolean } = {}): Promise<void> {
    this.flush();
    const dropped = this.reader.discardBuffered();
    if (dropped > 0) this.log.warn({ dropped }, 'discarded input sent before the TLS handshake');
    const plain = this.socket;
    this.detach(plain);
    const secure = new TLSSocket(plain, {
      isServer: true,
      secureContext: provider.contextFor(undefined),
      SNICallback: (name, cb) => cb(null, provider.contextFor(name)),
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: false,
    });
    await waitForHandshake(secure);
    this.socket = secure;
    this.tlsState = describeTls(secure);
    this.attach(secure);
    if (this.effectiveIdleTimeout()) secure.setTimeout(this.effectiveIdleTimeout());
    this.log.debug({ tls: this.tlsState }, 'TLS started');
  }

  /** Flushes what is queued, then closes the connection gracefully. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.socket.end();
    // A client that never reads must not keep the socket forever.
    setTimeout(() => this.socket.destroy(), 10_000).unref();
  }

  /** Closes at once, dropping anything unsent. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  private readonly onData = (chunk: Buffer) => {
    if (!this.expired) this.reader.push(chunk);
  };
  private readonly onEnd = () => this.reader.end();
  private readonly onError = (error: Error) => {
    this.log.debug({ err: error.message }, 'socket error');
    this.reader.fail(error);
  };
  private readonly onTimeout = () => this.reader.fail(new ReadTimeoutError());
  private readonly onSocketClose = () => {
    this.closed = true;
    this.reader.end();
    for (const listener of this.closeListeners.splice(0)) listener();
  };

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('timeout', this.onTimeout);
    socket.on('close', this.onSocketClose);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('error', this.onError);
    socket.off('timeout', this.onTimeout);
    socket.off('close', this.onSocketClose);
  }
}

function describeTls(socket: TLSSocket): TlsState {
  const cipher = socket.getCipher();
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: cipher?.standardName ?? cipher?.name ?? null,
    servername: typeof (socket as { servername?: unknown }).servername === 'string' ? (socket as unknown as { servername: string }).servername : null,
    resumed: socket.isSessionReused(),
  };
}

function waitForHandshake(socket: TLSSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(new Error('TLS handshake timed out'));
    }, 30_000);
    const onSecure = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new ConnectionClosedError());
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('secure', onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.once('secure', onSecure);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}
