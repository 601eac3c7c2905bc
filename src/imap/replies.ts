// IMAP status responses: the response codes Septet uses (each with the RFC it comes
// from), the one typed error a command throws, and the texts of fixed replies.
// Every status line is built here, so CR/LF hygiene holds everywhere.

import { binary } from './encode.ts';

/** Response codes (RFC 3501 §7.1, RFC 5530, RFC 9051 §7.1, and the extensions). */
export const Code = {
  alert: 'ALERT',
  badCharset: 'BADCHARSET (US-ASCII UTF-8)', // RFC 3501 §7.1: the charsets we do support
  parse: 'PARSE',
  readOnly: 'READ-ONLY',
  readWrite: 'READ-WRITE',
  tryCreate: 'TRYCREATE', // RFC 3501 §6.3.11 / §6.4.7: the target mailbox does not exist
  uidNotSticky: 'UIDNOTSTICKY',
  unavailable: 'UNAVAILABLE', // RFC 5530 §3: temporary failure
  authenticationFailed: 'AUTHENTICATIONFAILED', // RFC 5530 §3
  authorizationFailed: 'AUTHORIZATIONFAILED',
  privacyRequired: 'PRIVACYREQUIRED', // RFC 5530 §3: needs TLS first
  contactAdmin: 'CONTACTADMIN',
  noPerm: 'NOPERM',
  inUse: 'INUSE',
  expungeIssued: 'EXPUNGEISSUED',
  serverBug: 'SERVERBUG', // RFC 5530 §3: our fault; the details are in the log
  clientBug: 'CLIENTBUG',
  cannot: 'CANNOT', // RFC 5530 §3: the operation violates an invariant
  limit: 'LIMIT',
  overQuota: 'OVERQUOTA', // RFC 5530 §3 / RFC 9208 §5.3
  alreadyExists: 'ALREADYEXISTS', // RFC 5530 §3
  nonExistent: 'NONEXISTENT', // RFC 5530 §3
  hasChildren: 'HASCHILDREN', // RFC 9051 §7.1
  closed: 'CLOSED', // RFC 7162 §3.2.11: the previous mailbox was closed by SELECT
  tooBig: 'TOOBIG', // RFC 4469 / RFC 7888 §4: a literal over the limit
  unknownCte: 'UNKNOWN-CTE', // RFC 3516 §4.3: BINARY on an unknown transfer encoding
  modified: 'MODIFIED', // RFC 7162 §3.1.3, followed by a set
} as const;
export type Code = (typeof Code)[keyof typeof Code];

/**
 * A command failure told to the client: "tag NO [code] text" or "tag BAD [code] text".
 * Thrown by commands; the dispatcher turns it into the tagged reply in one place.
 */
export class ImapError extends Error {
  readonly status: 'NO' | 'BAD';
  /** The response code without brackets ("TRYCREATE", "MODIFIED 7,9"), or null. */
  readonly code: string | null;
  constructor(status: 'NO' | 'BAD', text: string, code: string | null = null) {
    super(text);
    this.name = 'ImapError';
    this.status = status;
    this.code = code;
  }
}

/** "NO [code] text": the command was understood but failed. */
export const no = (text: string, code: string | null = null): ImapError => new ImapError('NO', text, code);
/** "BAD [code] text": a protocol or syntax error (RFC 3501 §7.1.3). */
export const bad = (text: string, code: string | null = null): ImapError => new ImapError('BAD', text, code);

/** Text after the status: never lets a client-supplied name break the framing. */
function clean(text: string): string {
  return binary(text.replace(/[\x00-\x1f\x7f]/g, ' '));
}

/** "tag OK|NO|BAD [code] text\r\n". */
export function taggedLine(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code: string | null = null): string {
  return `${tag} ${status} ${code ? `[${code}] ` : ''}${clean(text)}\r\n`;
}

/** "* OK|NO|BAD|BYE|PREAUTH [code] text\r\n". */
export function untaggedStatus(status: 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH', text: string, code: string | null = null): string {
  return `* ${status} ${code ? `[${code}] ` : ''}${clean(text)}\r\n`;
}

export const Text = {
  greeting: (hostname: string) => `${hostname} Septet IMAP4rev1/IMAP4rev2 ready`,
  bye: 'Septet IMAP server logging out',
  idleTimeout: 'Autologout; idle for too long',
  loginTimeout: 'Autologout; no login within the time limit',
  tooManyUnknown: 'Too many unknown commands before login, closing connection',
  tooManyCommands: 'Too many commands before login, closing connection',
  httpRefused: 'This is an IMAP server, not an HTTP server',
  lineTooLong: (limit: number) => `Command line too long (limit ${limit} octets)`,
  literalTooBig: (limit: number) => `Literal too big (limit ${limit} octets)`,
  literalReady: 'Ready for literal data',
  unknownCommand: 'Unknown command',
  missingTag: 'Missing or invalid tag',
  wrongState: (verb: string, state: string) => `${verb} is not allowed in the ${state} state`,
  internalError: 'Internal server error; the details are in the server log',
  loginDisabled: 'Plaintext login is disabled on this unencrypted connection; use STARTTLS first',
  loginFailed: 'Authentication failed',
  loggedIn: 'Logged in',
  beginTls: 'Begin TLS negotiation now',
  tlsActive: 'TLS is already active',
  noMailbox: 'No such mailbox',
  vanishedNeeds: 'VANISHED needs UID FETCH and QRESYNC (RFC 7162 §3.2.6)',
} as const;
