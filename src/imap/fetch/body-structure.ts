// ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from the MIME
// tree, in the shape Dovecot writes them: parameters as written (RFC 2231 sections
// joined but not decoded, core/mime's rawParams), defaults "text" "plain"
// ("charset" "us-ascii") and "7bit", all four extension fields of a multipart.
// Output is a binary string (see encode.ts).

import { imapString, nstring } from '../encode.ts';
import { buildEnvelope, bodySize, type EnvelopeAddress, type HeaderField, type MimePart } from '../mime.ts';

/** Header values are text; 8-bit ones go out as UTF-8 octets (in a literal unless UTF-8 is enabled). */
function ns(value: string | null, utf8: boolean): string {
  return nstring(value, utf8);
}

function addressList(list: readonly EnvelopeAddress[] | null, utf8: boolean): string {
  if (list === null || list.length === 0) return 'NIL';
  return `(${list.map((a) => `(${ns(a.name, utf8)} ${ns(a.adl, utf8)} ${ns(a.mailbox, utf8)} ${ns(a.host, utf8)})`).join('')})`;
}

/** RFC 3501 §7.4.2 ENVELOPE: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id. */
export function envelope(header: readonly HeaderField[], utf8: boolean): string {
  const e = buildEnvelope(header);
  return `(${[
    ns(e.date, utf8),
    ns(e.subject, utf8),
    addressList(e.from, utf8),
    addressList(e.sender, utf8),
    addressList(e.replyTo, utf8),
    addressList(e.to, utf8),
    addressList(e.cc, utf8),
    addressList(e.bcc, utf8),
    ns(e.inReplyTo, utf8),
    ns(e.messageId, utf8),
  ].join(' ')})`;
}

function params(raw: readonly (readonly [string, string])[], utf8: boolean): string {
  if (raw.length === 0) return 'NIL';
  return `(${raw.map(([name, value]) => `${imapString(name, utf8)} ${imapString(value, utf8)}`).join(' ')})`;
}

function disposition(part: MimePart, utf8: boolean): string {
  const d = part.disposition;
  if (d === null) return 'NIL';
  return `(${imapString(d.type, utf8)} ${params(d.rawParams, utf8)})`;
}

function language(part: MimePart, utf8: boolean): string {
  const list = part.language;
  if (list === null || list.length === 0) return 'NIL';
  if (list.length === 1) return imapString(list[0]!, utf8);
  return `(${list.map((l) => imapString(l, utf8)).join(' ')})`;
}

/** Type and subtype as Dovecot writes them: as in the header, or the RFC 2045 §5.2 default. */
function typeParams(part: MimePart, utf8: boolean): string {
  let raw = part.rawParams;
  // RFC 2045 §5.2: a text part without a charset is us-ascii; Dovecot writes it.
  if (part.type.toLowerCase() === 'text' && !raw.some(([name]) => name.toLowerCase() === 'charset')) raw = [['charset', 'us-ascii'], ...raw];
  return params(raw, utf8);
}

/** BODY (extensible false) or BODYSTRUCTURE (true) of a part. */
export function bodyStructure(part: MimePart, extensible: boolean, utf8: boolean): string {
  if (part.structure === 'multipart') {
    const children = part.children.length > 0 ? part.children.map((c) => bodyStructure(c, extensible, utf8)).join('') : emptyTextPart(extensible);
    let out = `(${children} ${imapString(part.subtype, utf8)}`;
    // RFC 3501 §7.4.2 body-ext-mpart: parameters, disposition, language, location.
    if (extensible) out += ` ${params(part.rawParams, utf8)} ${disposition(part, utf8)} ${language(part, utf8)} ${ns(part.location, utf8)}`;
    return out + ')';
  }
  const fields = [
    imapString(part.type, utf8),
    imapString(part.subtype, utf8),
    typeParams(part, utf8),
    ns(part.id, utf8),
    ns(part.description, utf8),
    imapString(part.encoding ?? '7bit', utf8),
    String(bodySize(part)),
  ];
  if (part.structure === 'message' && part.message !== null) {
    // RFC 3501 §7.4.2: MESSAGE/RFC822 adds the envelope and structure of the inner message, then lines.
    fields.push(envelope(part.message.header, utf8), bodyStructure(part.message, extensible, utf8), String(part.bodyLines));
  } else if (part.type.toLowerCase() === 'text') {
    fields.push(String(part.bodyLines));
  }
  if (extensible) fields.push(ns(part.md5, utf8), disposition(part, utf8), language(part, utf8), ns(part.location, utf8));
  return `(${fields.join(' ')})`;
}

/** RFC 3501 §9 requires at least one body part in a multipart; an empty one shows an empty text part. */
function emptyTextPart(extensible: boolean): string {
  return extensible ? '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)' : '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)';
}
