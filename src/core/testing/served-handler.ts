// A protocol's ConnectionHandler served on a loopback port 0 for tests, handed its
// connections the way the real listener does (core/net/listener.ts): no Nagle delay,
// a Connection per socket with the peer address a test may pretend, and for implicit
// TLS (RFC 8314) the handshake done first (core/net/implicit-tls.ts). It keeps every
// session and socket, so that a fixture can wait for the sessions to end and close
// everything. Each protocol's test-support.ts builds its handler and serves it here.

import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.ts';
import { silentLogger } from '../log/logger.ts';
import { Connection, type PeerAddress, type TlsProvider } from '../net/connection.ts';
import { acceptTls } from '../net/implicit-tls.ts';
import type { ConnectionHandler } from '../net/listener.ts';

export interface ServeOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Implicit TLS: the handshake with this provider's certificate before the handler runs. */
  implicitTls?: TlsProvider;
  /** The peer address the next connection pretends to come from (undefined: the real one). */
  address?: () => PeerAddress | undefined;
  log?: Logger;
}

export class ServedHandler {
  readonly host: string;
  readonly port: number;
  private readonly running = new Set<Promise<void>>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(server: Server, host: string) {
    this.server = server;
    this.host = host;
    this.port = (server.address() as { port: number }).port;
  }

  static async start(handler: ConnectionHandler, options: ServeOptions = {}): Promise<ServedHandler> {
    const log = options.log ?? silentLogger();
    let served: ServedHandler | undefined;
    const onSocket = (socket: Socket) => {
      socket.setNoDelay(true);
      const address = options.address?.();
      const session = handler.handle(new Connection(socket, log, address ? { address } : {}));
      served!.running.add(session);
      void session.finally(() => served!.running.delete(session));
    };
    const tls = options.implicitTls;
    const server = createServer((raw) => {
      raw.on('error', () => {}); // a client that resets shows in its session, not here
      served!.sockets.add(raw);
      raw.once('close', () => served!.sockets.delete(raw));
      if (tls) acceptTls(raw, tls, 5000).then(onSocket, () => raw.destroy());
      else onSocket(raw);
    });
    const host = options.host ?? '127.0.0.1';
    server.listen(0, host);
    await once(server, 'listening');
    served = new ServedHandler(server, host);
    return served;
  }

  /** Sessions not ended yet. */
  get openSessions(): number {
    return this.running.size;
  }

  /** Resolves when every session so far has ended (locks released, replies sent). */
  async sessionsEnded(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Drops every connection, waits for the sessions to end and stops listening. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await this.sessionsEnded();
    await closed;
  }
}
