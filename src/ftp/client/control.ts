// The client's control connection: sends command lines and reads (multi-line)
// replies as RFC 959 §4.2 frames them, over plain TCP or TLS.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface FtpReply {
  code: number;
  /** The text of every line, codes removed, joined with "\n". */
  message: string;
}

export class FtpReplyError extends Error {
  readonly reply: FtpReply;
  constructor(command: string, reply: FtpReply) {
    super(`${command} → ${reply.code} ${reply.message}`);
    this.name = 'FtpReplyError';
    this.reply = reply;
  }
}

export class ControlConnection {
  socket: Socket;
  private buffer = '';
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly timeoutMs: number;

  private constructor(socket: Socket, timeoutMs: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.attach(socket);
  }

  static async open(host: string, port: number, implicitTls: boolean, tlsOptions: { rejectUnauthorized: boolean; servername?: string }, timeoutMs = 30_000): Promise<ControlConnection> {
    const socket = implicitTls ? tlsConnect({ host, port, ...tlsOptions }) : connect({ host, port });
    await once(socket, implicitTls ? 'secureConnect' : 'connect');
    return new ControlConnection(socket, timeoutMs);
  }

  get tlsSocket(): TLSSocket | null {
    return 'encrypted' in this.socket ? (this.socket as TLSSocket) : null;
  }

  private attach(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      this.notify();
    });
    socket.on('error', (error) => {
      this.error = error;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async line(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const i = this.buffer.indexOf('\n');
      if (i >= 0) {
        const line = this.buffer.slice(0, i).replace(/\r$/, '');
        this.buffer = this.buffer.slice(i + 1);
        return line;
      }
      if (this.error) throw this.error;
      if (this.ended) throw new Error('the server closed the control connection');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a reply');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async reply(): Promise<FtpReply> {
    const first = await this.line();
    const code = Number(first.slice(0, 3));
    if (!/^\d{3}[ -]/.test(first) && first.length !== 3) throw new Error(`malformed reply: ${first}`);
    const lines = [first.slice(4)];
    if (first[3] === '-') {
      const end = `${first.slice(0, 3)} `;
      for (;;) {
        const l = await this.line();
        if (l.startsWith(end)) {
          lines.push(l.slice(4));
          break;
        }
        lines.push(l.startsWith(' ') ? l.slice(1) : l);
      }
    }
    return { code, message: lines.join('\n') };
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
    if (!accepted.some((a) => (a < 10 ? Math.floor(r.code / 100) === a : r.code === a))) throw new FtpReplyError(line.startsWith('PASS ') ? 'PASS ***' : line, r);
    return r;
  }

  /** AUTH TLS accepted: the rest of the conversation is under TLS (RFC 4217 §4). */
  async upgrade(tlsOptions: { rejectUnauthorized: boolean; servername?: string }): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = tlsConnect({ socket: plain, ...tlsOptions });
    await once(secure, 'secureConnect');
    this.socket = secure;
    this.buffer = '';
    this.attach(secure);
  }

  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}
