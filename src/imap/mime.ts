// The parts of Septet's MIME module (src/core/mime/) the IMAP engine uses, in one
// place, so a change of the module's surface touches one import list.

export type { MimePart, HeaderField, Envelope, EnvelopeAddress } from '../core/mime/index.ts';
export {
  bodySize,
  parseHeaderFields,
  findField,
  headerValue,
  decodeHeaderValue,
  MimeStructureParser,
  findSection,
  messageOfSection,
  buildEnvelope,
  parseAddressList,
  addressSearchText,
  createBodyTextDecoder,
  parseMailDate,
  isKnownCharset,
  transferDecoder,
} from '../core/mime/index.ts';
