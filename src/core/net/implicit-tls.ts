// Server side of a TLS handshake on a socket that was just accepted (implicit TLS,
// RFC 8314 §3.3: the handshake comes first, before any protocol greeting).

import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { TlsProvider } from './connection.ts';

export class TlsHandshakeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlsHandshakeError';
  }
}

/**
 * Wraps `raw` in a server TLSSocket (certificate chosen by SNI through `provider`)
 * and resolves once the handshake is done. On failure or timeout the socket is
 * destroyed and the promise rejects with TlsHandshakeError; nothing is thrown at the
 * event loop. Octets unshifted into `raw` beforehand are fed to TLS first.
 */
export function acceptTls(raw: Socket, provider: TlsProvider, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    let secure: TLSSocket;
    try {
      secure = new TLSSocket(raw, {
        isServer: true,
        secureContext: provider.contextFor(undefined),
        SNICallback: (servername, callback) => {
          try {
            callback(null, provider.contextFor(servername));
          } catch (error) {
            callback(error as Error, undefined);
          }
        },
        requestCert: false,
        rejectUnauthorized: false,
      });
    } catch (error) {
      raw.destroy();
      reject(new TlsHandshakeError(`cannot start TLS: ${(error as Error).message}`, { cause: error }));
      return;
    }
    const timer = setTimeout(() => fail(new TlsHandshakeError('TLS handshake timed out')), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      secure.off('secure', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
    };
    const fail = (error: Error) => {
      cleanup();
      // Keep a listener so a late error on the dead socket cannot become uncaught.
      secure.on('error', () => {});
      secure.destroy();
      raw.destroy();
      reject(error);
    };
    const onSecure = () => {
      cleanup();
      resolve(secure);
    };
    const onError = (error: Error) => fail(new TlsHandshakeError(`TLS handshake failed: ${error.message}`, { cause: error }));
    const onClose = () => fail(new TlsHandshakeError('connection closed during the TLS handshake'));
    secure.once('secure', onSecure);
    secure.on('error', onError);
    secure.once('close', onClose);
  });
}
