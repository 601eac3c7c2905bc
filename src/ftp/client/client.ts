// Septet's FTP client library: ftp:// and ftps:// URLs, passive (EPSV, then PASV) or
// active (EPRT, then PORT) data connections, AUTH TLS with PROT P (data connections
// resume the control connection's TLS session, as require_ssl_reuse servers want),
// every TYPE/STRU/MODE of RFC 959 through the same codecs the server uses, REST for
// resume and restart markers in block and compressed modes.

import { once } from 'node:events';
import { isIP, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_PARAMS, isPlainCopy, type TransferParams } from '../data/events.ts';
import { ReceivePipeline, SendPipeline } from '../data/pipeline.ts';
import { ControlConnection, type TlsClientOptions } from './connection.ts';
import { prepareActive, preparePassive, secureData, type PendingData } from './data-connection.ts';
import { FtpReplyError, parseQuotedPath, replyClass, RESTART_MARKER, type FtpReply } from './replies.ts';

export { MAX_REPLY_LINE } from './connection.ts';
export { FtpProtocolError, FtpReplyError, type FtpReply } from './replies.ts';

export interface FtpClientOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** 'implicit' = ftps:// (port 990), 'explicit' = AUTH TLS on ftp://, 'none' = plain text. */
  security: 'implicit' | 'explicit' | 'none';
  active?: boolean;
  /** Verify the server's certificate (default true). */
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
  /** Longest reply line, octets (default MAX_REPLY_LINE). */
  maxReplyLine?: number;
}

export interface TransferOptions {
  /** REST offset: where the server starts reading (download) or writing (upload). */
  restart?: number;
  append?: boolean;
  onProgress?: (bytes: number) => void;
  /** Block/compressed mode restart markers: the server's marker and our stored offset. */
  onMarker?: (marker: string, localOffset: number) => void;
}

/** "ftp://user:pass@host:port/path" → connection options and the decoded path. */
export function parseFtpUrl(url: string): { options: Omit<FtpClientOptions, 'active'>; path: string } {
  const u = new URL(url);
  if (u.protocol !== 'ftp:' && u.protocol !== 'ftps:') throw new Error(`not an ftp:// or ftps:// URL: ${url}`);
  const implicit = u.protocol === 'ftps:';
  return {
    options: {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port ? Number(u.port) : implicit ? 990 : 21,
      user: u.username ? decodeURIComponent(u.username) : 'anonymous',
      password: u.password ? decodeURIComponent(u.password) : 'septet@',
      security: implicit ? 'implicit' : 'none',
    },
    path: decodeURIComponent(u.pathname) || '/',
  };
}

export class FtpClient {
  readonly control: ControlConnection;
  private readonly options: FtpClientOptions;
  private params: TransferParams = { ...DEFAULT_PARAMS, type: 'I' };
  private protectData = false;

  private constructor(control: ControlConnection, options: FtpClientOptions) {
    this.control = control;
    this.options = options;
  }

