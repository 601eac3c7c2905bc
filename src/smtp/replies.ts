// Every SMTP reply Septet sends, named, with the RFC that defines its code and the
// enhanced status code of RFC 3463. Commands throw SmtpError; the dispatcher turns it
// into wire text in one place. Anything that is not an SmtpError becomes 451 4.3.0
// and a log line with the session id (never a stack trace on the wire).

export class SmtpError extends Error {
  readonly code: number;
  /** RFC 3463 class.subject.detail, or '' where RFC 2034 §3 says none is sent. */
  readonly enhanced: string;
  readonly text: string;
  constructor(code: number, enhanced: string, text: string) {
    super(`${code} ${enhanced} ${text}`.replace(/\s+/g, ' '));
    this.name = 'SmtpError';
    this.code = code;
    this.enhanced = enhanced;
    this.text = text;
  }
  /** Same code, other text (for replies that name the offending value). */
  with(text: string): SmtpError {
    return new SmtpError(this.code, this.enhanced, text);
  }
}

const r = (code: number, enhanced: string, text: string) => new SmtpError(code, enhanced, text);

export const Replies = {
  // RFC 5321 §4.2.2 / §4.2.3, RFC 3463 §3.x
  ok: r(250, '2.0.0', 'OK'),
  senderOk: r(250, '2.1.0', 'Sender OK'),
  recipientOk: r(250, '2.1.5', 'Recipient OK'),
  resetOk: r(250, '2.0.0', 'Reset state'),
  noopOk: r(250, '2.0.0', 'OK'),
  cannotVerify: r(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery'), // RFC 5321 §3.5.3
  startData: r(354, '', 'End data with <CR><LF>.<CR><LF>'), // RFC 5321 §4.3.2: 354 carries no enhanced code (RFC 2034 §3)
  authContinue: r(334, '', ''),
  authOk: r(235, '2.7.0', 'Authentication successful'), // RFC 4954 §6
  readyForTls: r(220, '2.0.0', 'Ready to start TLS'), // RFC 3207 §4

  // 4yz: temporary
  closing: r(421, '4.3.0', 'Service not available, closing transmission channel'),
  idleTimeout: r(421, '4.4.2', 'Idle timeout, closing connection'), // RFC 5321 §4.5.3.2.7, RFC 3463 §3.5
  tooManyErrors: r(421, '4.7.0', 'Too many errors, closing connection'),
  localError: r(451, '4.3.0', 'Requested action aborted: local error in processing'), // RFC 5321 §4.2.3
  tooManyRecipients: r(452, '4.5.3', 'Too many recipients'), // RFC 5321 §4.5.3.1.10
  quotaTemporary: r(452, '4.2.2', 'Mailbox full, try again later'), // RFC 3463 §3.3 (X.2.2)

  // 5yz: permanent
  syntaxError: r(500, '5.5.2', 'Syntax error, command unrecognized'), // RFC 5321 §4.2.2
  lineTooLong: r(500, '5.5.6', 'Line too long'), // RFC 5321 §4.5.3.1.4, RFC 3463 X.5.6
  badArguments: r(501, '5.5.4', 'Syntax error in parameters or arguments'),
  badAddress: r(501, '5.1.3', 'Bad address syntax'), // RFC 3463 X.1.3
  notImplemented: r(502, '5.5.1', 'Command not implemented'),
  badSequence: r(503, '5.5.1', 'Bad sequence of commands'),
  paramNotImplemented: r(504, '5.5.4', 'Command parameter not implemented'),
  authRequired: r(530, '5.7.0', 'Authentication required'), // RFC 4954 §6
  authFailed: r(535, '5.7.8', 'Authentication credentials invalid'), // RFC 4954 §6
  encryptionRequired: r(538, '5.7.11', 'Encryption required for requested authentication mechanism'), // RFC 4954 §6
  // RFC 5321 §2.3.8, §4.1.1.4: lines end in CRLF; Postfix's smtpd_forbid_bare_newline = reject words it so.
  bareNewlineInData: r(550, '5.5.2', 'Error: bare <CR> or <LF> received; lines must end in <CR><LF>'),
  bareNewlineInCommand: r(550, '5.5.2', 'Error: bare <LF> received; commands must end in <CR><LF>'),
  userUnknown: r(550, '5.1.1', 'Mailbox unavailable: no such user here'), // RFC 3463 X.1.1
  relayDenied: r(550, '5.7.1', 'Relaying denied: authentication required to send to other domains'), // RFC 5321 §3.6.2
  noPostmaster: r(550, '5.1.1', 'Postmaster mailbox unavailable'),
  sizeExceeded: r(552, '5.3.4', 'Message size exceeds fixed maximum message size'), // RFC 1870 §6, RFC 3463 X.3.4
  quotaPermanent: r(552, '5.2.2', 'Message is larger than the mailbox quota'), // RFC 3463 X.2.2
  senderNotOwned: r(553, '5.7.1', 'Sender address rejected: not owned by the authenticated user'), // RFC 6409 §6.1
  utf8NotPermitted: r(553, '5.6.7', 'Non-ASCII addresses require SMTPUTF8'), // RFC 6531 §3.5
  httpRefused: r(554, '5.7.0', 'This is an SMTP server, not an HTTP server'),
  unknownParameter: r(555, '5.5.4', 'MAIL FROM/RCPT TO parameter not recognized or not implemented'), // RFC 5321 §4.1.1.11
} as const;

/** Formats one reply (several lines when text contains "\n"); RFC 5321 §4.2.1. */
export function formatReply(reply: { code: number; enhanced: string; text: string }): string {
  const lines = reply.text.split('\n');
  const prefix = reply.enhanced ? `${reply.enhanced} ` : '';
  let out = '';
  lines.forEach((line, i) => {
    const sep = i === lines.length - 1 ? ' ' : '-';
    out += `${reply.code}${sep}${prefix}${line}\r\n`;
  });
  return out;
}

/** Reply codes that mean "the client spoke badly"; they count toward smtp.max_errors. */
export function isProtocolError(code: number): boolean {
  return (code >= 500 && code <= 504) || code === 535 || code === 538 || code === 555;
}
