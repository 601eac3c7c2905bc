// The client's control connection: command lines out, replies in, over plain TCP or
// TLS (implicit, or AUTH TLS after the greeting, RFC 4217 §4). Replies are read
// through core/net/byte-reader.ts as octets, one bounded line at a time, so a server
// that never ends a line cannot make the client buffer without limit.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ByteReader, LineTooLongError } from '../../core/net/byte-reader.ts';
import { FtpProtocolError, FtpReplyError, isAccepted, readReply, type FtpReply } from './replies.ts';

/**
 * The longest reply line read, octets without CRLF. RFC 959 §4.2 sets no bound; reply
 * texts are short, except the lines of multi-line replies that carry a path or a
 * listing line (STAT path, MLST facts, 257 with doubled quotes), and paths may be
 * 4096 octets (RFC 2640 UTF-8 names). 8192 is also Python ftplib's _MAXLINE. The
 * client runs in `septet ftp`, outside the server and its configuration, so this is
 * a constant that FtpClientOptions.maxReplyLine can override, not a config key.
 */
export const MAX_REPLY_LINE = 8192;

export interface TlsClientOptions {
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface ControlOptions {
  host: string;
  port: number;
  /** ftps://: TLS from the first octet. */
  implicitTls: boolean;
  tls: TlsClientOptions;
  /** How long a reply may take to arrive (default 30 s). */
  timeoutMs?: number;
  maxReplyLine?: number;
}

export class ControlConnection {
  socket: Socket;
  private reader!: ByteReader;
  private detach: () => void = () => {};
  private readonly timeoutMs: number;
  private readonly maxLine: number;

  private constructor(socket: Socket, timeoutMs: number, maxLine: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.maxLine = maxLine;
    this.attach(socket);
  }

  static async open(o: ControlOptions): Promise<ControlConnection> {
    const socket = o.implicitTls ? tlsConnect({ host: o.host, port: o.port, ...o.tls }) : connect({ host: o.host, port: o.port });
    await once(socket, o.implicitTls ? 'secureConnect' : 'connect');
    return new ControlConnection(socket, o.timeoutMs ?? 30_000, o.maxReplyLine ?? MAX_REPLY_LINE);
  }

  get tlsSocket(): TLSSocket | null {
    return 'encrypted' in this.socket ? (this.socket as TLSSocket) : null;
  }

  /** A fresh reader fed by `socket`, with backpressure (pause when it holds enough). */
  private attach(socket: Socket): void {
    const reader = new ByteReader();
    reader.onDemand = () => socket.resume();
    reader.onSatiated = () => socket.pause();
    const onData = (chunk: Buffer) => reader.push(chunk);
    const onEnd = () => reader.end();
    const onError = (error: Error) => reader.fail(error);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    this.reader = reader;
    this.detach = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
  }

  private async line(): Promise<string> {
    let raw: Buffer | null;
    try {
      raw = await this.reader.readLine(this.maxLine);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      // The rest of the reply can no longer be framed: give up on the connection.
      this.socket.destroy();
      throw new FtpProtocolError(`a reply line is longer than ${this.maxLine} octets`);
    }
    if (raw === null) throw new Error('the server closed the control connection');
    return raw.toString('utf8');
  }

  /**
   * The next reply. One that does not come within the timeout ends the connection:
   * a late reply would be taken for the answer to the next command.
   */
  async reply(): Promise<FtpReply> {
    const timer = setTimeout(() => {
      this.reader.fail(new Error('timed out waiting for a reply'));
      this.socket.destroy();
    }, this.timeoutMs);
    try {
      return await readReply(() => this.line());
    } finally {
      clearTimeout(timer);
    }
  }

  send(line: string): void {
    if (/[\r\n]/.test(line)) throw new Error('a command must not contain CR or LF');
    this.socket.write(`${line}\r\n`);
  }

  async command(line: string): Promise<FtpReply> {
    this.send(line);
    return this.reply();
  }

  /** Sends and checks the reply's first digit(s); throws FtpReplyError otherwise. */
  async expect(line: string, ...accepted: number[]): Promise<FtpReply> {
    const r = await this.command(line);
    if (!isAccepted(r, accepted)) throw new FtpReplyError(line.startsWith('PASS ') ? 'PASS ***' : line, r);
    return r;
  }

  /**
   * AUTH TLS accepted: the rest of the conversation is under TLS (RFC 4217 §4).
   * Whatever came in plain text after the 234 is dropped with the old reader.
   */
  async upgrade(tlsOptions: TlsClientOptions): Promise<void> {
    const plain = this.socket;
    this.detach();
    const secure = tlsConnect({ socket: plain, ...tlsOptions });
    await once(secure, 'secureConnect');
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}
