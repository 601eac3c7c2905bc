// The certificate Septet makes for itself when none is configured, so that STARTTLS
// and the implicit-TLS ports work from the first start. Clients will not trust it
// (it is self-signed), but the traffic is encrypted and the operator can swap in a
// real certificate later (tls.cert / tls.key) without anything else changing.

import { webcrypto, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata API
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface PemPair {
  certPem: string;
  keyPem: string;
}

const TEN_YEARS_MS = 10 * 365.25 * 24 * 3600 * 1000;
// ECDSA P-256: small, fast handshakes, supported by every TLS 1.2+ client.
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * A server certificate for `hostname` plus localhost, 127.0.0.1 and ::1 (so local
 * clients that check names can pin it), valid ten years.
 */
export async function generateSelfSigned(hostname: string): Promise<PemPair> {
  const name = hostname.trim().toLowerCase() || 'localhost';
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const altNames: x509.JsonGeneralName[] = [];
  const add = (type: 'dns' | 'ip', value: string) => {
    if (!altNames.some((n) => n.type === type && n.value === value)) altNames.push({ type, value });
  };
  add(isIP(name) ? 'ip' : 'dns', name);
  add('dns', 'localhost');
  add('ip', '127.0.0.1');
  add('ip', '::1');

  const notBefore = new Date(Date.now() - 60 * 60 * 1000); // an hour of slack for clock skew
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    // A JSON name, so a host name is never parsed as DN syntax.
    name: [{ CN: [name] }, { O: ['Septet self-signed'] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + TEN_YEARS_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem') + '\n', keyPem: toPem(pkcs8, 'PRIVATE KEY') };
}

/** 16 random octets, positive (RFC 5280 §4.1.2.2: at most 20 octets, non-negative). */
function randomSerial(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero octet
  return serial.toString('hex');
}

function toPem(der: Buffer, label: string): string {
  const base64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${base64}-----END ${label}-----\n`;
}
