// The body path of one incoming message: trace header first, then the client's
// octets (optionally through header completion), streamed into a BlobWriter with
// backpressure. Counts the client's octets against the size limit; past it, the
// rest is read and dropped (the blob is removed at once) so the caller can answer
// 552 after the end of the data (RFC 1870 §6.3).

import type { BlobWriter, Store } from '../core/store/types.ts';
import type { HeaderCompleter } from './header-completion.ts';

export interface MessageWriterOptions {
  /** Written before the body: the Received field. */
  prefix: string;
  /** Most octets of client data accepted. */
  maxSize: number;
  /** For submission: adds Message-ID and Date when missing (RFC 6409 §8). */
  completer?: HeaderCompleter | null;
}

export class MessageWriter {
  private blob: BlobWriter | null;
  private readonly completer: HeaderCompleter | null;
  private readonly maxSize: number;
  private received = 0;
  private exceeded = false;

  private constructor(blob: BlobWriter, options: MessageWriterOptions) {
    this.blob = blob;
    this.completer = options.completer ?? null;
    this.maxSize = options.maxSize;
  }

  static async open(store: Store, options: MessageWriterOptions): Promise<MessageWriter> {
    const blob = await store.blobs.create();
    const writer = new MessageWriter(blob, options);
    try {
      await blob.write(Buffer.from(options.prefix, 'utf8'));
    } catch (error) {
      await blob.abort().catch(() => {});
      throw error;
    }
    return writer;
  }

  /** Client octets received so far (without our trace field). */
  get size(): number {
    return this.received;
  }

  get oversize(): boolean {
    return this.exceeded;
  }

  async write(chunk: Buffer): Promise<void> {
    this.received += chunk.length;
    if (this.exceeded) return;
    if (this.received > this.maxSize) {
      this.exceeded = true;
      await this.abort();
      return;
    }
    const blob = this.blob;
    if (!blob) return;
    const parts = this.completer ? this.completer.push(chunk) : [chunk];
    for (const part of parts) if (part.length > 0) await blob.write(part);
  }

  /**
   * After the last client octet: completes a message that is all header, so that
   * `header` is final before the caller decides to commit. commit() does it too.
   */
  async endOfInput(): Promise<void> {
    const blob = this.blob;
    if (!blob || this.exceeded) return;
    for (const part of this.completer?.end() ?? []) if (part.length > 0) await blob.write(part);
  }

  /** With a completer: the header block as stored, or null while incomplete or when larger than its limit. */
  get header(): Buffer | null {
    return this.completer?.header ?? null;
  }

  /** Flushes and fsyncs; after this resolves the body survives a crash. */
  async commit(): Promise<{ blobId: string; size: number }> {
    const blob = this.blob;
    if (!blob || this.exceeded) throw new Error('message writer already aborted');
    await this.endOfInput();
    this.blob = null;
    return blob.commit();
  }

  /** Drops what was written; safe to call more than once. */
  async abort(): Promise<void> {
    const blob = this.blob;
    this.blob = null;
    if (blob) await blob.abort();
  }
}
