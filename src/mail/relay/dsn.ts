// Delivery status notifications (RFC 3464) as RFC 6522 multipart/report messages:
// a human-readable part, the machine-readable message/delivery-status, and the
// original message's header (text/rfc822-headers) or, with RET=FULL (RFC 3461 §4.3),
// the whole original (message/rfc822). Sent from the null reverse-path (RFC 5321
// §4.5.5) so that no DSN ever causes another.

import { randomBytes } from 'node:crypto';
import { buildMultipart } from '../../core/mime/builder.ts';
import { formatMailDate } from '../mail-date.ts';

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface DsnRecipient {
  address: string;
  /** RFC 3461 ORCPT "rfc822;addr", or null. */
  orcpt?: string | null;
  action: DsnAction;
  /** RFC 3463 status, "5.1.1". */
  status: string;
  /** The remote's reply ("550 5.1.1 no such user") for Diagnostic-Code: smtp; ... */
  diagnostic?: string | null;
  /** Our own explanation when there is no remote reply. */
  reason?: string | null;
  remoteMta?: string | null;
  lastAttempt?: Date | null;
  /** For 'delayed': when we give up (RFC 3464 §2.3.9). */
  willRetryUntil?: Date | null;
}

export interface DsnInput {
  /** Our host name: Reporting-MTA and the From address's domain. */
  reportingMta: string;
  /** The original envelope sender: the DSN's recipient. */
  to: string;
  envid?: string | null;
  arrivalDate: Date;
  recipients: DsnRecipient[];
  /** The original message's header block (up to and including the blank line), or the whole message with returnFull. */
  original: Buffer;
  returnFull: boolean;
  date?: Date;
}

const SUBJECTS: Record<DsnAction, string> = {
  failed: 'Undelivered Mail Returned to Sender',
  delayed: 'Delayed Mail (still being retried)',
  delivered: 'Successful Mail Delivery Report',
  relayed: 'Mail Relayed Report',
  expanded: 'Mail Expanded Report',
};

/** Values in DSN fields are one line of US-ASCII text (RFC 3464 §2.1.1). */
const clean = (text: string): string => text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();

function explain(r: DsnRecipient): string {
  const why = r.diagnostic ? `${r.remoteMta ? `${r.remoteMta} said: ` : ''}${r.diagnostic}` : (r.reason ?? 'no further detail');
  return `<${r.address}>: ${why}`;
}

function humanPart(input: DsnInput, action: DsnAction): string {
  const lines = [`This is the mail system at host ${input.reportingMta}.`, ''];
  if (action === 'delayed') {
    lines.push('Your message could not be delivered yet to the recipients below.', 'It is still being retried; you need not send it again.');
    const until = input.recipients.find((r) => r.willRetryUntil)?.willRetryUntil;
    if (until) lines.push(`Delivery will be attempted until ${formatMailDate(until)}.`);
  } else if (action === 'failed') {
    lines.push('I am sorry to have to inform you that your message could not', 'be delivered to one or more recipients. It is attached below.');
  } else {
    lines.push('Your message was handed on to the recipients below.');
  }
  lines.push('', ...input.recipients.map(explain), '');
  return lines.join('\r\n');
}

/** RFC 3464 §2.2 / §2.3: the per-message fields, then one group per recipient. */
export function deliveryStatusBody(input: DsnInput): string {
  const groups: string[][] = [];
  const message = [`Reporting-MTA: dns; ${clean(input.reportingMta)}`];
  if (input.envid) message.push(`Original-Envelope-Id: ${clean(input.envid)}`);
  message.push(`Arrival-Date: ${formatMailDate(input.arrivalDate)}`);
  groups.push(message);
  for (const r of input.recipients) {
    const group: string[] = [];
    if (r.orcpt) group.push(`Original-Recipient: ${clean(r.orcpt)}`);
    group.push(`Final-Recipient: rfc822; ${clean(r.address)}`, `Action: ${r.action}`, `Status: ${r.status}`);
    if (r.remoteMta) group.push(`Remote-MTA: dns; ${clean(r.remoteMta)}`);
    if (r.diagnostic) group.push(`Diagnostic-Code: smtp; ${clean(r.diagnostic)}`);
    else if (r.reason) group.push(`Diagnostic-Code: X-Septet; ${clean(r.reason)}`);
    if (r.lastAttempt) group.push(`Last-Attempt-Date: ${formatMailDate(r.lastAttempt)}`);
    if (r.willRetryUntil) group.push(`Will-Retry-Until: ${formatMailDate(r.willRetryUntil)}`);
    groups.push(group);
  }
  return groups.map((g) => g.join('\r\n') + '\r\n').join('\r\n');
}

/** The header block of a stored message (CRLF line ends), blank line included. */
export function headerBlock(message: Buffer): Buffer {
  const end = message.indexOf('\r\n\r\n');
  return end >= 0 ? message.subarray(0, end + 4) : message;
}

/** The complete DSN message, ready to be stored and delivered with sender "<>". */
export function buildDsn(input: DsnInput): Buffer {
  const action = input.recipients[0]?.action ?? 'failed';
  const date = input.date ?? new Date();
  const original = input.returnFull
    ? { headers: [['Content-Type', 'message/rfc822']] as const, body: input.original }
    : { headers: [['Content-Type', 'text/rfc822-headers']] as const, body: headerBlock(input.original) };
  const report = buildMultipart({
    type: 'report',
    params: { 'report-type': 'delivery-status' },
    parts: [
      {
        headers: [
          ['Content-Description', 'Notification'],
          ['Content-Type', 'text/plain; charset=us-ascii'],
        ],
        body: humanPart(input, action).replace(/[^\x00-\x7e]/g, '?'),
      },
      { headers: [['Content-Description', 'Delivery report'], ['Content-Type', 'message/delivery-status']], body: deliveryStatusBody(input) },
      { headers: [['Content-Description', 'Undelivered message' + (input.returnFull ? '' : ' headers')], ...original.headers], body: original.body },
    ],
  });
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${input.to}>`,
    `Subject: ${SUBJECTS[action]}`,
    `Date: ${formatMailDate(date)}`,
    `Message-ID: <${Date.now().toString(36)}.${randomBytes(6).toString('hex')}@${input.reportingMta}>`,
    // RFC 3834 §5: an automatic message; autoresponders must not answer it.
    'Auto-Submitted: auto-replied',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(header + '\r\n' + report.header + '\r\n', 'utf8'), report.body]);
}
