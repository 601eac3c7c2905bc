// A part's body as text, for SEARCH BODY / TEXT (RFC 3501 §6.4.4, RFC 9051 §6.4.4):
// transfer encoding undone, then the charset decoded to a JS string.

import { isUtf8 } from 'node:buffer';
import { compose, type Duplex, Transform, type TransformCallback } from 'node:stream';
import { decodeCharset, decoderFor } from './charset.ts';
import type { MimePart } from './part.ts';
import { decodeTransfer, transferDecoder } from './transfer-decoding.ts';

/** The charset to read a part with: its parameter; none for non-text parts (then UTF-8 or windows-1252 by content). */
function charsetOf(part: Pick<MimePart, 'charset' | 'mediaType'>): string | null {
  return part.charset;
}

/** Decodes a whole body (the octets [bodyStart, bodyEnd) of the message) to text. */
export function decodeBodyText(body: Uint8Array, part: Pick<MimePart, 'encoding' | 'charset' | 'mediaType'>): string {
  return decodeCharset(decodeTransfer(body, part.encoding), charsetOf(part));
}

/**
 * The streaming form for large bodies: octets in, strings out (object mode on the
 * readable side). Multi-octet characters split across chunks are kept whole.
 */
export function createBodyTextDecoder(part: Pick<MimePart, 'encoding' | 'charset' | 'mediaType'>): Duplex {
  const transfer = transferDecoder(part.encoding);
  const text = new CharsetTransform(charsetOf(part));
  if (transfer === null) return text;
  return compose(transfer, text);
}

class CharsetTransform extends Transform {
  private decoder: TextDecoder | null;

  constructor(charset: string | null) {
    super({ readableObjectMode: true });
    const known = charset === null ? null : decoderFor(charset);
    // A fresh decoder: {stream: true} keeps state, so the shared ones will not do.
    this.decoder = known === null ? null : new TextDecoder(known.encoding, { fatal: false });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.decoder === null) {
      // Unlabeled: choose by the first chunk (UTF-8 if it is valid, allowing a cut character at its end).
      const probe = chunk.subarray(0, Math.max(0, chunk.length - 3));
      this.decoder = new TextDecoder(isUtf8(probe) ? 'utf-8' : 'windows-1252', { fatal: false });
    }
    const text = this.decoder.decode(chunk, { stream: true });
    if (text !== '') this.push(text);
    done();
  }

  override _flush(done: TransformCallback): void {
    const text = this.decoder === null ? '' : this.decoder.decode();
    if (text !== '') this.push(text);
    done();
  }
}
