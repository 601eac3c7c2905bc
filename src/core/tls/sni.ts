// Extra certificates chosen by the server name the client asks for (SNI, RFC 6066 §3).

import { resolve } from 'node:path';
import { CertificateError } from './secure-context.ts';

export interface SniEntry {
  /** Lower-case host name, or "*.example.org" for any single label under example.org. */
  pattern: string;
  certFile: string;
  keyFile: string;
}

/** Parses one tls.sni setting, "mail.example.org=/etc/ssl/mail.pem:/etc/ssl/mail.key". */
export function parseSniEntry(spec: string): SniEntry {
  const eq = spec.indexOf('=');
  const files = spec.slice(eq + 1);
  const colon = files.lastIndexOf(':');
  const pattern = spec.slice(0, eq).trim().toLowerCase().replace(/\.$/, '');
  const certFile = files.slice(0, colon).trim();
  const keyFile = files.slice(colon + 1).trim();
  if (eq <= 0 || colon <= 0 || !pattern || !certFile || !keyFile) {
    throw new CertificateError(`tls.sni: expected "hostname=cert.pem:key.pem", got "${spec}"`);
  }
  if (!/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(pattern)) {
    throw new CertificateError(`tls.sni: "${pattern}" is not a host name or "*.domain" pattern`);
  }
  return { pattern, certFile: resolve(certFile), keyFile: resolve(keyFile) };
}

/**
 * Whether a pattern covers a server name: exact (case-insensitive), or a wildcard
 * "*.example.org" matching exactly one more label (RFC 6125 §6.4.3), so it covers
 * "mail.example.org" but neither "example.org" nor "a.b.example.org".
 */
export function sniMatches(pattern: string, servername: string): boolean {
  const name = servername.toLowerCase().replace(/\.$/, '');
  if (!pattern.startsWith('*.')) return pattern === name;
  const suffix = pattern.slice(1); // ".example.org"
  if (!name.endsWith(suffix)) return false;
  const label = name.slice(0, name.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}
