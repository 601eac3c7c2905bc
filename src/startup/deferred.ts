// Listeners are bound (as root, for ports below 1024) before the store, the
// certificates and the privilege drop are ready. Until then a connection waits in a
// DeferredHandler, and an implicit-TLS handshake has no context to use.

import type { ConnectionHandler, RefusalReason } from '../core/net/listener.ts';
import type { TlsProvider } from '../core/net/connection.ts';
import type { Connection } from '../core/net/connection.ts';

/** Holds connections until the service's real handler is set. */
export class DeferredHandler implements ConnectionHandler {
  private handler: ConnectionHandler | null = null;
  private readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private readonly startingRefusal: (reason: RefusalReason) => string;

  /** `startingRefusal`: what a refused client hears before the real handler exists. */
  constructor(startingRefusal: (reason: RefusalReason) => string) {
    this.startingRefusal = startingRefusal;
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  set(handler: ConnectionHandler): void {
    this.handler = handler;
    this.resolveReady();
  }

  async handle(conn: Connection): Promise<void> {
    await this.ready;
    return this.handler!.handle(conn);
  }

  refusal(reason: RefusalReason): string {
    return this.handler ? this.handler.refusal(reason) : this.startingRefusal(reason);
  }
}

/** TLS contexts are asked for by implicit-TLS listeners; before start-up ends there are none. */
export class DeferredTls implements TlsProvider {
  target: TlsProvider | null = null;
  contextFor(servername: string | undefined) {
    if (!this.target) throw new Error('TLS is not ready yet');
    return this.target.contextFor(servername);
  }
}
