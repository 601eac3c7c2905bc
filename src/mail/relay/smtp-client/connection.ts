// One TCP or TLS connection read as SMTP reply lines: the core ByteReader frames
// the bytes, with a deadline per reply. STARTTLS swaps the socket and starts a fresh
// reader, so nothing the server sent in clear is read as if it came over TLS
// (RFC 3207 §4.2, the mirror of the server-side rule).

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ByteReader, LineTooLongError } from '../../../core/net/byte-reader.ts';
import { parseReplyLine, SmtpClientError, withEnhanced, type SmtpReply } from './replies.ts';

/** From the configuration (relay.max_reply_line, relay.max_reply_lines). */
export interface ReplyLimits {
  /** RFC 5321 §4.5.3.1.5: reply lines are at most 512 octets; be lenient. */
  maxLine: number;
  /** A reply with more lines than this is not an SMTP server. */
  maxLines: number;
}

export class LineConnection {
  socket: Socket;
  private reader!: ByteReader;
  timeoutMs: number;
  private readonly limits: ReplyLimits;

  private constructor(socket: Socket, timeoutMs: number, limits: ReplyLimits) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.limits = limits;
    this.attach();
  }

  static async open(options: {
    address: string;
    port: number;
    connectTimeoutMs: number;
    timeoutMs: number;
    replyLimits: ReplyLimits;
    implicitTls?: ConnectionOptions | null;
    localAddress?: string;
  }): Promise<LineConnection> {
    const { address, port } = options;
    const local = options.localAddress ? { localAddress: options.localAddress } : {};
    const socket = options.implicitTls ? tlsConnect({ host: address, port, ...local, ...options.implicitTls }) : netConnect({ host: address, port, ...local });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new SmtpClientError('timeout', `connect to ${address}:${port} timed out`)), options.connectTimeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error instanceof SmtpClientError ? error : new SmtpClientError('connect', `connect to ${address}:${port}: ${error.message}`, { cause: error }));
      };
      socket.once('error', fail);
      socket.once(options.implicitTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve();
      });
    });
    socket.setNoDelay(true);
    return new LineConnection(socket, options.timeoutMs, options.replyLimits);
  }

  get secure(): boolean {
    return 'encrypted' in this.socket;
  }

  get tlsSocket(): TLSSocket | null {
    return this.secure ? (this.socket as TLSSocket) : null;
  }

  private attach(): void {
    const reader = new ByteReader();
    const socket = this.socket;
    reader.onDemand = () => socket.resume();
    reader.onSatiated = () => socket.pause();
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('end', () => reader.end());
    socket.on('close', () => reader.end());
    socket.on('error', (error) => reader.fail(error));
    this.reader = reader;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Reads one complete (possibly multi-line) reply. */
  async readReply(timeoutMs = this.timeoutMs): Promise<SmtpReply> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.socket.destroy();
        reject(new SmtpClientError('timeout', `no reply within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.readReplyLines(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async readReplyLines(): Promise<SmtpReply> {
    const texts: string[] = [];
    let code = 0;
    for (;;) {
      let raw: Buffer | null;
      try {
        raw = await this.reader.readLine(this.limits.maxLine);
      } catch (error) {
        if (error instanceof LineTooLongError) throw new SmtpClientError('protocol', 'reply line too long');
        throw new SmtpClientError('closed', `connection failed: ${(error as Error).message}`, { cause: error });
      }
      if (raw === null) throw new SmtpClientError('closed', 'the server closed the connection');
      const line = parseReplyLine(raw.toString('utf8'));
      if (!line || (code !== 0 && line.code !== code)) throw new SmtpClientError('protocol', `not an SMTP reply: ${raw.toString('latin1').slice(0, 80)}`);
      code = line.code;
      texts.push(line.text);
      if (line.last) return withEnhanced(code, texts);
      if (texts.length > this.limits.maxLines) throw new SmtpClientError('protocol', 'reply has too many lines');
    }
  }

  /** RFC 3207 §4: the TLS handshake over this connection; the plaintext reader is dropped. */
  async upgrade(options: ConnectionOptions): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = tlsConnect({ ...options, socket: plain });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('TLS handshake timed out')), this.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        secure.destroy();
        reject(new SmtpClientError('tls', `TLS: ${error.message}`, { cause: error }));
      };
      secure.once('error', fail);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.off('error', fail);
        resolve();
      });
    });
    this.socket = secure;
    this.attach();
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
