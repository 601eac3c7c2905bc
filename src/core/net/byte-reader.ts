// A pull-based reader over the bytes of one connection. Protocol sessions ask for the
// next line, a counted run of bytes (literals, BDAT chunks) or a dot-terminated body;
// everything works on bytes, never on decoded strings, and every read has a limit.

import { DotDecoder } from './dot-decoder.ts';

export class LineTooLongError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`line longer than ${limit} octets`);
    this.limit = limit;
    this.name = 'LineTooLongError';
  }
}

export class ReadTimeoutError extends Error {
  constructor() {
    super('idle timeout');
    this.name = 'ReadTimeoutError';
  }
}

type Waiter = () => void;

export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | null = null;
  private waiter: Waiter | null = null;
  /** Called when the reader needs more input: the connection resumes its socket. */
  onDemand: () => void = () => {};
  /** Called when enough is buffered: the connection pauses its socket (backpressure). */
  onSatiated: () => void = () => {};
  /** Called right before the reader waits for input: the connection flushes replies. */
  onWait: () => void = () => {};
  /** Above this many buffered octets the socket is paused. */
  highWaterMark = 256 * 1024;

  push(chunk: Buffer): void {
    // An empty chunk would wake a reader with nothing to read (and reach sinks as such).
    if (this.ended || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= this.highWaterMark) this.onSatiated();
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.wake();
  }

  /** Octets received but not yet consumed. */
  get pending(): number {
    return this.buffered;
  }

  /** Drops everything buffered (RFC 3207 §4.2 / RFC 2595 §3.1: after STARTTLS). */
  discardBuffered(): number {
    const dropped = this.buffered;
    this.chunks = [];
    this.buffered = 0;
    return dropped;
  }

  /** The last line readLine returned ended in a lone LF, not CRLF (RFC 5321 §2.3.8). */
  lastLineBareLf = false;

  /**
   * The next line without its CRLF (a lone LF also ends a line, as real clients
   * sometimes send; lastLineBareLf tells, for protocols that refuse it). null at end of input. A line longer than `limit` octets is
   * consumed up to its end and reported as LineTooLongError, so the session can
   * answer and go on with the next line.
   */
  async readLine(limit: number): Promise<Buffer | null> {
    let overflowing = false;
    for (;;) {
      const lf = this.indexOfLf(overflowing ? Infinity : limit + 2);
      if (lf >= 0) {
        const raw = this.take(lf + 1);
        if (overflowing) throw new LineTooLongError(limit);
        let end = raw.length - 1;
        this.lastLineBareLf = !(end > 0 && raw[end - 1] === 0x0d);
        if (!this.lastLineBareLf) end -= 1;
        if (end > limit) throw new LineTooLongError(limit);
        return raw.subarray(0, end);
      }
      if (this.buffered > limit + 1) {
        // The line is too long. Its end may already be buffered in a later chunk (the
        // search above stops early), followed by pipelined lines that must survive.
        const end = this.indexOfLf(Infinity);
        if (end >= 0) {
          this.take(end + 1);
          throw new LineTooLongError(limit);
        }
        // Discard what we have of the overlong line and keep discarding to its end.
        this.take(this.buffered);
        overflowing = true;
      }
      if (!(await this.waitForInput())) {
        if (overflowing) throw new LineTooLongError(limit);
        return null;
      }
    }
  }

  /** Exactly n octets (null if the input ends first). */
  async readExact(n: number): Promise<Buffer | null> {
    while (this.buffered < n) {
      if (!(await this.waitForInput())) return null;
    }
    return this.take(n);
  }

  /**
   * Passes exactly n octets to sink in chunks, without holding them all in memory.
   * false if the input ended first.
   */
  async pipeExact(n: number, sink: (chunk: Buffer) => Promise<void> | void): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.waitForInput())) return false;
      const chunk = this.take(Math.min(left, this.buffered));
      left -= chunk.length;
      await sink(chunk);
    }
    return true;
  }

  /**
   * Reads a body that ends with a line holding a single "." (RFC 5321 §4.5.2),
   * removes dot-stuffing and passes the body, with CRLF line ends, to sink. Returns
   * false if the input ended before the terminating line. Pass a decoder to learn
   * afterwards whether the body held a bare CR or LF (decoder.bareNewline).
   */
  async pipeDotTerminated(sink: (chunk: Buffer) => Promise<void> | void, decoder = new DotDecoder()): Promise<boolean> {
    for (;;) {
      if (this.buffered === 0 && !(await this.waitForInput())) return false;
      const chunk = this.takeAll();
      const { body, consumed, done } = decoder.decode(chunk);
      if (consumed < chunk.length) this.unshift(chunk.subarray(consumed));
      if (body.length > 0) await sink(body);
      if (done) return true;
    }
  }

  private async waitForInput(): Promise<boolean> {
    if (this.failure) throw this.failure;
    if (this.ended) return false;
    this.onWait();
    this.onDemand();
    await new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
    if (this.buffered > 0) return true;
    if (this.failure) throw this.failure;
    return !this.ended;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private indexOfLf(searchLimit: number): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      const i = chunk.indexOf(0x0a);
      if (i >= 0) return offset + i;
      offset += chunk.length;
      if (offset > searchLimit) return -1;
    }
    return -1;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const part = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, part);
        filled += part;
        if (part === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.buffered -= n;
    return out;
  }

  private takeAll(): Buffer {
    return this.take(this.buffered);
  }

  private unshift(chunk: Buffer): void {
    this.chunks.unshift(chunk);
    this.buffered += chunk.length;
  }
}
