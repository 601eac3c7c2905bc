// The channel's input as the session reads it: octets queued as they arrive (pausing
// the stream when too much waits, so a client cannot fill memory), handed out on
// request; plain lines for a session without a pty, with the line limit.

import type { Readable } from 'node:stream';

/** Input kept unread before the stream is paused. */
const HIGH_WATER = 64 * 1024;

export class ChannelInput {
  private readonly stream: Readable;
  private chunks: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private waiter: (() => void) | null = null;

  constructor(stream: Readable, signal: AbortSignal) {
    this.stream = stream;
    stream.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (bytes.length === 0) return;
      this.chunks.push(bytes);
      this.queued += bytes.length;
      if (this.queued > HIGH_WATER) stream.pause();
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    stream.once('end', end);
    stream.once('close', end);
    stream.once('error', end);
    if (signal.aborted) end();
    else signal.addEventListener('abort', end, { once: true });
  }

  /** The next octets, or null at the end of input. */
  async next(): Promise<Buffer | null> {
    while (this.chunks.length === 0) {
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const chunk = this.chunks.shift()!;
    this.queued -= chunk.length;
    if (this.queued <= HIGH_WATER && this.stream.isPaused()) this.stream.resume();
    return chunk;
  }

  /** Octets read but not used (typed ahead of the next line) go back in front. */
  unread(rest: Buffer): void {
    if (rest.length === 0) return;
    this.chunks.unshift(rest);
    this.queued += rest.length;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

export type PlainLine = { kind: 'line'; text: string } | { kind: 'too-long' } | { kind: 'end' };

/** One LF-terminated line (a CR before the LF is dropped); the last line may lack its LF. */
export async function readPlainLine(input: ChannelInput, maxBytes: number): Promise<PlainLine> {
  const parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  for (;;) {
    const chunk = await input.next();
    if (chunk === null) {
      if (tooLong) return { kind: 'too-long' };
      return length === 0 ? { kind: 'end' } : { kind: 'line', text: decode(Buffer.concat(parts)) };
    }
    const lf = chunk.indexOf(0x0a);
    const piece = lf === -1 ? chunk : chunk.subarray(0, lf);
    if (lf !== -1) input.unread(chunk.subarray(lf + 1));
    if (!tooLong) {
      if (length + piece.length > maxBytes + 1) {
        // Past the limit: the rest of the line is read and dropped.
        tooLong = true;
        parts.length = 0;
      } else {
        parts.push(piece);
        length += piece.length;
      }
    }
    if (lf !== -1) {
      if (tooLong) return { kind: 'too-long' };
      let line = Buffer.concat(parts);
      if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
      if (line.length > maxBytes) return { kind: 'too-long' };
      return { kind: 'line', text: decode(line) };
    }
  }
}

const decode = (bytes: Buffer): string => new TextDecoder('utf-8', { fatal: false }).decode(bytes);
