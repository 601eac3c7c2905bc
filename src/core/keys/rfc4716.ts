// RFC 4716 "SSH2 PUBLIC KEY" blocks, as PuTTYgen's "Save public key" and
// `ssh-keygen -e` write them:
//
//   ---- BEGIN SSH2 PUBLIC KEY ----
//   Comment: "rsa-key-20261203"
//   AAAAB3NzaC1yc2EAAAADAQABAAABAQ...
//   ---- END SSH2 PUBLIC KEY ----
//
// §3.1: any of CR, LF or CRLF ends a line. §3.3: headers are "Tag: value", the tag
// case-insensitive; a line ending in "\" continues on the next. §3.3.2: the Comment
// value may be in double quotes (removed). §3.4: the body is the base64 blob, over lines.

import { KeyFormatError } from './errors.ts';
import { publicKeyFromBlob, type PublicKey } from './public-key.ts';
import { decodeBase64 } from './wire.ts';

export const RFC4716_BEGIN = '---- BEGIN SSH2 PUBLIC KEY ----';
export const RFC4716_END = '---- END SSH2 PUBLIC KEY ----';
/** §3.3: header values are at most 1024 octets; a little more for continuations. */
const HEADER_MAX = 4096;

export function looksLikeRfc4716(text: string): boolean {
  return text.includes(RFC4716_BEGIN);
}

/** Every block of the text; text outside the blocks must be blank. */
export function parseRfc4716(text: string): PublicKey[] {
  const lines = text.split(/\r\n|\n|\r/);
  const keys: PublicKey[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!.trim();
    i++;
    if (line === '') continue;
    if (line !== RFC4716_BEGIN) throw new KeyFormatError(`line ${i}: expected "${RFC4716_BEGIN}"`);
    const start = i;
    let comment = '';
    // Headers: lines with a ":" until the first without one (base64 has no ":").
    while (i < lines.length && lines[i]!.includes(':')) {
      let header = lines[i]!;
      i++;
      while (header.endsWith('\\')) {
        if (i >= lines.length) throw new KeyFormatError(`line ${i}: a header continues past the end`);
        header = header.slice(0, -1) + lines[i]!;
        i++;
        if (header.length > HEADER_MAX) throw new KeyFormatError(`line ${i}: header too long`);
      }
      const colon = header.indexOf(':');
      const tag = header.slice(0, colon);
      if (!/^[\x21-\x39\x3b-\x7e]{1,64}$/.test(tag)) throw new KeyFormatError(`line ${i}: bad header tag`);
      const value = header.slice(colon + 1).replace(/^ /, '');
      if (value.length > HEADER_MAX) throw new KeyFormatError(`line ${i}: header too long`);
      if (tag.toLowerCase() === 'comment') comment = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
    let body = '';
    for (;;) {
      if (i >= lines.length) throw new KeyFormatError(`line ${start}: the block has no "${RFC4716_END}"`);
      const bodyLine = lines[i]!.trim();
      i++;
      if (bodyLine === RFC4716_END) break;
      body += bodyLine.replace(/[ \t]+/g, '');
      if (body.length > 65_536) throw new KeyFormatError(`line ${i}: the key data is too long`);
    }
    if (body === '') throw new KeyFormatError(`line ${start}: the block holds no key data`);
    try {
      keys.push(publicKeyFromBlob(decodeBase64(body, 'the key data'), comment));
    } catch (error) {
      if (error instanceof KeyFormatError) throw new KeyFormatError(`line ${start}: ${error.message}`);
      throw error;
    }
  }
  if (keys.length === 0) throw new KeyFormatError('no SSH2 PUBLIC KEY block');
  return keys;
}

/** One block, 70 characters a line (§3: at most 72 octets), comment quoted as PuTTYgen writes it. */
export function formatRfc4716(key: Pick<PublicKey, 'blob' | 'comment'>): string {
  const lines = [RFC4716_BEGIN];
  if (key.comment) {
    let header = `Comment: "${key.comment.replace(/"/g, "'")}"`;
    while (header.length > 72) {
      lines.push(header.slice(0, 71) + '\\');
      header = header.slice(71);
    }
    lines.push(header);
  }
  const base64 = key.blob.toString('base64');
  for (let at = 0; at < base64.length; at += 70) lines.push(base64.slice(at, at + 70));
  lines.push(RFC4716_END);
  return lines.join('\n') + '\n';
}
