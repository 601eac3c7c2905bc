// The data of IMAP's ENVELOPE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) read from a
// message header. Serializing it is the IMAP engine's job; the values here are the
// header values as sent (unfolded, encoded words NOT decoded), as Dovecot returns.

import { parseAddressList } from './address.ts';
import type { HeaderField } from './header.ts';
import { findField } from './header.ts';

/**
 * One address in ENVELOPE form. RFC 3501 group syntax: a start-of-group marker has
 * host null and mailbox = the group name; an end-of-group marker has every field null.
 */
export interface EnvelopeAddress {
  readonly name: string | null;
  readonly adl: string | null;
  readonly mailbox: string | null;
  readonly host: string | null;
}

export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: EnvelopeAddress[] | null;
  readonly sender: EnvelopeAddress[] | null;
  readonly replyTo: EnvelopeAddress[] | null;
  readonly to: EnvelopeAddress[] | null;
  readonly cc: EnvelopeAddress[] | null;
  readonly bcc: EnvelopeAddress[] | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

// A mailbox with no local part or no domain would read as a group marker; these
// placeholders are what Dovecot (and UW, Cyrus) put there instead.
export const MISSING_MAILBOX = 'MISSING_MAILBOX';
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

/** The envelope of a message (the top-level part, or a message/rfc822 part's `message`). */
export function buildEnvelope(header: readonly HeaderField[]): Envelope {
  const from = addresses(header, 'from');
  // RFC 3501 §7.4.2: an absent or empty Sender / Reply-To takes the From value.
  return {
    date: text(header, 'date'),
    subject: text(header, 'subject'),
    from,
    sender: addresses(header, 'sender') ?? from,
    replyTo: addresses(header, 'reply-to') ?? from,
    to: addresses(header, 'to'),
    cc: addresses(header, 'cc'),
    bcc: addresses(header, 'bcc'),
    inReplyTo: text(header, 'in-reply-to'),
    messageId: text(header, 'message-id'),
  };
}

function text(header: readonly HeaderField[], name: string): string | null {
  const field = findField(header, name);
  if (field === undefined) return null;
  const value = field.value.trim();
  return value === '' ? null : value;
}

/** The list in ENVELOPE form, group markers included; null when absent or empty (NIL). */
export function addresses(header: readonly HeaderField[], name: string): EnvelopeAddress[] | null {
  const field = findField(header, name);
  if (field === undefined) return null;
  const out: EnvelopeAddress[] = [];
  for (const item of parseAddressList(field.value)) {
    if (item.kind === 'group') {
      out.push({ name: null, adl: null, mailbox: item.name, host: null });
      for (const member of item.members) out.push(envelopeMailbox(member));
      out.push({ name: null, adl: null, mailbox: null, host: null });
    } else {
      out.push(envelopeMailbox(item));
    }
  }
  return out.length === 0 ? null : out;
}

function envelopeMailbox(m: { name: string | null; adl: string | null; mailbox: string | null; host: string | null }): EnvelopeAddress {
  return { name: m.name, adl: m.adl, mailbox: m.mailbox ?? MISSING_MAILBOX, host: m.host ?? MISSING_DOMAIN };
}
