// Turns a certificate chain and key into a SecureContext with Septet's TLS policy,
// and checks them on the way: a key that does not match its certificate, or a file
// that is not PEM, is refused here rather than at the first client's handshake.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';

export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

export class CertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateError';
  }
}

export interface LoadedCertificate {
  context: SecureContext;
  certPem: string;
  /** SHA-256 fingerprint of the leaf certificate, "AB:CD:...". */
  fingerprint: string;
  subject: string;
  validTo: Date;
  certFile: string;
  keyFile: string;
}

export interface ContextPolicy {
  minVersion: TlsMinVersion;
  /** Node's `ciphers` list: TLS 1.3 suites then TLS 1.2 ciphers (see cipher-policy.ts). */
  ciphers: string;
  /**
   * Session-ticket keys shared by every context of the server, so a TLS session can
   * be resumed whichever certificate served it and across reloads (FTPS data
   * connections resume the control connection's session).
   */
  ticketKeys: Buffer;
}

export async function loadCertificate(certFile: string, keyFile: string, policy: ContextPolicy): Promise<LoadedCertificate> {
  let certPem: string;
  let keyPem: string;
  try {
    [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (error) {
    throw new CertificateError(`cannot read ${certFile} / ${keyFile}: ${(error as Error).message}`, { cause: error });
  }
  return buildCertificate(certPem, keyPem, policy, certFile, keyFile);
}

export function buildCertificate(certPem: string, keyPem: string, policy: ContextPolicy, certFile = '', keyFile = ''): LoadedCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
  } catch (error) {
    throw new CertificateError(`${certFile || 'certificate'}: not a PEM certificate (${(error as Error).message})`, { cause: error });
  }
  let context: SecureContext;
  try {
    context = createSecureContext({
      cert: certPem,
      key: keyPem,
      // Only TLS 1.2 and 1.3 (RFC 8996 retires 1.0 and 1.1; RFC 8314 §4.1 asks for 1.2 or later).
      minVersion: policy.minVersion,
      maxVersion: 'TLSv1.3',
      // ECDHE + AEAD only (cipher-policy.ts), and our order wins over the client's
      // (RFC 9325 §4.2: the server should choose by its own preference).
      ciphers: policy.ciphers,
      honorCipherOrder: true,
      sessionIdContext: 'septet',
      ticketKeys: policy.ticketKeys,
    });
  } catch (error) {
    // OpenSSL says "key values mismatch" when the key is not the certificate's.
    throw new CertificateError(`${certFile || 'certificate'} / ${keyFile || 'key'}: ${(error as Error).message}`, { cause: error });
  }
  return {
    context,
    certPem,
    fingerprint: leaf.fingerprint256,
    subject: leaf.subject.replace(/\n/g, ', '),
    validTo: new Date(leaf.validTo),
    certFile,
    keyFile,
  };
}
