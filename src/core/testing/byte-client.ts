// The one byte-level client the tests use to talk to a server over a socket (plain
// or TLS, upgradable with startTls): it buffers what arrives and lets a test wait
// for a predicate over the buffer, read a line, take n octets, or wait for the
// server to close. Each protocol's test support adds only its reply parser on top
// (SMTP and FTP reply codes, POP3 multi-line bodies, IMAP literals). Test-only.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface ByteClientOptions {
  /** How line() decodes a line (default latin1, which keeps every octet). */
  encoding?: BufferEncoding;
}

export class ByteClient {
  socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | null = null;
  private readonly encoding: BufferEncoding;

  constructor(socket: Socket, options: ByteClientOptions = {}) {
    this.socket = socket;
    this.encoding = options.encoding ?? 'latin1';
    this.attach(socket);
  }

  /**
   * A connected socket to host:port: plain TCP, or with implicitTls a TLS session
   * (RFC 8314) that accepts the test's self-signed certificate.
   */
  static async connectTo(port: number, host = '127.0.0.1', options: { implicitTls?: boolean } = {}): Promise<Socket> {
    const socket = options.implicitTls ? tlsConnect({ port, host, servername: 'localhost', rejectUnauthorized: false }) : connect(port, host);
    await once(socket, options.implicitTls ? 'secureConnect' : 'connect');
    socket.setNoDelay(true);
    return socket;
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<ByteClient> {
    return new ByteClient(await ByteClient.connectTo(port, host));
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('error', () => {}); // a reset shows as 'close'; tests assert on what they read
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The octets received and not read yet. */
  get buffered(): Buffer {
    return this.buffer;
  }

  /** The same, as latin1 text (for assertions and error messages). */
  get unread(): string {
    return this.buffer.toString('latin1');
  }

  /** True once the socket has closed (the buffer may still hold unread octets). */
  get closed(): boolean {
    return this.ended;
  }

  /**
   * Waits until `holds(buffer)` is true. Rejects when the connection closes first
   * ("connection closed", with what is unread) or after timeoutMs.
   */
  async waitFor(holds: (buffer: Buffer) => boolean, timeoutMs = 5000, what = 'data'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!holds(this.buffer)) {
      if (this.ended) throw new Error(`connection closed waiting for ${what}; unread: ${JSON.stringify(this.unread)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; unread: ${JSON.stringify(this.unread)}`);
      await this.nextEvent(left);
    }
  }

  /** Resolves at the next chunk or close, or after ms. */
  private nextEvent(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Removes and returns the first n buffered octets (they must be there). */
  consume(n: number): Buffer {
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** The next n octets. */
  async take(n: number, timeoutMs = 5000): Promise<Buffer> {
    await this.waitFor((b) => b.length >= n, timeoutMs, `${n} octets`);
    return this.consume(n);
  }

  /** The next line as raw octets, up to and including its LF. */
  async rawLine(timeoutMs = 5000): Promise<Buffer> {
    await this.waitFor((b) => b.includes(0x0a), timeoutMs, 'a line');
    return this.consume(this.buffer.indexOf(0x0a) + 1);
  }

  /** The next line without its CRLF (fails on a line that ends in a bare LF). */
  async line(timeoutMs = 5000): Promise<string> {
    const raw = await this.rawLine(timeoutMs);
    if (raw.length < 2 || raw[raw.length - 2] !== 0x0d) throw new Error(`line without CRLF: ${JSON.stringify(raw.toString('latin1'))}`);
    return raw.subarray(0, raw.length - 2).toString(this.encoding);
  }

  /** Like line(), but null once the server has closed and no whole line is left. */
  async lineOrEnd(timeoutMs = 5000): Promise<string | null> {
    await this.waitFor((b) => b.includes(0x0a) || this.ended, timeoutMs, 'a line or the end');
    return this.buffer.includes(0x0a) ? this.line() : null;
  }

  /** Resolves when the server has closed the connection (fails after timeoutMs). */
  async closedByServer(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => this.ended, timeoutMs, 'the server to close the connection');
  }

  /** Everything still unread once the server has closed, as latin1 text. */
  async readToEnd(timeoutMs = 5000): Promise<string> {
    await this.closedByServer(timeoutMs);
    return this.consume(this.buffer.length).toString('latin1');
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Starts TLS on this connection (after the protocol's STARTTLS/STLS/AUTH TLS reply). */
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, servername: 'localhost' });
    await once(secure, 'secureConnect');
    this.socket = secure;
    this.attach(secure);
  }

  get encrypted(): boolean {
    return 'encrypted' in this.socket;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Drops the connection abruptly. */
  destroy(): void {
    this.socket.destroy();
  }
}
