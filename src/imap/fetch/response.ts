// One "* n FETCH (...)" response as it is written: short items collect in a text
// buffer, literals stream (RFC 3501 §4.3; literal8 "~{n}" for BINARY, RFC 3516 §4.2)
// from the body cache, from a message read ahead whole, from the blob store, or
// transfer-decoded, so a 50 MB BODY[] never sits in memory. A body in memory goes out
// with the rest of the response in the same write.

import type { MessageMeta } from '../../core/store/types.ts';
import type { ImapSession } from '../session.ts';
import { pipeDecoded, type SectionSource } from './sections.ts';

/** Small whole messages read ahead for one FETCH, by blob id (see commands/fetch.ts). */
export type WholeMessages = Map<string, Promise<Buffer>>;

/** <start.count> of BODY[section]<partial> (RFC 3501 §6.4.5). */
export type Partial = { start: number; count: number } | null;

export class FetchResponse {
  private readonly session: ImapSession;
  private readonly meta: MessageMeta;
  private readonly whole: WholeMessages;
  private text: string;
  private first = true;

  constructor(session: ImapSession, seq: number, meta: MessageMeta, whole: WholeMessages) {
    this.session = session;
    this.meta = meta;
    this.whole = whole;
    this.text = `* ${seq} FETCH (`;
  }

  /** One item that is text only ("UID 7", "FLAGS (...)"). */
  add(piece: string): void {
    this.text += (this.first ? '' : ' ') + piece;
    this.first = false;
  }

  /** A literal whose octets come from a source, after `label `. */
  async literal(label: string, source: SectionSource, partial: Partial, binary: boolean): Promise<void> {
    this.add(label + ' ');
    switch (source.kind) {
      case 'nil':
        this.text += 'NIL';
        return;
      case 'bytes':
        return this.bytesLiteral(binary ? source.data : withoutNul(source.data), partial);
      case 'range': {
        const ahead = this.prefetched(source);
        const body = this.session.store.blobs.inMemory(this.meta.blobId) ?? (await ahead);
        if (body?.length === this.meta.size) return this.inMemoryLiteral(body, source, partial, binary);
        return this.rangeLiteral(source, partial, binary);
      }
      case 'decoded':
        return this.decodedLiteral(source, partial);
    }
  }

  /** Ends the response and sends what is left. */
  async finish(): Promise<void> {
    this.text += ')\r\n';
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.text !== '') await this.session.send(this.text);
    this.text = '';
  }

  private bytesLiteral(data: Buffer, partial: Partial): void {
    const slice = partial ? data.subarray(Math.min(partial.start, data.length), Math.min(partial.start + partial.count, data.length)) : data;
    this.text += `{${slice.length}}\r\n${slice.toString('latin1')}`;
  }

  /** The whole message when it was read ahead for BODY[] (the cache being off or it too large). */
  private prefetched(source: { start: number; end: number }): Promise<Buffer> | undefined {
    const { meta, whole } = this;
    const prefetched = source.start === 0 && source.end === meta.size ? whole.get(meta.blobId) : undefined;
    if (!prefetched) return undefined;
    whole.delete(meta.blobId);
    return prefetched;
  }

  /** Octets [start, end) of the whole message in memory, with the partial applied. */
  private async inMemoryLiteral(data: Buffer, source: { start: number; end: number }, partial: Partial, binary: boolean): Promise<void> {
    let start = Math.min(source.start, data.length);
    let end = Math.min(source.end, data.length);
    if (partial) {
      start = Math.min(start + partial.start, end);
      end = Math.min(start + partial.count, end);
    }
    const slice = data.subarray(start, end);
    this.text += binary && slice.includes(0) ? `~{${slice.length}}\r\n` : `{${slice.length}}\r\n`;
    await this.flush();
    await this.session.send(binary ? slice : withoutNul(slice));
  }

  /** Stored octets as they are, streamed from the blob. */
  private async rangeLiteral(source: { start: number; end: number }, partial: Partial, binary: boolean): Promise<void> {
    const { blobs } = this.session.store;
    let { start, end } = source;
    if (partial) {
      start = Math.min(start + partial.start, end);
      end = Math.min(start + partial.count, end);
    }
    this.text += binary && (await this.hasNul(start, end)) ? `~{${end - start}}\r\n` : `{${end - start}}\r\n`;
    await this.flush();
    if (end > start) for await (const chunk of blobs.read(this.meta.blobId, { start, end }, this.meta.size)) await this.session.send(binary ? (chunk as Buffer) : withoutNul(chunk as Buffer));
  }

  /** Transfer-decoded (BINARY): one pass to learn the size, one to send. */
  private async decodedLiteral(source: SectionSource & { kind: 'decoded' }, partial: Partial): Promise<void> {
    const { blobs } = this.session.store;
    const { blobId } = this.meta;
    let nul = false;
    const total = await pipeDecoded(blobs, blobId, source, (chunk) => {
      if (!nul && isBinary(chunk)) nul = true;
    });
    const from = partial ? Math.min(partial.start, total) : 0;
    const to = partial ? Math.min(from + partial.count, total) : total;
    this.text += `${nul ? '~' : ''}{${to - from}}\r\n`;
    await this.flush();
    let offset = 0;
    await pipeDecoded(blobs, blobId, source, async (chunk) => {
      const a = Math.max(from - offset, 0);
      const b = Math.min(to - offset, chunk.length);
      offset += chunk.length;
      if (b > a) await this.session.send(chunk.subarray(a, b));
    });
  }

  /** Undecoded octets need literal8 only for NUL (as Dovecot). */
  private async hasNul(start: number, end: number): Promise<boolean> {
    if (end <= start) return false;
    for await (const chunk of this.session.store.blobs.read(this.meta.blobId, { start, end })) if ((chunk as Buffer).includes(0)) return true;
    return false;
  }
}

/**
 * RFC 9051 §4.3 / RFC 3501 §9 (CHAR8 is %x01-ff): a literal outside BINARY[] never
 * carries NUL, and clients that keep strings as C strings cut them there. Dovecot sends
 * 0x80 in its place, octet for octet, so sizes and offsets stay true; BINARY[] still
 * returns the exact octets (as literal8). Bare LFs and 8-bit octets go out as stored.
 */
export function withoutNul(chunk: Buffer): Buffer {
  if (!chunk.includes(0)) return chunk;
  const copy = Buffer.from(chunk);
  for (let i = copy.indexOf(0); i >= 0; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return copy;
}

/** Decoded content with NUL or 8-bit octets goes as literal8 "~{n}" (RFC 3516 §4.2; Dovecot does so for 8-bit too). */
function isBinary(chunk: Buffer): boolean {
  for (const b of chunk) if (b === 0 || b >= 0x80) return true;
  return false;
}
