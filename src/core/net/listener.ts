// The TCP listeners of all services. A ListenerGroup binds each service's addresses,
// and for every accepted socket: reads a PROXY header if the listener expects one,
// applies the connection limits, does the implicit-TLS handshake, then hands a
// Connection to the service's handler and cleans up when the session is over.
// Nothing a client does here (bad header, failed handshake, early close) reaches
// further than a debug log line and a closed socket.

import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { normalizeAddress, type NetworkList } from './address.ts';
import { Connection, type PeerAddress, type TlsProvider } from './connection.ts';
import { acceptTls } from './implicit-tls.ts';
import type { ConnectionLimits, RefusalReason } from './limits.ts';
import { readProxyHeader } from './proxy-protocol.ts';
import { trackSession } from '../metrics/hooks.ts';

export type { RefusalReason } from './limits.ts';

export interface ConnectionHandler {
  /** Serves one connection until it ends (the promise settles when the session is over). */
  handle(conn: Connection): Promise<void>;
  /**
   * The line sent to a client refused by a connection limit, before closing (e.g.
   * "421 4.7.0 Too many connections\r\n" for SMTP, "-ERR [SYS/TEMP] too many
   * connections\r\n" for POP3).
   */
  refusal(reason: RefusalReason): string;
}

export interface ListenerSpec {
  name: string;
  /** [] = all: '::' dual-stack, or 0.0.0.0 where IPv6 is unavailable. */
  addresses: string[];
  /** 0 = an ephemeral port (tests); the real one is in the BoundListener. */
  port: number;
  implicitTls: boolean;
  proxyProtocol: boolean;
  /** With proxyProtocol: the peers whose header is believed; others are closed (none when absent). */
  proxyTrusted?: NetworkList;
}

export interface BoundListener {
  name: string;
  address: string;
  port: number;
}

export class ListenError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ListenError';
    this.code = code;
  }
}

export interface ListenerGroupOptions {
  log: Logger;
  tls: TlsProvider;
  limits: ConnectionLimits;
  /** How long a client may take to send its PROXY header. */
  proxyHeaderTimeoutMs?: number;
  /** How long an implicit-TLS handshake may take. */
  tlsHandshakeTimeoutMs?: number;
  /** Sources refused at connect with reason 'banned' (the real client, after any PROXY header). */
  isBanned?: (remoteAddress: string) => boolean | Promise<boolean>;
  /**
   * The primary of several workers (src/startup/workers/): accepted sockets are passed
   * on untouched (paused, not a byte read) instead of served here.
   */
  handOver?: (listener: string, socket: Socket) => void;
}

/** A session's last replies get this long to reach a refused client before the socket goes. */
const REFUSAL_LINGER_MS = 5_000;
/** After the grace period, destroyed sessions get this long to unwind their handlers. */
const UNWIND_MS = 2_000;

export class ListenerGroup {
  private readonly log: Logger;
  private readonly tls: TlsProvider;
  private readonly limits: ConnectionLimits;
  private readonly proxyHeaderTimeoutMs: number;
  private readonly tlsHandshakeTimeoutMs: number;
  private readonly isBanned: ((remoteAddress: string) => boolean | Promise<boolean>) | undefined;
  private readonly handOver: ((listener: string, socket: Socket) => void) | undefined;
  private readonly servers: Server[] = [];
  /** Accepted sockets not yet closed, with how to end each at once. */
  private readonly open = new Map<Socket, () => void>();
  /** Sessions whose handler is running. */
  private readonly sessions = new Map<Connection, Promise<void>>();
  /** The accepted sockets of those sessions. */
  private readonly sessionSockets = new Set<Socket>();
  private closing = false;

  constructor(o: ListenerGroupOptions) {
    this.log = o.log;
    this.tls = o.tls;
    this.limits = o.limits;
    this.proxyHeaderTimeoutMs = o.proxyHeaderTimeoutMs ?? 10_000;
    this.tlsHandshakeTimeoutMs = o.tlsHandshakeTimeoutMs ?? 30_000;
    this.isBanned = o.isBanned;
    this.handOver = o.handOver;
  }

  /**
   * A service whose sockets another process accepts and passes here (a worker's
   * listeners, src/startup/workers/): each one is served as if accepted by this group.
   */
  attach(spec: ListenerSpec, handler: ConnectionHandler): (socket: Socket) => void {
    return (socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      this.accept(spec, handler, socket);
    };
  }