  static async connect(options: FtpClientOptions): Promise<FtpClient> {
    const tls = tlsOptions(options);
    const control = await ControlConnection.open({
      host: options.host,
      port: options.port,
      implicitTls: options.security === 'implicit',
      tls,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.maxReplyLine !== undefined ? { maxReplyLine: options.maxReplyLine } : {}),
    });
    const client = new FtpClient(control, options);
    try {
      await client.start(tls);
      return client;
    } catch (error) {
      control.close();
      throw error;
    }
  }

  /** Greeting, AUTH TLS (explicit), login, PBSZ/PROT P (any TLS), then TYPE/STRU/MODE. */
  private async start(tls: TlsClientOptions): Promise<void> {
    const { control, options } = this;
    const greeting = await control.reply();
    if (greeting.code !== 220) throw new FtpReplyError('(greeting)', greeting);
    if (options.security === 'explicit') {
      await control.expect('AUTH TLS', 234);
      await control.upgrade(tls);
    }
    const user = await control.expect(`USER ${options.user}`, 230, 331);
    if (user.code === 331) await control.expect(`PASS ${options.password}`, 2);
    if (options.security !== 'none') {
      // RFC 4217 §8-9: PBSZ 0 first, then data connections under TLS too.
      await control.expect('PBSZ 0', 2);
      await control.expect('PROT P', 2);
      this.protectData = true;
    }
    await this.applyParams();
  }

  /** RFC 959 §3.1-3.4: TYPE/STRU/MODE for the following transfers. */
  async setParams(params: Partial<TransferParams>): Promise<void> {
    this.params = { ...this.params, ...params };
    await this.applyParams();
  }

  private async applyParams(): Promise<void> {
    const p = this.params;
    const type = p.type === 'A' || p.type === 'E' ? `${p.type} ${p.form}` : p.type === 'L' ? 'L 8' : 'I';
    await this.control.expect(`TYPE ${type}`, 2);
    await this.control.expect(`STRU ${p.structure}`, 2);
    await this.control.expect(`MODE ${p.mode}`, 2);
  }

  command(line: string): Promise<FtpReply> {
    return this.control.command(line);
  }

  async pwd(): Promise<string> {
    return parseQuotedPath(await this.control.expect('PWD', 257));
  }

  async size(path: string): Promise<number | null> {
    const r = await this.control.command(`SIZE ${path}`);
    return r.code === 213 ? Number(r.message.trim()) : null;
  }

  async mkdir(path: string): Promise<void> {
    await this.control.expect(`MKD ${path}`, 257);
  }

  async delete(path: string): Promise<void> {
    await this.control.expect(`DELE ${path}`, 250);
  }

  async rmdir(path: string): Promise<void> {
    await this.control.expect(`RMD ${path}`, 250);
  }

  async quit(): Promise<void> {
    await this.control.command('QUIT').catch(() => undefined);
    this.control.close();
  }

  /** LIST (ls -l lines) or NLST (names). Listings always come as ASCII. */
  async list(path = '', namesOnly = false): Promise<string> {
    const chunks: Buffer[] = [];
    const saved = this.params;
    const listing: TransferParams = { type: 'A', form: 'N', structure: 'F', mode: saved.mode };
    await this.transfer(`${namesOnly ? 'NLST' : 'LIST'}${path ? ` ${path}` : ''}`, 'download', {
      sink: async (socket) => {
        const codec = new ReceivePipeline(listing);
        for await (const chunk of socket) for (const item of codec.push(chunk as Buffer)) if (item.kind === 'bytes') chunks.push(item.bytes);
        for (const item of codec.end()) if (item.kind === 'bytes') chunks.push(item.bytes);
      },
    });
    return Buffer.concat(chunks).toString('utf8');
  }

  /** MLSD entries: name → facts (RFC 3659 §7). */
  async mlsd(path = ''): Promise<Map<string, Record<string, string>>> {
    const chunks: Buffer[] = [];
    await this.transfer(`MLSD${path ? ` ${path}` : ''}`, 'download', {
      sink: async (socket) => {
        for await (const chunk of socket) chunks.push(chunk as Buffer);
      },
    });
    return parseMlsd(Buffer.concat(chunks).toString('utf8'));
  }

  /** RETR into `destination`; returns the stored octets received. */
  async download(path: string, destination: Writable, options: TransferOptions = {}): Promise<number> {
    let bytes = 0;
    const params = this.params;
    if (options.restart) await this.control.expect(`REST ${options.restart}`, 350);
    const counted = (n: number) => {
      bytes += n;
      options.onProgress?.(bytes);
    };
    await this.transfer(`RETR ${path}`, 'download', {
      sink: async (socket) => {
        if (isPlainCopy(params)) {
          socket.on('data', (chunk: Buffer) => counted(chunk.length));
          await pipeline(socket, destination, { end: false });
          return;
        }
        await receiveDecoded(socket, params, destination, counted, (marker) => options.onMarker?.(marker, (options.restart ?? 0) + bytes));
      },
    });
    return bytes;
  }

  /** STOR (or APPE) from `source`; returns the stored octets sent. */
  async upload(path: string, source: Readable, options: TransferOptions = {}): Promise<number> {
    let bytes = 0;
    const params = this.params;
    if (options.restart) await this.control.expect(`REST ${options.restart}`, 350);
    await this.transfer(`${options.append ? 'APPE' : 'STOR'} ${path}`, 'upload', {
      source: async (socket) => {
        const codec = isPlainCopy(params) ? null : new SendPipeline(params);
        for await (const chunk of source) {
          const buffer = chunk as Buffer;
          bytes += buffer.length;
          for (const out of codec ? codec.push(buffer) : [buffer]) if (!socket.write(out)) await once(socket, 'drain');
          options.onProgress?.(bytes);
        }
        if (codec) for (const out of codec.end()) socket.write(out);
        await new Promise<void>((resolve) => socket.end(() => resolve()));
      },
    });
    return bytes;
  }

  /**
   * One transfer: prepare the data connection, send the command, expect 1yz, move
   * the data, expect 226. 110 MARK replies during uploads are skipped.
   */
  private async transfer(
    command: string,
    direction: 'download' | 'upload',
    io: { sink?: (socket: Socket) => Promise<void>; source?: (socket: Socket) => Promise<void> },
  ): Promise<void> {
    const pending = await this.prepareData();
    const preliminary = await this.control.command(command);
    if (replyClass(preliminary) !== 1) {
      pending.cancel();
      throw new FtpReplyError(command, preliminary);
    }
    let socket: Socket;
    try {
      socket = await pending.open();
      if (this.protectData) socket = await secureData(socket, this.control.tlsSocket, this.options.host, this.options.rejectUnauthorized ?? true);
    } catch (error) {
      await this.control.reply().catch(() => undefined);
      throw error;
    }
    const finalReply = this.finalReply();
    try {
      if (direction === 'download') await io.sink!(socket);
      else await io.source!(socket);
    } finally {
      socket.destroy();
    }
    const done = await finalReply;
    if (replyClass(done) !== 2) throw new FtpReplyError(command, done);
  }

  private async finalReply(): Promise<FtpReply> {
    for (;;) {
      const r = await this.control.reply();
      if (r.code !== RESTART_MARKER) return r;
    }
  }

  private prepareData(): Promise<PendingData> {
    return this.options.active ? prepareActive(this.control) : preparePassive(this.control, this.options.host);
  }
}

