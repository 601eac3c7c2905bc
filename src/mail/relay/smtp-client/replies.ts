// SMTP replies as the client sees them (RFC 5321 §4.2): a three-digit code, an
// optional RFC 3463 enhanced status (RFC 2034), one or more lines of text.

export interface SmtpReply {
  code: number;
  /** "5.1.1", or null when the server sends none. */
  enhanced: string | null;
  /** Text of each line, code and enhanced status removed. */
  lines: string[];
}

export const isPositive = (r: SmtpReply): boolean => r.code >= 200 && r.code < 400;
export const isTransient = (r: SmtpReply): boolean => r.code >= 400 && r.code < 500;

/** One line for logs, the queue history and DSN Diagnostic-Code fields. */
export function formatReply(r: SmtpReply): string {
  const text = r.lines.join(' ').replace(/[\r\n]+/g, ' ').trim();
  return [String(r.code), r.enhanced, text].filter(Boolean).join(' ').slice(0, 900);
}

/** What went wrong talking to a remote host. */
export type SmtpClientFailure = 'connect' | 'timeout' | 'closed' | 'protocol' | 'tls' | 'reply' | 'size' | 'smtputf8';

export class SmtpClientError extends Error {
  readonly failure: SmtpClientFailure;
  /** The remote's reply that caused it, when there was one. */
  readonly reply: SmtpReply | null;
  /** Whether retrying later may help (4xx, network trouble) or not (5xx, SIZE, SMTPUTF8). */
  readonly permanent: boolean;
  constructor(failure: SmtpClientFailure, message: string, options: { reply?: SmtpReply | null; permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SmtpClientError';
    this.failure = failure;
    this.reply = options.reply ?? null;
    this.permanent = options.permanent ?? (options.reply ? options.reply.code >= 500 : false);
  }
}

/** Parses one reply line: "250-SIZE 1000" → code 250, last = false, text "SIZE 1000". */
export function parseReplyLine(line: string): { code: number; last: boolean; text: string } | null {
  const match = /^([2-5]\d\d)([ -]?)(.*)$/.exec(line);
  if (!match) return null;
  return { code: Number(match[1]), last: match[2] !== '-', text: match[3]! };
}

/** Splits the RFC 3463 status off the first line's text when the code class matches. */
export function withEnhanced(code: number, texts: string[]): SmtpReply {
  const first = texts[0] ?? '';
  const match = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s+|$)/.exec(first);
  if (match && Number(match[1]) === Math.floor(code / 100)) {
    const enhanced = `${match[1]}.${match[2]}.${match[3]}`;
    return { code, enhanced, lines: texts.map((t) => (t.startsWith(enhanced) ? t.slice(enhanced.length).trimStart() : t)) };
  }
  return { code, enhanced: null, lines: texts };
}

/** xtext (RFC 3461 §4): "+", "=" and anything outside "!".."~" as "+XX". */
export function encodeXtext(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte < 0x21 || byte > 0x7e || byte === 0x2b || byte === 0x3d ? `+${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}
