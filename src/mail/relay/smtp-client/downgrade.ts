// What the remote can take: 8-bit bodies need 8BITMIME (RFC 6152), UTF-8 in the
// header or addresses needs SMTPUTF8 (RFC 6531). Without 8BITMIME, every MIME leaf
// part with 8-bit octets is re-encoded as quoted-printable (RFC 6152 §3, RFC 1652 §5:
// the client converts); the rest of the message stays byte for byte.

import { encodeQuotedPrintable } from '../../../core/mime/transfer-encoding.ts';
import { parseMimeBuffer, walkParts, type MimePart } from '../../../core/mime/index.ts';

export interface BodyTraits {
  /** Octets >= 0x80 anywhere after the header: BODY=8BITMIME. */
  eightBitBody: boolean;
  /** Octets >= 0x80 in the top-level header: only an SMTPUTF8 server may take it (RFC 6532). */
  utf8Header: boolean;
}

const hasHighBit = (bytes: Uint8Array, start = 0, end = bytes.length): boolean => {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return true;
  return false;
};

/** Scans a chunk stream once; `feed` each chunk in order, then `traits`. */
export class TraitScanner {
  private inHeader = true;
  private tail = '';
  private result: BodyTraits = { eightBitBody: false, utf8Header: false };

  feed(chunk: Buffer): void {
    if (!this.inHeader) {
      if (!this.result.eightBitBody && hasHighBit(chunk)) this.result.eightBitBody = true;
      return;
    }
    const text = this.tail + chunk.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    const headerPart = end >= 0 ? text.slice(0, end) : text;
    if (/[\x80-\xff]/.test(headerPart)) this.result.utf8Header = true;
    if (end >= 0) {
      this.inHeader = false;
      if (/[\x80-\xff]/.test(text.slice(end))) this.result.eightBitBody = true;
    } else this.tail = text.slice(-3);
  }

  get traits(): BodyTraits {
    return { ...this.result };
  }
}

function leafNeedsEncoding(message: Buffer, part: MimePart): boolean {
  if (part.structure !== 'leaf') return false;
  return hasHighBit(message, part.bodyStart, part.bodyEnd);
}

/**
 * The message with each 8-bit leaf part quoted-printable encoded and its
 * Content-Transfer-Encoding set to match. Parts are replaced back to front so the
 * parser's offsets stay valid.
 */
export function downgradeTo7bit(message: Buffer): Buffer {
  const root = parseMimeBuffer(message);
  const leaves = [...walkParts(root)].filter((p) => leafNeedsEncoding(message, p)).sort((a, b) => b.headerStart - a.headerStart);
  let out = message;
  for (const part of leaves) {
    const cte = part.header.find((f) => f.lowerName === 'content-transfer-encoding');
    const body = encodeQuotedPrintable(out.subarray(part.bodyStart, part.bodyEnd));
    const pieces: Buffer[] = [];
    if (cte) {
      pieces.push(out.subarray(0, cte.start), Buffer.from('Content-Transfer-Encoding: quoted-printable\r\n'), out.subarray(cte.start + cte.raw.length, part.bodyStart));
    } else {
      // A new field at the start of the part's header (the top-level part too).
      pieces.push(out.subarray(0, part.headerStart), Buffer.from('Content-Transfer-Encoding: quoted-printable\r\n'), out.subarray(part.headerStart, part.bodyStart));
    }
    pieces.push(body, out.subarray(part.bodyEnd));
    out = Buffer.concat(pieces);
  }
  return out;
}
