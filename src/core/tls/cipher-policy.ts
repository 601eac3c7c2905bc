// Which ciphers Septet offers. Mozilla's "intermediate" server profile
// (https://ssl-config.mozilla.org/guidelines/5.7.json) without its DHE suites:
// TLS 1.2 only with ECDHE key exchange (forward secrecy) and an AEAD cipher (AES-GCM,
// ChaCha20-Poly1305; RFC 9325 §4.2 recommends exactly these), so no CBC suites
// (Lucky Thirteen, padding oracles) and no static-RSA key exchange (ROBOT, no
// forward secrecy). TLS 1.3 suites are all AEAD (RFC 8446 §9.1). The server's order
// wins (honorCipherOrder), so a client offering a weaker suite first still gets ours.

import { createSecureContext } from 'node:tls';

/** tls.ciphers default: OpenSSL cipher list for TLS 1.2, in the server's order of preference. */
export const DEFAULT_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** tls.ciphersuites default: TLS 1.3 suites (RFC 8446 §B.4), in the server's order. */
export const DEFAULT_TLS13_CIPHERSUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'].join(':');

export class CipherPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CipherPolicyError';
  }
}

/**
 * Node's `ciphers` option for tls.ciphers (TLS 1.2, OpenSSL syntax) and
 * tls.ciphersuites (TLS 1.3): Node takes both in one list and tells them apart by the
 * "TLS_" prefix of 1.3 names, so each setting is checked to hold only its own kind.
 * Throws CipherPolicyError naming the setting when a list selects nothing.
 */
export function nodeCipherList(tls12: string, tls13: string): string {
  const entries12 = splitList(tls12);
  const entries13 = splitList(tls13);
  if (entries12.length === 0) throw new CipherPolicyError('tls.ciphers: empty; give at least one TLS 1.2 cipher (OpenSSL syntax)');
  if (entries13.length === 0) throw new CipherPolicyError('tls.ciphersuites: empty; give at least one TLS 1.3 suite (TLS_...)');
  const misplaced12 = entries12.find((e) => e.startsWith('TLS_'));
  if (misplaced12) throw new CipherPolicyError(`tls.ciphers: "${misplaced12}" is a TLS 1.3 suite; put it in tls.ciphersuites`);
  const misplaced13 = entries13.find((e) => !e.startsWith('TLS_'));
  if (misplaced13) throw new CipherPolicyError(`tls.ciphersuites: "${misplaced13}" is not a TLS 1.3 suite (TLS_...); TLS 1.2 ciphers go in tls.ciphers`);
  checkSelects('tls.ciphers', entries12.join(':'));
  checkSelects('tls.ciphersuites', entries13.join(':'));
  return [...entries13, ...entries12].join(':');
}

function splitList(list: string): string[] {
  return list
    .split(/[:,\s]+/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
}

/** OpenSSL refuses a list that matches no cipher ("no cipher match"); say which setting. */
function checkSelects(setting: string, list: string): void {
  try {
    createSecureContext({ ciphers: list });
  } catch (error) {
    throw new CipherPolicyError(`${setting}: "${list}" selects no cipher OpenSSL knows (${(error as Error).message})`);
  }
}
