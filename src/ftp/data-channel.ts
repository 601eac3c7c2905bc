// Opening data connections (RFC 959 §3.2-3.3, RFC 2428, RFC 4217 §7-9).
// Passive: a listener on a random port of the configured range that accepts exactly one
// connection, and only from the control connection's address (a connection from
// anywhere else is dropped and logged: no port stealing). Active: a connection to the
// client's own address on an unprivileged port (checked by the PORT/EPRT commands: no
// bounce attacks), from port 20 + offset when it can be bound. With PROT P the data
// connection is TLS, Septet always in the server role.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Logger } from '../core/log/logger.ts';
import { normalizeAddress } from '../core/net/address.ts';
import type { TlsProvider } from '../core/net/connection.ts';
import { setTypeOfService } from '../core/net/tos.ts';

export class DataConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataConnectionError';
  }
}

export class PassiveListener {
  readonly port: number;
  private readonly server: Server;
  private readonly allowedRemote: string;
  private readonly log: Logger;
  private accepted: Socket | null = null;
  private waiter: ((s: Socket | null) => void) | null = null;
  private closed = false;

  private constructor(server: Server, port: number, allowedRemote: string, log: Logger) {
    this.server = server;
    this.port = port;
    this.allowedRemote = normalizeAddress(allowedRemote);
    this.log = log;
    server.on('connection', (socket) => this.onConnection(socket));
    server.on('error', (error) => log.debug({ err: error.message }, 'passive listener error'));
  }

  /**
   * Listens on `host`, on a random free port in [min, max] (0, 0 = any). A listener
   * nobody connects to within expireMs stops listening, so a client that sends PASV
   * and never opens the data connection holds no port (a later transfer gets 425).
   */
  static async open(host: string, range: { min: number; max: number }, allowedRemote: string, log: Logger, expireMs: number): Promise<PassiveListener> {
    const { min, max } = range;
    const useRange = min > 0 && max >= min;
    const attempts = useRange ? Math.min(100, max - min + 1) : 1;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = useRange ? min + Math.floor(Math.random() * (max - min + 1)) : 0;
      const server = createServer({ pauseOnConnect: true, noDelay: false });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port, backlog: 4, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        const bound = (server.address() as { port: number }).port;
        const listener = new PassiveListener(server, bound, allowedRemote, log);
        listener.expireAfter(expireMs);
        return listener;
      } catch (error) {
        lastError = error;
        server.close();
      }
    }
    throw new DataConnectionError('no free passive port', { cause: lastError });
  }

  private expiry: NodeJS.Timeout | null = null;

  private expireAfter(ms: number): void {
    const timer = setTimeout(() => {
      if (this.accepted || this.closed) return;
      this.log.debug({ port: this.port }, 'passive port unused; no longer listening');
      this.close();
    }, ms);
    timer.unref();
    this.expiry = timer;
    this.server.once('close', () => clearTimeout(timer));
  }

  private onConnection(socket: Socket): void {
    socket.on('error', () => {});
    const from = normalizeAddress(socket.remoteAddress ?? '');
    if (from !== this.allowedRemote || this.accepted || this.closed) {
      this.log.warn({ from, expected: this.allowedRemote }, 'data connection from a foreign address or a second one; dropped');
      socket.destroy();
      return;
    }
    this.accepted = socket;
    // One connection per PASV: stop listening at once so the port is not left open.
    this.server.close();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(socket);
  }

  /** The client's data connection, waiting up to timeoutMs. */
  async accept(timeoutMs: number): Promise<Socket> {
    // A transfer is waiting now: its own timeout counts from here.
    if (this.expiry) clearTimeout(this.expiry);
    if (this.accepted) return this.accepted;
    if (this.closed) throw new DataConnectionError('passive listener closed');
    const socket = await new Promise<Socket | null>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      timer.unref();
      this.waiter = (s) => {
        clearTimeout(timer);
        resolve(s);
      };
    });
    if (!socket) throw new DataConnectionError('the client did not open the data connection in time');
    return socket;
  }

  /** Stops listening; destroys an accepted connection that nobody took. */
  close(keepAccepted = false): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    if (!keepAccepted) this.accepted?.destroy();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(null);
  }
}

/** RFC 959 §3.2: the server-DTP connects to the user's port, from L-1 (20) when it can. */
export async function connectActive(target: { host: string; port: number }, localAddress: string, preferredLocalPort: number, timeoutMs: number): Promise<Socket> {
  if (preferredLocalPort > 0 && preferredLocalPort < 65536) {
    try {
      return await tryConnect(target, localAddress, preferredLocalPort, timeoutMs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Port 20 needs privileges (EACCES) or is busy with another transfer (EADDRINUSE): fall back.
      if (code !== 'EACCES' && code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL' && code !== 'EPERM') throw wrap(error);
    }
  }
  try {
    return await tryConnect(target, localAddress, 0, timeoutMs);
  } catch (error) {
    throw wrap(error);
  }
}

function wrap(error: unknown): DataConnectionError {
  return error instanceof DataConnectionError ? error : new DataConnectionError(`active connection failed: ${(error as Error).message}`, { cause: error });
}

function tryConnect(target: { host: string; port: number }, localAddress: string, localPort: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, localAddress: localAddress || undefined, ...(localPort ? { localPort } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DataConnectionError('active connection timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      socket.pause();
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

/**
 * RFC 4217 §7-9: TLS on the data connection, Septet as the TLS server. With
 * requireReuse, the client must resume the control connection's session (vsftpd's
 * require_ssl_reuse), which proves the data connection comes from the same client.
 */
export function secureDataSocket(raw: Socket, tls: TlsProvider, servername: string | null, requireReuse: boolean, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new TLSSocket(raw, { isServer: true, secureContext: tls.contextFor(servername ?? undefined), rejectUnauthorized: false, requestCert: false });
    const timer = setTimeout(() => fail(new DataConnectionError('data connection TLS handshake timed out')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      secure.removeAllListeners('secure');
      secure.on('error', () => {});
      secure.destroy();
      raw.destroy();
      reject(error instanceof DataConnectionError ? error : new DataConnectionError(`data connection TLS failed: ${error.message}`, { cause: error }));
    };
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      secure.on('error', () => {});
      if (requireReuse && !secure.isSessionReused()) {
        fail(new DataConnectionError('TLS session reuse required'));
        return;
      }
      resolve(secure);
    });
    secure.once('error', fail);
    raw.resume();
  });
}

/**
 * RFC 1349 / lecture: data connections ask for maximum throughput. No Nagle delay:
 * writes are large anyway, and the last short segment of a file or a listing should
 * not wait for an acknowledgement.
 */
export function tuneDataSocket(socket: Socket, log: Logger): void {
  socket.setNoDelay(true);
  setTypeOfService(socket, 'throughput', log);
}
