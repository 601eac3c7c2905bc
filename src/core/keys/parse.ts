// One entry for every public key format Septet accepts (`septet ssh key add`, the
// console's key commands, later the web console): the format is told from the text.
//   - an OpenSSH public key line or an authorized_keys file (authorized-keys.ts)
//   - RFC 4716 "---- BEGIN SSH2 PUBLIC KEY ----" blocks (rfc4716.ts)
//   - a PuTTY .ppk file, version 2 or 3: its public part (ppk.ts)
// Private key files are refused with a hint, never read.

import { parseAuthorizedKeys, type AuthorizedKey } from './authorized-keys.ts';
import { KeyFormatError } from './errors.ts';
import { looksLikePpk, parsePpkPublic } from './ppk.ts';
import { looksLikeRfc4716, parseRfc4716 } from './rfc4716.ts';

/** Larger input is refused before parsing (an authorized_keys file of ~100 RSA 4096 keys fits). */
export const KEY_TEXT_MAX = 1 << 20;

export type KeyFormat = 'openssh' | 'rfc4716' | 'ppk';

export interface ParsedKeys {
  format: KeyFormat;
  keys: AuthorizedKey[];
}

export function parsePublicKeys(input: string | Buffer): ParsedKeys {
  if (input.length > KEY_TEXT_MAX) throw new KeyFormatError(`more than ${KEY_TEXT_MAX} octets: not a public key file`);
  const text = (typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input)).replace(/^\uFEFF/, '');
  if (text.includes('\0')) throw new KeyFormatError('binary data: not a public key file');
  if (looksLikePpk(text)) return { format: 'ppk', keys: [{ ...parsePpkPublic(text), notes: [] }] };
  if (looksLikeRfc4716(text)) return { format: 'rfc4716', keys: parseRfc4716(text).map((key) => ({ ...key, notes: [] })) };
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (pem) {
    if (/PRIVATE KEY/.test(pem[1]!)) throw new KeyFormatError('this is a private key: give its public key instead (the .pub file, or `ssh-keygen -y -f KEY`)');
    throw new KeyFormatError(`a PEM "${pem[1]}" is not an SSH public key: convert it with \`ssh-keygen -i -m PKCS8 -f FILE\``);
  }
  if (/^SSH PRIVATE KEY FILE FORMAT 1\.1/.test(text)) throw new KeyFormatError('this is an SSH-1 private key: SSH-1 keys are not supported');
  return { format: 'openssh', keys: parseAuthorizedKeys(text) };
}
