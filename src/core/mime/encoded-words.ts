// RFC 2047 encoded-word decoding ("=?charset?B|Q?text?=") for header text: Subject,
// display names, Content-Description. Tolerant the way mail readers are: encoded
// words glued to other text are decoded too, whitespace between adjacent encoded
// words is dropped (§6.2), and adjacent words in one charset are joined before the
// charset decode so a multi-octet character split across two words survives.

import { decodeCharset } from './charset.ts';

// charset may carry an RFC 2231 §5 language ("utf-8*en"); the text has no '?' or space.
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decodes every encoded word in an (unfolded) header value. */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  let out = '';
  let last = 0;
  // The octets of a run of adjacent encoded words in one charset, decoded together.
  let runCharset: string | null = null;
  let runBytes: Buffer[] = [];
  const flushRun = () => {
    if (runCharset !== null) out += decodeCharset(Buffer.concat(runBytes), runCharset);
    runCharset = null;
    runBytes = [];
  };
  for (const match of text.matchAll(ENCODED_WORD)) {
    const between = text.slice(last, match.index);
    const adjacent = runCharset !== null && /^[ \t\r\n]*$/.test(between);
    if (!adjacent) {
      flushRun();
      out += between;
    }
    const charset = match[1]!.toLowerCase();
    if (runCharset !== null && charset !== runCharset) flushRun();
    runCharset = charset;
    runBytes.push(match[2] === 'b' || match[2] === 'B' ? decodeBase64Word(match[3]!) : decodeQWord(match[3]!));
    last = match.index + match[0].length;
  }
  flushRun();
  return out + text.slice(last);
}

function decodeBase64Word(text: string): Buffer {
  // Node's base64 decoder ignores bad characters and missing padding.
  return Buffer.from(text, 'base64');
}

/** RFC 2047 §4.2: "_" is a space, "=XX" an octet; a stray "=" stays literal. */
function decodeQWord(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) {
      out[n++] = 0x20;
    } else if (c === 0x3d && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = c & 0xff;
    }
  }
  return out.subarray(0, n);
}

export function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
