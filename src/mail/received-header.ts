// The Received trace field (RFC 5321 §4.4), written first into every message body,
// before the client's own header. Shaped like Postfix's, so that people and filters
// who read mail headers find what they expect.

import { isIP } from 'node:net';
import { formatMailDate } from './mail-date.ts';

/** RFC 3848 "with" protocol names. */
export type ReceivedProtocol = 'SMTP' | 'ESMTP' | 'ESMTPS' | 'ESMTPA' | 'ESMTPSA';

export function receivedProtocol(options: { esmtp: boolean; tls: boolean; authenticated: boolean }): ReceivedProtocol {
  if (!options.esmtp) return 'SMTP';
  // RFC 3848 §2-4: S = TLS, A = authenticated.
  return `ESMTP${options.tls ? 'S' : ''}${options.authenticated ? 'A' : ''}` as ReceivedProtocol;
}

export interface ReceivedInfo {
  /** Our host name (the "by" clause). */
  hostname: string;
  /** Id of this message in our logs. */
  id: string;
  date: Date;
  /** Set for mail that came over the network; absent for local submission. */
  network?: {
    helo: string | null;
    remoteAddress: string;
    protocol: ReceivedProtocol;
    tls: { protocol: string | null; cipher: string | null } | null;
  };
  /** For local submission (sendmail): who submitted. */
  localUser?: string;
  /** Only when the message has exactly one recipient (RFC 5321 §4.4 "for" clause; more would leak Bcc). */
  recipient?: string | null;
}

/** Text that cannot break out of a comment or a header line. */
function clean(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, '?').replace(/[()\\]/g, '?').slice(0, 255);
}

function addressLiteral(ip: string): string {
  return isIP(ip) === 6 ? `[IPv6:${ip}]` : `[${ip}]`;
}

function isDomainName(text: string): boolean {
  return /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(text) || /^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(text);
}

/** The whole field with its CRLF, folded into lines. */
export function buildReceivedHeader(info: ReceivedInfo): string {
  const lines: string[] = [];
  const net = info.network;
  if (net) {
    const literal = addressLiteral(net.remoteAddress);
    // RFC 5321 §4.4 Extended-Domain: the name the client gave, then the address we saw.
    if (net.helo && isDomainName(net.helo)) lines.push(`from ${net.helo} (${literal})`);
    else lines.push(`from ${literal} (${literal}${net.helo ? ` helo=${clean(net.helo)}` : ''})`);
    if (net.tls) lines.push(`(using ${clean(net.tls.protocol ?? 'TLS')} with cipher ${clean(net.tls.cipher ?? 'unknown')})`);
    lines.push(`by ${info.hostname} (Septet) with ${net.protocol} id ${info.id}`);
  } else {
    lines.push(`by ${info.hostname} (Septet${info.localUser ? `, from user ${clean(info.localUser)}` : ''}) id ${info.id}`);
  }
  const date = formatMailDate(info.date);
  if (info.recipient) lines.push(`for <${info.recipient}>; ${date}`);
  else lines[lines.length - 1] += `; ${date}`;
  return `Received: ${lines.join('\r\n\t')}\r\n`;
}