function tlsOptions(options: FtpClientOptions): TlsClientOptions {
  return { rejectUnauthorized: options.rejectUnauthorized ?? true, ...(isIP(options.host) ? {} : { servername: options.host }) };
}

/** Decodes a non-plain transfer (RFC 959 §3: TYPE A/E, STRU R, MODE B/C) into `destination`. */
async function receiveDecoded(socket: Socket, params: TransferParams, destination: Writable, counted: (n: number) => void, onMarker: (marker: string) => void): Promise<void> {
  const codec = new ReceivePipeline(params);
  const take = async (items: ReturnType<ReceivePipeline['push']>) => {
    for (const item of items) {
      if (item.kind === 'bytes') {
        const ok = destination.write(item.bytes);
        counted(item.bytes.length);
        if (!ok) await once(destination, 'drain');
      } else if (item.kind === 'mark') onMarker(item.marker);
    }
  };
  for await (const chunk of socket) await take(codec.push(chunk as Buffer));
  await take(codec.end());
}

/** RFC 3659 §7.2: MLSD lines "fact=value;...; name" → name → facts (lower-case names). */
export function parseMlsd(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const line of text.split(/\r?\n/)) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const facts: Record<string, string> = {};
    for (const fact of line.slice(0, space).split(';')) {
      const eq = fact.indexOf('=');
      if (eq > 0) facts[fact.slice(0, eq).toLowerCase()] = fact.slice(eq + 1);
    }
    out.set(line.slice(space + 1), facts);
  }
  return out;
}
