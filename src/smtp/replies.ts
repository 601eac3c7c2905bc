// Every SMTP reply Septet sends, named, with the RFC that defines its code and the
// enhanced status code of RFC 3463. A reply is a value (SmtpReply): commands send
// success replies with session.reply(); a refusal is thrown as an SmtpError that
// carries its reply, and dispatch.ts turns every failure into wire text in one place.

import { refusalText, type Refusal } from '../core/service/refusals.ts';

/** One reply (RFC 5321 §4.2): code, RFC 3463 enhanced code, text ("\n" for more lines). */
export class SmtpReply {
  readonly code: number;
  /** RFC 3463 class.subject.detail, or '' where RFC 2034 §3 says none is sent. */
  readonly enhanced: string;
  readonly text: string;
  constructor(code: number, enhanced: string, text: string) {
    this.code = code;
    this.enhanced = enhanced;
    this.text = text;
  }
  /** Same code, other text (for replies that name the offending value). */
  with(text: string): SmtpReply {
    return new SmtpReply(this.code, this.enhanced, text);
  }
}

/** A command refused: the reply it earns travels with the error to the dispatcher. */
export class SmtpError extends Error {
  readonly reply: SmtpReply;
  constructor(reply: SmtpReply, text: string = reply.text) {
    super(`${reply.code} ${reply.enhanced} ${text}`.replace(/\s+/g, ' '));
    this.name = 'SmtpError';
    this.reply = text === reply.text ? reply : reply.with(text);
  }
}

const r = (code: number, enhanced: string, text: string) => new SmtpReply(code, enhanced, text);

export const Replies = {
  // RFC 5321 §4.2.2 / §4.2.3, RFC 3463 §3.x
  ok: r(250, '2.0.0', 'OK'),
  senderOk: r(250, '2.1.0', 'Sender OK'),
  recipientOk: r(250, '2.1.5', 'Recipient OK'),
  resetOk: r(250, '2.0.0', 'Reset state'),
  noopOk: r(250, '2.0.0', 'OK'),
  cannotVerify: r(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery'), // RFC 5321 §3.5.3
  startData: r(354, '', 'End data with <CR><LF>.<CR><LF>'), // RFC 5321 §4.3.2: 354 carries no enhanced code (RFC 2034 §3)
  authOk: r(235, '2.7.0', 'Authentication successful'), // RFC 4954 §6
  readyForTls: r(220, '2.0.0', 'Ready to start TLS'), // RFC 3207 §4
  help: r(
    214,
    '2.0.0',
    [
      'Septet SMTP. Commands:',
      'EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY EXPN AUTH STARTTLS',
      'See RFC 5321 (SMTP), RFC 6409 (submission), RFC 4954 (AUTH), RFC 3030 (BDAT)',
    ].join('\n'),
  ), // RFC 5321 §4.1.1.8

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
  badBase64: r(501, '5.5.2', 'Invalid base64 data'), // RFC 4954 §4
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

  // Replies whose text names something of this session.
  greeting: (hostname: string) => r(220, '', `${hostname} ESMTP Septet`), // RFC 5321 §4.3.1
  hello: (lines: string[]) => r(250, '', lines.join('\n')), // RFC 5321 §4.1.1.1; no enhanced code (RFC 2034 §3)
  bye: (hostname: string) => r(221, '2.0.0', `${hostname} Bye`), // RFC 5321 §4.1.1.10
  challenge: (prompt: string) => r(334, '', prompt), // RFC 4954 §4: base64, may be empty
  queued: (messageId: string) => r(250, '2.0.0', `Ok: queued as ${messageId}`), // RFC 5321 §4.1.1.4: on disk
  chunkReceived: (size: number) => r(250, '2.0.0', `${size} octets received`), // RFC 3030 §2: a chunk but the last
  verified: (address: string) => r(250, '2.1.5', `<${address}>`), // RFC 5321 §3.5.1

  // RFC 821 §3.5 SEND, SOML, SAML (commands/terminal.ts); texts from RFC 821's scenarios 5 and 6.
  terminalDisabled: (verb: string) => r(502, '5.5.1', `${verb} is not enabled here (RFC 5321 F.6: obsolete; smtp.terminal_delivery)`),
  terminalNeedsAuth: (verb: string) => r(530, '5.7.0', `${verb} needs authentication: only logged-in users may write to terminals`),
  terminalNotLocal: (address: string) => r(551, '5.7.1', `<${address}>: User not local; SEND, SOML and SAML reach users of this host only`), // RFC 821 §4.2.1 551
  userNotActive: (address: string) => r(450, '4.2.1', `<${address}>: User not active now`), // RFC 821 scenario 5; RFC 3463 X.2.1
  willMail: (address: string) => r(250, '2.1.5', `<${address}>: User not active now, so will do mail.`), // RFC 821 scenario 6
  noTerminalReached: r(451, '4.2.1', 'Requested action aborted: no recipient has a terminal open now'), // RFC 821 §4.3 DATA: 451
  terminalTooLarge: (max: number) => r(552, '5.3.4', `Message too long for a terminal (limit ${max} octets); use MAIL`),
  terminalBdat: r(503, '5.5.1', 'BDAT cannot carry a SEND, SOML or SAML message; use DATA'),
  shownOnTerminals: (count: number, missed: string[]) =>
    r(250, '2.0.0', `Shown on ${count} terminal${count === 1 ? '' : 's'}${missed.length > 0 ? `; not active now: ${missed.map((a) => `<${a}>`).join(' ')}` : ''}`),
  expanded: (targets: string[]) => r(250, '2.1.5', targets.map((t) => `<${t}>`).join('\n')), // RFC 5321 §3.5.2
} as const;

/** The first line of the EHLO/HELO reply. */
export const helloLine = (hostname: string, helo: string, remoteAddress: string): string => `${hostname} Hello ${helo} [${remoteAddress}]`;
/** The 552 text naming smtp.max_message_size (RFC 1870 §6). */
export const sizeLimitText = (max: number): string => `Message size exceeds fixed maximum message size (${max} octets)`;
/** The 500 5.5.6 text naming the line limit (RFC 5321 §4.5.3.1.4). */
export const lineLimitText = (limit: number): string => `Line too long (limit ${limit} octets)`;

/** The 421 line of a refused connection (RFC 5321 §3.8); 'starting': the service is not ready yet. */
export function refusalLine(reason: Refusal, hostname: string): string {
  const text = hostname && reason !== 'starting' ? `${hostname} ${refusalText[reason]}` : refusalText[reason];
  // RFC 3463: 4.3.2 the system is not accepting messages; 4.7.0 a policy refusal.
  return formatReply(r(421, reason === 'starting' || reason === 'shutting-down' ? '4.3.2' : '4.7.0', text));
}

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
