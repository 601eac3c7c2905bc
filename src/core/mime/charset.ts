// Charset to UTF-8 decoding through the WHATWG TextDecoder that Node ships (full ICU:
// utf-8, koi8-r, windows-125x, iso-8859-x, gbk, shift_jis, ...). Never throws: bad
// octets become U+FFFD (fatal: false), and an unknown charset name falls back to
// UTF-8 when the octets are valid UTF-8, else windows-1252 (what most unlabeled
// 8-bit mail turns out to be).

import { isUtf8 } from 'node:buffer';

/** Charset names seen in mail that the WHATWG label list spells differently. */
const ALIASES: Record<string, string> = {
  'utf8': 'utf-8',
  'ks_c_5601-1987': 'euc-kr',
  'x-user-defined': 'windows-1252',
  'cp1251': 'windows-1251',
  'cp1252': 'windows-1252',
  'cp866': 'ibm866',
  'x-mac-cyrillic': 'x-mac-cyrillic',
  'iso-8859-8-i': 'iso-8859-8-i',
};

// Decoders are stateless between decode() calls without {stream: true}, so one per
// label can be shared.
const decoders = new Map<string, TextDecoder | null>();

/** A decoder for the charset label, or null when Node does not know it. */
export function decoderFor(charset: string): TextDecoder | null {
  const label = normalizeCharset(charset);
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label, { fatal: false });
    } catch {
      decoder = null;
    }
    if (decoders.size < 256) decoders.set(label, decoder);
  }
  return decoder;
}

/** Lowercased, trimmed, RFC 2231 language suffix ("utf-8*en") dropped, aliases applied. */
export function normalizeCharset(charset: string): string {
  let label = charset.trim().toLowerCase();
  const star = label.indexOf('*');
  if (star >= 0) label = label.slice(0, star);
  if (label.startsWith('"') && label.endsWith('"') && label.length >= 2) label = label.slice(1, -1);
  return ALIASES[label] ?? label;
}

/** Whether Node can decode this charset (for SEARCH CHARSET, RFC 3501 §6.4.4 BADCHARSET). */
export function isKnownCharset(charset: string): boolean {
  return decoderFor(charset) !== null;
}

/**
 * Decodes octets in the given charset (null: unlabeled) to a JS string. Unlabeled or
 * unknown: UTF-8 when valid, else windows-1252.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | null): string {
  const decoder = charset === null ? null : decoderFor(charset);
  if (decoder !== null) {
    // us-ascii is labelled windows-1252 by WHATWG; 8-bit octets under a us-ascii label
    // are nearly always UTF-8 in practice, so prefer that when it is valid.
    if (decoder.encoding === 'windows-1252' && isUtf8(bytes) && hasHighBit(bytes)) return utf8.decode(bytes);
    return decoder.decode(bytes);
  }
  return isUtf8(bytes) ? utf8.decode(bytes) : latin.decode(bytes);
}

/** A text value from header octets: UTF-8 when valid (RFC 6532), else windows-1252. */
export function decodeHeaderOctets(bytes: Uint8Array): string {
  if (!hasHighBit(bytes)) return latin.decode(bytes);
  return isUtf8(bytes) ? utf8.decode(bytes) : latin.decode(bytes);
}

function hasHighBit(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return true;
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin = new TextDecoder('windows-1252', { fatal: false });
