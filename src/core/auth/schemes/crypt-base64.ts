// The two base64 dialects of crypt(3) hashes. Both use "./" plus digits and letters,
// in different orders and with different bit orders, and neither pads.

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STANDARD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * SHA-crypt's "b64_from_24bit": each group of three bytes is one 24-bit number, the first
 * byte most significant, written six bits at a time starting with the least significant.
 * A last group of one or two bytes gives two or three characters.
 */
export function cryptBase64(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const group = bytes.subarray(i, i + 3);
    let word = 0;
    for (const byte of group) word = (word << 8) | byte;
    for (let n = 0; n <= group.length; n++, word >>>= 6) out += CRYPT_ALPHABET[word & 0x3f];
  }
  return out;
}

const translate = (text: string, from: string, to: string): string | null => {
  let out = '';
  for (const ch of text) {
    const index = from.indexOf(ch);
    if (index < 0) return null;
    out += to[index];
  }
  return out;
};

/** bcrypt's base64: the standard bit order with its own alphabet. */
export const bcryptBase64 = (bytes: Buffer): string => translate(bytes.toString('base64').replace(/=+$/, ''), STANDARD_ALPHABET, BCRYPT_ALPHABET)!;

/** null when `text` has a character outside bcrypt's alphabet. */
export function bcryptBase64Decode(text: string): Buffer | null {
  const standard = translate(text, BCRYPT_ALPHABET, STANDARD_ALPHABET);
  return standard === null ? null : Buffer.from(standard, 'base64');
}
