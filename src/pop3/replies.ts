// POP3 replies: status lines, response codes and the texts Septet sends. Every reply
// line is built here, so the 512-octet rule and CR/LF hygiene hold everywhere.

/**
 * Extended response codes, announced with the RESP-CODES capability (RFC 2449 §8).
 * IN-USE and LOGIN-DELAY come from RFC 2449 §8.1; AUTH, SYS/TEMP and SYS/PERM from
 * RFC 3206 §4-5.
 */
export const ResponseCode = {
  /** RFC 2449 §8.1.2: credentials were right, but the maildrop is locked by another session. */
  inUse: 'IN-USE',
  /** RFC 2449 §8.1.1: the user may not log in again yet. */
  loginDelay: 'LOGIN-DELAY',
  /** RFC 3206 §5: the failure is about the credentials or the mechanism. */
  auth: 'AUTH',
  /** RFC 3206 §4: a temporary system problem; trying again later may work. */
  sysTemp: 'SYS/TEMP',
  /** RFC 3206 §4: a permanent system problem; retrying will not help. */
  sysPerm: 'SYS/PERM',
} as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

/** RFC 2449 §4: the first line of a response, CRLF included, is at most 512 octets. */
export const MAX_STATUS_LINE_OCTETS = 512;

/** A failure a command reports to the client as "-ERR [code] text"; the session goes on. */
export class Pop3Error extends Error {
  readonly code: ResponseCode | null;
  constructor(text: string, code: ResponseCode | null = null) {
    super(text);
    this.name = 'Pop3Error';
    this.code = code;
  }
}

/** "+OK text\r\n", sanitised and cut to 512 octets. */
export function okLine(text = ''): string {
  return statusLine('+OK', null, text);
}

/** "-ERR [code] text\r\n", sanitised and cut to 512 octets. */
export function errLine(text: string, code: ResponseCode | null = null): string {
  return statusLine('-ERR', code, text);
}

function statusLine(status: '+OK' | '-ERR', code: ResponseCode | null, text: string): string {
  // Text may carry client-supplied names: never let it break the line framing.
  const clean = text.replace(/[\x00-\x1f\x7f]/g, ' ');
  const head = code ? `${status} [${code}]` : status;
  const line = clean.length > 0 ? `${head} ${clean}` : head;
  return `${truncateUtf8(line, MAX_STATUS_LINE_OCTETS - 2)}\r\n`;
}

/** Cuts a string to at most `max` UTF-8 octets without splitting a character. */
export function truncateUtf8(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let end = max;
  // Step back over continuation octets (10xxxxxx) to the start of a character.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The texts of Septet's replies, named so that tests and commands share them. */
export const Text = {
  greeting: (hostname: string) => `${hostname} Septet POP3 ready`,
  signingOff: 'Septet POP3 server signing off',
  signingOffAfterUpdate: (deleted: number) => `Septet POP3 server signing off (${deleted} messages deleted)`,
  updateFailed: 'Some deleted messages not removed, try again later',
  capaFollows: 'Capability list follows',
  authMechanismsFollow: 'SASL mechanisms follow',
  userAccepted: 'Send PASS',
  passWithoutUser: 'Send USER first',
  loginFailed: 'Authentication failed',
  plaintextDisabled: 'Plaintext authentication is disabled on this unencrypted connection; use STLS first',
  maildropLocked: 'maildrop already locked by another session',
  loggedIn: (count: number, octets: number) => `Logged in, maildrop has ${count} messages (${octets} octets)`,
  maildropSummary: (count: number, octets: number) => `maildrop has ${count} messages (${octets} octets)`,
  listFollows: (count: number, octets: number) => `${count} messages (${octets} octets)`,
  uidlFollows: 'Unique-id listing follows',
  messageFollows: (octets: number) => `${octets} octets`,
  topFollows: 'Top of message follows',
  deleted: (n: number) => `Message ${n} deleted`,
  noop: '',
  beginTls: 'Begin TLS negotiation',
  tlsActive: 'Command not permitted when TLS active',
  tlsUnavailable: 'STLS is not available on this connection',
  stlsOnlyBeforeLogin: 'STLS is only permitted before login',
  apopUnsupported: 'APOP is not supported; use USER/PASS or AUTH PLAIN',
  unknownCommand: 'Unknown command',
  tooManyUnknown: 'Too many unknown commands, closing connection',
  wrongState: (verb: string) => `${verb} is not valid in this state`,
  emptyCommand: 'Empty command',
  badCharacters: 'Command contains invalid characters',
  lineTooLong: (limit: number) => `Command line too long (limit ${limit} octets including CRLF)`,
  httpRefused: 'This is a POP3 server, not an HTTP server; closing connection',
  idleTimeout: 'Idle timeout, closing connection; nothing was deleted',
  internalError: 'Internal server error, try again later',
  noSuchMessage: (n: number) => `No such message ${n}`,
  messageDeleted: (n: number) => `Message ${n} is already deleted`,
  authCancelled: 'Authentication cancelled',
  authBadBase64: 'Invalid base64 in SASL response',
  authUnsupportedMechanism: 'Unsupported SASL mechanism; use PLAIN',
  authBadPlain: 'Malformed SASL PLAIN response',
  authzidMismatch: 'Authorization identity must be empty or equal to the authentication identity',
} as const;