  /** Binds every address of a service. Throws ListenError naming the service if one cannot be bound. */
  async listen(spec: ListenerSpec, handler: ConnectionHandler): Promise<BoundListener[]> {
    if (this.closing) throw new ListenError(`${spec.name}: the listener group is closed`, undefined);
    const bound: BoundListener[] = [];
    const addresses = spec.addresses.length > 0 ? spec.addresses : [null];
    for (const address of addresses) {
      const { server, info } = await this.bind(spec, handler, address);
      this.servers.push(server);
      bound.push({ name: spec.name, address: info.address, port: info.port });
    }
    return bound;
  }

  /** Connections accepted and not yet closed (including those still in PROXY or TLS set-up). */
  activeConnections(): number {
    return this.open.size;
  }

  /**
   * Stops accepting, lets running sessions finish for up to graceMs, then ends the
   * rest. Resolves when every socket is closed.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const serversClosed = Promise.all(this.servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    // Sockets still in set-up have no session to finish.
    for (const [socket, end] of this.open) if (!this.sessionSockets.has(socket)) end();

    const running = [...this.sessions.values()];
    if (running.length > 0) {
      const finished = await settleWithin(Promise.all(running), graceMs);
      if (!finished) {
        this.log.info({ sessions: this.sessions.size }, 'grace period over; closing the remaining sessions');
        for (const conn of this.sessions.keys()) conn.destroy();
        await settleWithin(Promise.all([...this.sessions.values()]), UNWIND_MS);
      }
    }
    for (const end of this.open.values()) end();
    // A handed-over socket stays its server's until the worker that got it closes it
    // (Node asks the workers before calling back): the primary, which stops the
    // workers after this, must not wait for that. Its listening sockets are closed now.
    if (!this.handOver) await serversClosed;
  }

  private async bind(spec: ListenerSpec, handler: ConnectionHandler, address: string | null): Promise<{ server: Server; info: AddressInfo }> {
    if (address !== null) return this.bindOne(spec, handler, { host: address, port: spec.port });
    try {
      // All addresses: one dual-stack socket takes IPv4 too (as ::ffff:a.b.c.d).
      return await this.bindOne(spec, handler, { host: '::', port: spec.port, ipv6Only: false });
    } catch (error) {
      const code = (error as ListenError).code;
      if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL' && code !== 'EINVAL') throw error;
      this.log.info({ service: spec.name, code }, 'IPv6 is not available; listening on IPv4 only');
      return this.bindOne(spec, handler, { host: '0.0.0.0', port: spec.port });
    }
  }

  private bindOne(spec: ListenerSpec, handler: ConnectionHandler, options: { host: string; port: number; ipv6Only?: boolean }): Promise<{ server: Server; info: AddressInfo }> {
    const handOver = this.handOver;
    const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000, pauseOnConnect: handOver !== undefined }, (socket) =>
      handOver ? handOver(spec.name, socket) : this.accept(spec, handler, socket),
    );
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(new ListenError(`${spec.name}: cannot listen on ${options.host} port ${options.port}: ${error.message}`, error.code, { cause: error }));
      };
      const onListening = () => {
        server.off('error', onError);
        // Later errors (EMFILE when accepting) must be logged, not thrown.
        server.on('error', (error) => this.log.error({ service: spec.name, err: error.message }, 'listener error'));
        resolve({ server, info: server.address() as AddressInfo });
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(options);
    });
  }

  private accept(spec: ListenerSpec, handler: ConnectionHandler, raw: Socket): void {
    // From now on an error on this socket is never unhandled, whatever phase it is in.
    raw.on('error', (error) => this.log.debug({ service: spec.name, err: error.message }, 'socket error'));
    this.open.set(raw, () => raw.destroy());
    raw.once('close', () => this.open.delete(raw));
    this.serve(spec, handler, raw).catch((error: unknown) => {
      this.log.error({ service: spec.name, err: error }, 'connection set-up failed');
      raw.destroy();
    });
  }

  private async serve(spec: ListenerSpec, handler: ConnectionHandler, raw: Socket): Promise<void> {
    const log = this.log.child({ service: spec.name });
    const peer = {
      remoteAddress: normalizeAddress(raw.remoteAddress ?? ''),
      remotePort: raw.remotePort ?? 0,
      localAddress: normalizeAddress(raw.localAddress ?? ''),
      localPort: raw.localPort ?? 0,
    };
    if (this.closing) return this.refuse(raw, handler, 'shutting-down', log, peer.remoteAddress);

    // The PROXY header comes before anything else, TLS included.
    let address: PeerAddress = peer;
    let early: Buffer | undefined;
    if (spec.proxyProtocol) {
      // Only a trusted balancer may name the client (Dovecot's haproxy_trusted_networks):
      // anyone else could claim 127.0.0.1. Nothing is read from the others.
      if (!spec.proxyTrusted?.contains(peer.remoteAddress)) {
        log.warn({ remote: peer.remoteAddress }, 'connection to a PROXY protocol listener from outside proxy_trusted_networks; closing');
        raw.destroy();
        return;
      }
      try {
        const { header, rest } = await readProxyHeader(raw, this.proxyHeaderTimeoutMs);
        if (header.source && header.destination) {
          address = { remoteAddress: header.source.address, remotePort: header.source.port, localAddress: header.destination.address, localPort: header.destination.port };
        }
        early = rest;
      } catch (error) {
        log.debug({ remote: peer.remoteAddress, err: (error as Error).message }, 'bad PROXY header; closing');
        raw.destroy();
        return;
      }
    }

    const banned = (await this.isBanned?.(address.remoteAddress)) === true;
    const slot = this.closing ? ({ ok: false, reason: 'shutting-down' } as const) : banned ? ({ ok: false, reason: 'banned' } as const) : this.limits.acquire(address.remoteAddress, spec.name);
    let socket: Socket = raw;
    if (spec.implicitTls) {
      // The ClientHello may have come with the PROXY header; TLS reads it from the socket.
      if (early && early.length > 0) raw.unshift(early);
      early = undefined;
      try {
        const secure = await acceptTls(raw, this.tls, this.tlsHandshakeTimeoutMs);
        socket = secure;
        this.open.set(raw, () => secure.destroy());
        secure.once('close', () => this.open.delete(raw));
      } catch (error) {
        if (slot.ok) slot.lease.release();
        log.debug({ remote: address.remoteAddress, err: (error as Error).message }, 'implicit TLS handshake failed; closing');
        return;
      }
    }
    // A refusal is said in the protocol (over TLS on implicit-TLS ports), then the socket closes.
    if (!slot.ok) return this.refuse(socket, handler, slot.reason, log, address.remoteAddress, 'scope' in slot ? slot.scope : 'server');

    const conn = new Connection(socket, log, { address, initialData: early });
    conn.attachLease(slot.lease);
    conn.onClose(() => this.open.delete(raw));
    conn.log.debug({ remote: conn.remoteAddress, port: conn.remotePort, tls: conn.tls?.protocol ?? null }, 'connected');
    const startedAt = Date.now();
    const session = this.runSession(handler, conn);
    trackSession(spec.name, raw, session);
    this.sessions.set(conn, session);
    this.sessionSockets.add(raw);
    try {
      await session;
    } finally {
      this.sessions.delete(conn);
      this.sessionSockets.delete(raw);
      slot.lease.release();
      // Close gracefully, so replies still queued reach the client; Connection destroys it later if needed.
      if (!conn.isClosed) conn.close();
      conn.log.debug({ remote: conn.remoteAddress, ms: Date.now() - startedAt }, 'disconnected');
    }
  }

  private async runSession(handler: ConnectionHandler, conn: Connection): Promise<void> {
    try {
      await handler.handle(conn);
    } catch (error) {
      conn.log.error({ err: error }, 'session failed');
    }
  }

  private refuse(socket: Socket, handler: ConnectionHandler, reason: RefusalReason, log: Logger, remote: string, scope: 'server' | 'service' = 'server'): void {
    log.info({ remote, reason, scope, active: this.limits.active }, 'connection refused');
    let line = '';
    try {
      line = handler.refusal(reason);
    } catch (error) {
      log.error({ err: error }, 'refusal text failed');
    }
    socket.resume(); // discard whatever the client sends meanwhile
    socket.end(line);
    setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref();
  }
}

/** Whether `promise` settled within `ms`. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
