// FTP replies (RFC 959 §4.2): three digits, then a space (last line) or a hyphen
// (first line of a multi-line reply). The first digit says how it went (1yz
// preliminary, 2yz done, 3yz more needed, 4yz transient, 5yz permanent), the second
// what it is about (x0z syntax, x1z information, x2z connections, x3z login, x5z file
// system). Every code Septet sends is named here with where it comes from.

export const Reply = {
  restartMarker: 110, // RFC 959 §4.2: "MARK yyyy = mmmm"
  serviceReadySoon: 120,
  dataAlreadyOpen: 125,
  openingData: 150,
  ok: 200,
  superfluous: 202, // ACCT, ALLO when not needed
  systemStatus: 211,
  directoryStatus: 212,
  fileStatus: 213,
  help: 214,
  systemType: 215,
  ready: 220,
  closing: 221,
  dataOpenNoTransfer: 225,
  closingData: 226,
  passive: 227,
  extendedPassive: 229, // RFC 2428 §3
  loggedIn: 230,
  securityExchangeDone: 234, // RFC 2228 §4: AUTH accepted
  fileActionOk: 250,
  created: 257,
  needPassword: 331,
  needAccount: 332,
  pendingFurtherInfo: 350,
  unavailable: 421,
  cantOpenData: 425,
  transferAborted: 426,
  fileUnavailable: 450,
  localError: 451,
  insufficientStorage: 452,
  syntaxError: 500,
  badArguments: 501,
  notImplemented: 502,
  badSequence: 503,
  parameterNotImplemented: 504,
  notLoggedIn: 530,
  protocolNotSupported: 522, // RFC 2428 §2 (EPRT), also used by vsftpd for TLS failures
  securityRequired: 534, // RFC 2228: request denied for policy reasons
  protectionLevelNotSupported: 536, // RFC 2228 (PROT): S and E are not offered
  fileNotFound: 550,
  pageTypeUnknown: 551,
  quotaExceeded: 552,
  nameNotAllowed: 553,
  restartPastEnd: 554, // RFC 1123 §4.1.3.4: "invalid REST parameter"
} as const;
export type ReplyCode = (typeof Reply)[keyof typeof Reply];

/** A command failure that becomes one reply; the session goes on. */
export class FtpError extends Error {
  readonly code: number;
  constructor(code: number, text: string) {
    super(text);
    this.name = 'FtpError';
    this.code = code;
  }
}

/** Control characters in texts (client-supplied names) must not break the framing. */
function clean(text: string): string {
  return text.replace(/[\r\n\0]/g, ' ');
}

/** "code text\r\n". */
export function replyLine(code: number, text: string): string {
  return `${code} ${clean(text)}\r\n`;
}

/**
 * A multi-line reply (RFC 959 §4.2): "code-first", the lines, "code last". Inner lines
 * are indented by one space, so none can start with "code " and end the reply early.
 */
export function multilineReply(code: number, first: string, lines: readonly string[], last: string): string {
  let out = `${code}-${clean(first)}\r\n`;
  for (const line of lines) out += ` ${clean(line)}\r\n`;
  return out + `${code} ${clean(last)}\r\n`;
}

/** RFC 959 Appendix II: a quoted path in a 257 reply doubles its quotes. */
export function quotePath(path: string): string {
  return `"${path.replace(/"/g, '""')}"`;
}

export const Text = {
  greeting: (hostname: string) => `${hostname} Septet FTP server ready`,
  goodbye: 'Goodbye.',
  notLoggedIn: 'Please login with USER and PASS.',
  loginOk: 'Login successful.',
  loginFailed: 'Login incorrect.',
  tooManyFailures: 'Too many failed logins, closing connection.',
  plaintextRefused: 'Plaintext login is refused on this unencrypted connection; use AUTH TLS first.',
  needPassword: 'Please specify the password.',
  anonymousPassword: 'Anonymous login ok, send your e-mail address as password.',
  userFirst: 'Login with USER first.',
  alreadyLoggedIn: 'Already logged in.',
  acctNotNeeded: 'ACCT not needed.',
  readyForNewUser: 'Ready for new user.',
  unknownCommand: 'Unknown command.',
  notImplemented: 'Command not implemented.',
  idleTimeout: 'Timeout; closing control connection.',
  tooLong: 'Command line too long.',
  badSequenceRename: 'RNFR required first.',
  useDataFirst: 'Use PORT, EPRT, PASV or EPSV first.',
  epsvAllInEffect: 'EPSV ALL in effect; only EPSV is allowed.',
  cantOpenData: "Can't open data connection.",
  transferAborted: 'Connection closed; transfer aborted.',
  transferOk: 'Transfer complete.',
  abortOk: 'Abort successful.',
  noTransfer: 'No transfer to abort.',
  permissionDenied: 'Permission denied.',
  readOnly: 'Anonymous access is read-only.',
  noSuchFile: 'No such file or directory.',
  notPlainFile: 'Not a plain file.',
  notDirectory: 'Not a directory.',
  directoryChanged: 'Directory successfully changed.',
  directoryRemoved: 'Remove directory operation successful.',
  deleted: 'Delete operation successful.',
  readyForRnto: 'Ready for RNTO.',
  renamed: 'Rename successful.',
  smntNotImplemented: 'SMNT is not implemented: there is one file system per user.',
  noUniqueName: 'Could not find a unique name.',
  restartPastEnd: (offset: number) => `Restart offset ${offset} is past the end of the file.`,
  alloNotNeeded: 'ALLO not needed: no quota.',
  noSpace: 'No space left.',
  internal: 'Local error in processing; try again.',
  quota: 'Quota exceeded.',
} as const;

/** What a failed file-system call tells the client (550), by errno. */
export const fileSystemTexts: Readonly<Record<string, string>> = {
  ENOENT: Text.noSuchFile,
  EACCES: Text.permissionDenied,
  EPERM: Text.permissionDenied,
  EEXIST: 'File exists.',
  ENOTEMPTY: 'Directory not empty.',
  EISDIR: 'Is a directory.',
  ENOTDIR: Text.notDirectory,
  ENAMETOOLONG: 'File name too long.',
};
