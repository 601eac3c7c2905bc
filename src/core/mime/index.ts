// Septet's MIME module: structure parsing with exact octet offsets, header and
// address parsing, encoded words and parameters, transfer codecs, a small multipart
// builder (reports) and the message builder of the webmail (message-builder.ts,
// header-encoding.ts: RFC 2047 words, RFC 2231 parameters, streamed attachments).
// IMAP (FETCH, SEARCH), the relay (bounces, 8bit downgrade) and S/MIME use it.
//
// ─── The part tree: parseMimeStructure(source) / parseMimeBuffer(buffer) ─────────
//
// Every offset is an absolute octet offset into the stored message (CRLF line ends,
// though bare LF is handled too). For every part:
//
//   headerStart   first octet of the part's header. For a multipart child: the line
//                 after its delimiter line; for the top-level message: 0; for a
//                 message/rfc822's `message`: the rfc822 part's bodyStart.
//   headerEnd     just after the header's blank line (the blank line is included).
//                 Exceptions, as Dovecot: a header cut short by a delimiter line or
//                 EOF ends there (without the line end that belongs to the
//                 delimiter); a header whose blank line is directly followed by a
//                 delimiter ends before that blank line's CRLF (the CRLF is the
//                 delimiter's, RFC 2046 §5.1.1) and the part has an empty body.
//   bodyStart     always === headerEnd.
//   bodyEnd       end of the body, excluding the CRLF before the next delimiter
//                 (RFC 2046 §5.1.1); for a multipart, after its epilogue; at EOF for
//                 parts that are never closed (missing final boundary).
//                 IMAP: BODY[n] = [bodyStart, bodyEnd), BODY[n.MIME] = [headerStart,
//                 headerEnd), and for a message (root or `message`) HEADER is its
//                 header range and TEXT its body range.
//   bodyLines     LFs in [bodyStart, bodyEnd): BODYSTRUCTURE's body-fld-lines for
//                 text/* and message/rfc822 (what Dovecot reports).
//   header        the header fields (HeaderField: name, lowerName, start, raw octets
//                 with their line ends, unfolded value). At most maxHeaderBytes
//                 (64 KiB) of a header are kept; `headerTruncated` says when fields
//                 beyond were dropped (offsets stay exact).
//   structure     'multipart': `children` are the body parts (possibly none: no
//                 boundary parameter, or the header had no blank line; Dovecot then
//                 writes one empty part ("text" "plain" ("charset" "us-ascii") NIL NIL
//                 "7bit" 0 0) in BODYSTRUCTURE).
//                 'message': message/rfc822; `message` is the encapsulated message,
//                 a part whose header is the inner RFC 5322 header (use it for the
//                 ENVELOPE: buildEnvelope(part.message.header)) and whose body
//                 structure is its own (multipart children etc.).
//                 'leaf': anything else, including a multipart or message/rfc822
//                 nested deeper than maxDepth (100) or past maxParts (10000) — as
//                 Dovecot, those are then written as basic parts of their type.
//   type, subtype as written in Content-Type (case kept: "TEXT"/"Plain" stays so);
//                 defaults per RFC 2045 §5.2 "text"/"plain", and "message"/"rfc822"
//                 inside multipart/digest (RFC 2046 §5.1.5). An unreadable
//                 Content-Type counts as absent.
//   mediaType     lowercased "type/subtype", for comparisons.
//   rawParams     Content-Type parameters as BODYSTRUCTURE's body-fld-param wants
//                 them, in Dovecot's form: plain ones as written (quotes removed),
//                 then RFC 2231 continuations joined ("filename*" with the value
//                 still "utf-8''%E2%82%AC.txt" when encoded). Empty list: NIL, except
//                 that Dovecot writes ("charset" "us-ascii") for a text/* part
//                 without parameters.
//   params        the same, decoded for programs: names lowercased without "*",
//                 RFC 2231 charsets and (non-standard but common) RFC 2047 words
//                 decoded; an extended value wins over a plain one of the same name.
//   charset       the charset parameter, or "us-ascii" for text/* without one,
//                 null for other types.
//   boundary      multipart boundary (first 80 octets), else null.
//   id            Content-ID (body-fld-id), raw trimmed value, or null.
//   description   Content-Description (body-fld-desc), raw (encoded words kept), or null.
//   encoding      Content-Transfer-Encoding token as written, or null (write "7bit").
//   md5           Content-MD5 (body-fld-md5), or null.
//   disposition   Content-Disposition (body-fld-dsp): { type, params, rawParams }, or null.
//   language      Content-Language tags (body-fld-lang, RFC 3282), or null.
//   location      Content-Location (body-fld-loc, RFC 2557), or null.
//   children      multipart body parts (IMAP numbers them 1..n).
//   message       message/rfc822 content, else null.
// Size for BODYSTRUCTURE (body-fld-octets) is bodyEnd - bodyStart (bodySize()).
// findSection(root, [2, 1]) resolves IMAP part numbers (RFC 3501 §6.4.5).

export { parseMimeStructure, parseMimeBuffer, MimeStructureParser, MIME_PARSE_DEFAULTS } from './structure-parser.ts';
export type { MimeParseOptions, MimeSource } from './structure-parser.ts';
export type { MimePart, PartStructure, ContentDisposition } from './part.ts';
export { paramValue, bodyRange, bodySize, walkParts } from './part.ts';
export { findSection, messageOfSection } from './sections.ts';

export type { HeaderField } from './header.ts';
export { parseHeaderFields, unfold, findField, headerValue, headerValues, decodeHeaderValue } from './header.ts';
export { decodeEncodedWords } from './encoded-words.ts';
export type { MimeParam, RawParam, ParsedContentType, ParsedDisposition } from './mime-params.ts';
export { parseContentType, parseContentDisposition, parseLanguageList } from './mime-params.ts';
export type { AddressListItem, MailboxAddress, GroupAddress } from './address.ts';
export { parseAddressList } from './address.ts';
export { addressSearchText } from './address-text.ts';
export type { MailDate } from './date.ts';
export { parseMailDate } from './date.ts';
export type { Envelope, EnvelopeAddress } from './envelope.ts';
export { buildEnvelope, MISSING_MAILBOX, MISSING_DOMAIN } from './envelope.ts';

export { decodeCharset, decodeHeaderOctets, isKnownCharset, normalizeCharset } from './charset.ts';
export {
  Base64Decoder,
  QuotedPrintableDecoder,
  Base64DecodeState,
  QuotedPrintableDecodeState,
  transferDecoder,
  decodeTransfer,
} from './transfer-decoding.ts';
export {
  QuotedPrintableEncoder,
  QuotedPrintableEncodeState,
  Base64LineEncoder,
  encodeBase64Lines,
  encodeQuotedPrintable,
} from './transfer-encoding.ts';
export { decodeBodyText, createBodyTextDecoder } from './body-text.ts';
export type { BuildPart, BuildMultipartOptions, BuiltMultipart } from './builder.ts';
export { buildMultipart, quoteParam } from './builder.ts';
export type { HeaderAddress } from './header-encoding.ts';
export { encodedWords, encodeUnstructured, encodePhrase, formatAddress, foldField, addressField, parameterSegments, withParameters } from './header-encoding.ts';
export type { BuildAttachment, BuildMessageOptions, EncodedText } from './message-builder.ts';
export { buildMessage, buildHeader, encodeText, safeMediaType, newMessageBoundary } from './message-builder.ts';
