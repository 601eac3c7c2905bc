// Builds a message a person wrote (the webmail's form) as a stream of octets, CRLF
// line ends, 7-bit clean: header fields with RFC 2047 words where they are not ASCII,
// the text as text/plain; charset=utf-8 in 7bit, quoted-printable or base64 (RFC 2045
// §6.7-6.8: whichever is shorter for the text), and with attachments a
// multipart/mixed (RFC 2046 §5.1.3) whose file parts are base64 in 76-character lines
// with RFC 2231 file names. Attachment contents are streams read one after the other,
// so a message is never held whole in memory.

import { randomBytes } from 'node:crypto';
import { encodeBase64Lines, encodeQuotedPrintable } from './transfer-encoding.ts';
import { addressField, encodeUnstructured, foldField, withParameters, type HeaderAddress } from './header-encoding.ts';

export interface BuildAttachment {
  /** As the user named it; written with RFC 2231 when not plain ASCII. */
  filename: string;
  /** "type/subtype"; anything that is not one becomes application/octet-stream. */
  contentType: string;
  /** The raw octets (not yet encoded). */
  content: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>;
}

export interface BuildMessageOptions {
  from: HeaderAddress;
  to: readonly HeaderAddress[];
  cc?: readonly HeaderAddress[];
  /** Written only into drafts; a sent message's Bcc stays in the envelope. */
  bcc?: readonly HeaderAddress[];
  subject: string;
  text: string;
  date: Date;
  /** With the angle brackets: "<id@host>". */
  messageId: string;
  inReplyTo?: readonly string[];
  references?: readonly string[];
  /** Read in order; each one's content is consumed before the next is asked for. */
  attachments?: AsyncIterable<BuildAttachment> | Iterable<BuildAttachment>;
  /** Whether there will be attachments (decides the multipart before the first one is read). */
  hasAttachments: boolean;
  /** For tests; random otherwise. */
  boundary?: string;
  /** RFC 5322 date text of `date` (the caller's formatter, so all of Septet's Date fields look alike). */
  formatDate: (date: Date) => string;
}

/** RFC 2045 §6.8: 76 characters of base64 a line carry 57 octets. */
const BASE64_LINE_OCTETS = 57;
/** RFC 5322 §2.1.1: at most 998 characters a line. */
const MAX_LINE = 998;

export interface EncodedText {
  encoding: '7bit' | 'quoted-printable' | 'base64';
  body: Buffer;
}

/**
 * The text with CRLF line ends in the shortest 7-bit form: as it is when it is ASCII
 * with short lines, else quoted-printable or base64, whichever is shorter.
 */
export function encodeText(text: string): EncodedText {
  let normalized = text.replace(/\r\n|\r|\n/g, '\r\n');
  if (normalized !== '' && !normalized.endsWith('\r\n')) normalized += '\r\n';
  const octets = Buffer.from(normalized, 'utf8');
  const ascii = /^[\x09\x0d\x0a\x20-\x7e]*$/.test(normalized);
  if (ascii && normalized.split('\r\n').every((line) => line.length <= MAX_LINE)) return { encoding: '7bit', body: octets };
  const qp = encodeQuotedPrintable(octets);
  const b64 = encodeBase64Lines(octets);
  return qp.length <= b64.length ? { encoding: 'quoted-printable', body: qp } : { encoding: 'base64', body: b64 };
}

const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function safeMediaType(value: string): string {
  return MEDIA_TYPE.test(value) ? value.toLowerCase() : 'application/octet-stream';
}

export function newMessageBoundary(): string {
  // "=_" cannot occur in base64 or quoted-printable output; 7bit text is checked.
  return `=_septet_${randomBytes(12).toString('hex')}`;
}

/** The header block (without its blank line). */
export function buildHeader(options: BuildMessageOptions, contentFields: string): string {
  const fields: string[] = [];
  fields.push(`Date: ${options.formatDate(options.date)}\r\n`);
  fields.push(addressField('From', [options.from]));
  if (options.to.length > 0) fields.push(addressField('To', options.to));
  if (options.cc && options.cc.length > 0) fields.push(addressField('Cc', options.cc));
  if (options.bcc && options.bcc.length > 0) fields.push(addressField('Bcc', options.bcc));
  fields.push(foldField('Subject', encodeUnstructured(options.subject)));
  fields.push(`Message-ID: ${options.messageId}\r\n`);
  if (options.inReplyTo && options.inReplyTo.length > 0) fields.push(foldField('In-Reply-To', options.inReplyTo.join(' ')));
  if (options.references && options.references.length > 0) fields.push(foldField('References', options.references.join(' ')));
  fields.push('MIME-Version: 1.0\r\n');
  return fields.join('') + contentFields;
}

/** The whole message, header first, as a stream of buffers. */
export async function* buildMessage(options: BuildMessageOptions): AsyncGenerator<Buffer> {
  const text = encodeText(options.text);
  const textFields = `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ${text.encoding}\r\n`;
  if (!options.hasAttachments) {
    yield Buffer.from(`${buildHeader(options, textFields)}\r\n`, 'utf8');
    yield text.body;
    return;
  }
  let boundary = options.boundary ?? newMessageBoundary();
  // RFC 2046 §5.1.1: the boundary must not occur in a part; only the 7bit text could hold it.
  while (text.body.includes(`--${boundary}`)) boundary = newMessageBoundary();
  const multipart = `Content-Type: ${withParameters('multipart/mixed', [['boundary', boundary]])}\r\n`;
  yield Buffer.from(`${buildHeader(options, multipart)}\r\nThis is a multi-part message in MIME format.\r\n`, 'utf8');
  yield Buffer.from(`\r\n--${boundary}\r\n${textFields}\r\n`, 'latin1');
  yield text.body;
  for await (const attachment of options.attachments ?? []) {
    const type = safeMediaType(attachment.contentType);
    const name = attachment.filename.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 255) || 'attachment';
    const fields =
      `Content-Type: ${withParameters(type, [['name', name]])}\r\n` +
      `Content-Disposition: ${withParameters('attachment', [['filename', name]])}\r\n` +
      'Content-Transfer-Encoding: base64\r\n';
    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    yield Buffer.from(`\r\n--${boundary}\r\n${fields}\r\n`, 'utf8');
    yield* encodeStream(attachment.content);
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
}

/** Base64 lines of a stream: 57 octets a line (RFC 2045 §6.8), the remainder carried to the next chunk. */
async function* encodeStream(content: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of content) {
    const octets = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = carry.length > 0 ? Buffer.concat([carry, octets]) : octets;
    const whole = data.length - (data.length % BASE64_LINE_OCTETS);
    if (whole > 0) yield encodeBase64Lines(data.subarray(0, whole));
    carry = Buffer.from(data.subarray(whole));
  }
  if (carry.length > 0) yield encodeBase64Lines(carry);
}
