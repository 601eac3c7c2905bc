// One throwaway self-signed certificate for "localhost" per test process, as a
// TlsProvider (and its PEM, for servers that want cert and key). Test-only.

import { createSecureContext } from 'node:tls';
import type { TlsProvider } from '../net/connection.ts';
import { generateSelfSigned } from '../tls/self-signed.ts';

export interface TestTls extends TlsProvider {
  certPem: string;
  keyPem: string;
}

let shared: Promise<TestTls> | null = null;

export function testTls(): Promise<TestTls> {
  return (shared ??= generateSelfSigned('localhost').then(({ certPem, keyPem }) => {
    const context = createSecureContext({ cert: certPem, key: keyPem });
    return { contextFor: () => context, certPem, keyPem };
  }));
}
