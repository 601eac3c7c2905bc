// Header text Septet writes for people: RFC 2047 encoded words for non-ASCII Subject
// and display names (UTF-8, "B" encoding, each word at most 75 characters, §2), RFC
// 5322 §3.2.3-3.2.4 phrases (atoms or quoted strings), §2.2.3 folding so lines stay
// within 78 characters, and RFC 2231 parameter values (charset, percent-encoding and
// continuations) for non-ASCII or long file names.

/** RFC 2047 §2: an encoded word is at most 75 characters. "=?UTF-8?B?" + "?=" is 12 of them. */
const MAX_WORD = 75;
const WORD_OVERHEAD = '=?UTF-8?B?'.length + '?='.length;
/** Whole octets of UTF-8 per word: base64 of n octets is 4*ceil(n/3) characters. */
const WORD_OCTETS = Math.floor((MAX_WORD - WORD_OVERHEAD) / 4) * 3;
/** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters. */
const LINE = 78;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Whether `text` can be written as it is in an unstructured field (no control, no 8-bit, nothing that looks encoded). */
function isPlainText(text: string): boolean {
  return PRINTABLE_ASCII.test(text) && !text.includes('=?');
}

/**
 * Encoded words for `text` (RFC 2047 §4.1 "B"), split between characters so that no
 * UTF-8 sequence is cut (§5 rule: each word must be decodable on its own).
 */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let octets: Buffer[] = [];
  let size = 0;
  const flush = () => {
    if (size === 0) return;
    words.push(`=?UTF-8?B?${Buffer.concat(octets).toString('base64')}?=`);
    octets = [];
    size = 0;
  };
  for (const char of text) {
    const bytes = Buffer.from(char, 'utf8');
    if (size + bytes.length > WORD_OCTETS) flush();
    octets.push(bytes);
    size += bytes.length;
  }
  flush();
  return words;
}

/** An unstructured field value (Subject): as written when plain ASCII, else encoded words. */
export function encodeUnstructured(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ');
  if (isPlainText(clean)) return clean;
  return encodedWords(clean).join(' ');
}

/** A display name as an RFC 5322 phrase: atoms, a quoted string, or encoded words (RFC 2047 §5 (3)). */
export function encodePhrase(name: string): string {
  const clean = name.replace(/[\r\n]+/g, ' ').trim();
  if (!isPlainText(clean)) return encodedWords(clean).join(' ');
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(clean) && !/ {2}/.test(clean)) return clean;
  return `"${clean.replace(/[\\"]/g, '\\$&')}"`;
}

export interface HeaderAddress {
  name?: string | null;
  /** An ASCII addr-spec ("bob@example.org"). */
  address: string;
}

/** "Name <addr>" or "addr". */
export function formatAddress(a: HeaderAddress): string {
  return a.name && a.name.trim() !== '' ? `${encodePhrase(a.name)} <${a.address}>` : a.address;
}

/**
 * "Name: value" CRLF-terminated, folded at blanks (RFC 5322 §2.2.3) so that lines stay
 * within 78 characters where the value has blanks to fold at. Encoded words are
 * separated by blanks, so they fold too.
 */
export function foldField(name: string, value: string): string {
  const tokens = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const token of tokens) {
    if (line.length + 1 + token.length > LINE && line.trim() !== `${name}:`) {
      lines.push(line);
      line = ` ${token}`;
    } else {
      line += ` ${token}`;
    }
  }
  lines.push(line);
  return `${lines.join('\r\n')}\r\n`;
}

/** A list of addresses as one folded field; the commas end lines where it folds. */
export function addressField(name: string, addresses: readonly HeaderAddress[]): string {
  return foldField(name, addresses.map(formatAddress).join(', '));
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
/** RFC 2231 §7 attribute-char: a token character except "*", "'" and "%". */
const ATTRIBUTE_CHAR = /[!#$&+\-.0-9A-Z^_`a-z{|}~]/;
/** Characters of a parameter segment per line, leaving room for the name and punctuation. */
const SEGMENT = 60;

/**
 * A parameter as one or more `name=value` segments (joined by the caller with ";" and
 * folding). Plain ASCII within a line: a token or a quoted string. Non-ASCII: RFC
 * 2231 §4 `name*=utf-8''%E2%82%AC.txt`. Long values: §3 continuations `name*0*=`,
 * `name*1*=`, each a complete percent-encoded run.
 */
export function parameterSegments(name: string, value: string): string[] {
  const ascii = PRINTABLE_ASCII.test(value);
  if (ascii && value.length <= SEGMENT) return [`${name}=${TOKEN.test(value) ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`}`];
  const encoded: string[] = [];
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded.push(byte < 0x80 && ATTRIBUTE_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  const pieces: string[] = [];
  let piece = "utf-8''";
  for (const e of encoded) {
    if (piece.length + e.length > SEGMENT) {
      pieces.push(piece);
      piece = '';
    }
    piece += e;
  }
  pieces.push(piece);
  if (pieces.length === 1) return [`${name}*=${pieces[0]}`];
  return pieces.map((p, i) => `${name}*${i}*=${p}`);
}

/** "type/subtype" followed by parameters, each on its own folded line. */
export function withParameters(value: string, params: ReadonlyArray<readonly [string, string]>): string {
  const segments = params.flatMap(([n, v]) => parameterSegments(n, v));
  return [value, ...segments].join(';\r\n\t');
}
