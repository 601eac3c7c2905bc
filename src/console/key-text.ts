// Public keys as the user pastes them: OpenSSH lines ("ssh-ed25519 AAAA... comment",
// the authorized_keys format of sshd(8) without options). The full set of formats
// (RFC 4716, PuTTY .ppk, options) is src/core/keys/, which this defers to once merged.

import { createHash } from 'node:crypto';
import { failure } from './replies.ts';

export interface ParsedKey {
  algorithm: string;
  publicKey: Buffer;
  fingerprint: string;
  comment: string;
}

const ALGORITHMS = new Set(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);

export function parseKeyText(text: string): ParsedKey[] {
  const keys: ParsedKey[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [algorithm, data, ...comment] = line.split(/\s+/);
    if (!algorithm || !ALGORITHMS.has(algorithm) || !data) throw failure('not an OpenSSH public key line (ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa)');
    const blob = Buffer.from(data, 'base64');
    // RFC 4253 §6.6: the blob starts with the algorithm name as an SSH string.
    const nameLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
    if (nameLength !== algorithm.length || blob.toString('latin1', 4, 4 + nameLength) !== algorithm || blob.toString('base64') !== data.replace(/=+$/, '') + '='.repeat((4 - (data.replace(/=+$/, '').length % 4)) % 4)) {
      throw failure(`the key data does not match its type ${algorithm}`);
    }
    const fingerprint = 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
    keys.push({ algorithm, publicKey: blob, fingerprint, comment: comment.join(' ') });
  }
  if (keys.length === 0) throw failure('no key given');
  return keys;
}
