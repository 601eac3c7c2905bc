// SASL helpers shared by SMTP AUTH (RFC 4954), IMAP AUTHENTICATE (RFC 3501 §6.2.2)
// and POP3 AUTH (RFC 5034): strict base64 and the PLAIN and LOGIN mechanisms.

export interface PlainCredentials {
  /** Identity to act as; '' when the client did not ask for one (RFC 4616 §2). */
  authzid: string;
  authcid: string;
  password: string;
}

/** RFC 4954 §4 / RFC 3501 §6.2.2: a line of just "*" cancels the exchange. */
export const isSaslCancel = (line: string): boolean => line.trim() === '*';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict base64 (RFC 4648 §4): the alphabet, padding only at the end, a length that
 * is a multiple of four. Node's decoder would silently skip junk, which would let
 * "malformed" input authenticate. "=" alone is the empty response (RFC 4954 §4).
 */
export function decodeSaslBase64(text: string): Buffer | null {
  const line = text.trim();
  if (line === '=') return Buffer.alloc(0);
  if (line.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(line)) return null;
  const bytes = Buffer.from(line, 'base64');
  // Reject non-canonical encodings (stray bits in the last character).
  return bytes.toString('base64') === line ? bytes : null;
}

export const encodeSaslBase64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd, base64-encoded on
 * the wire. Returns null for bad base64, a wrong number of NULs, an empty authcid or
 * password, or invalid UTF-8.
 */
export function decodePlain(base64: string): PlainCredentials | null {
  const bytes = decodeSaslBase64(base64);
  if (!bytes) return null;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0); i >= 0; i = bytes.indexOf(0, start)) {
    parts.push(bytes.subarray(start, i));
    start = i + 1;
  }
  parts.push(bytes.subarray(start));
  if (parts.length !== 3) return null;
  const [authzid, authcid, password] = parts.map(decodeUtf8);
  if (authzid == null || authcid == null || password == null) return null;
  if (authcid === '' || password === '') return null;
  // RFC 4616 §2: servers must accept up to 255 octets each; refuse absurd sizes.
  if (parts.some((part) => part.length > 1024)) return null;
  return { authzid, authcid, password };
}

/** The LOGIN mechanism (draft-murchison-sasl-login): two base64 prompts. */
export const LOGIN_USERNAME_PROMPT = encodeSaslBase64('Username:');
export const LOGIN_PASSWORD_PROMPT = encodeSaslBase64('Password:');

/** One LOGIN answer (user name or password): base64 UTF-8 text, or null when malformed. */
export function decodeLoginResponse(base64: string): string | null {
  const bytes = decodeSaslBase64(base64);
  if (!bytes || bytes.includes(0)) return null;
  return decodeUtf8(bytes);
}
