// Septet's outbound SMTP client (RFC 5321 as the client side): greeting, EHLO with
// HELO fallback, STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954) for smart hosts,
// and one transaction per message for all of its recipients at this host, pipelined
// when the server offers PIPELINING (RFC 2920). SIZE (RFC 1870) fails early, 8-bit
// bodies are downgraded without 8BITMIME (RFC 6152), UTF-8 mail needs SMTPUTF8
// (RFC 6531), DSN parameters (RFC 3461) are passed on when the server offers DSN.
// After a transaction the connection is ready for the next message (reuse).

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ConnectionOptions } from 'node:tls';
import { planDowngrade, SevenBitRewriter, type BodyTraits } from './downgrade.ts';
import { DotStuffer } from './dot-stuffing.ts';
import { LineConnection, type ReplyLimits } from './connection.ts';
import { encodeXtext, formatReply, isPositive, SmtpClientError, type SmtpReply } from './replies.ts';

export interface SmtpClientOptions {
  /** Our name in EHLO/HELO. */
  heloName: string;
  /** Per reply (RFC 5321 §4.5.3.2: 5 minutes for most commands). */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** relay.max_reply_line and relay.max_reply_lines (RFC 5321 §4.5.3.1.5). */
  replyLimits: ReplyLimits;
  /** For the reply after the final "." (RFC 5321 §4.5.3.2.6: 10 minutes). */
  dataTimeoutMs?: number;
  /** Local address to connect from (relay.source_address). */
  localAddress?: string;
}

export interface OutboundRecipient {
  address: string;
  /** RFC 3461 NOTIFY value as received, or null. */
  notify?: string | null;
  /** RFC 3461 ORCPT "addr-type;address" (decoded), or null. */
  orcpt?: string | null;
}

export interface OutboundMessage {
  sender: string;
  recipients: OutboundRecipient[];
  /** Octets of the stored message (SIZE=). */
  size: number;
  envid?: string | null;
  ret?: string | null;
  traits: BodyTraits;
  /** A fresh stream of the stored message (CRLF line ends); the 8BITMIME downgrade opens it three times. */
  open(): Readable;
}

export interface RecipientReply {
  address: string;
  /** Final: the RCPT reply when refused, else the reply to the data. */
  reply: SmtpReply;
  accepted: boolean;
}

const needsUtf8 = (text: string) => /[^\x00-\x7f]/.test(text);

export class SmtpClient {
  readonly conn: LineConnection;
  readonly options: SmtpClientOptions;
  /** The host we talk to, for logs and Remote-MTA. */
  readonly hostName: string;
  /** EHLO keywords (upper-case) -> their parameters. Empty after HELO. */
  extensions = new Map<string, string>();
  greeting: SmtpReply | null = null;
  /** Messages sent on this connection (reuse). */
  transactions = 0;
  private broken = false;

  private constructor(conn: LineConnection, hostName: string, options: SmtpClientOptions) {
    this.conn = conn;
    this.hostName = hostName;
    this.options = options;
  }

  /** Connects, reads the greeting and says EHLO (or HELO). Throws SmtpClientError. */
  static async connect(
    target: { address: string; port: number; hostName: string; implicitTls?: ConnectionOptions | null },
    options: SmtpClientOptions,
  ): Promise<SmtpClient> {
    const conn = await LineConnection.open({
      address: target.address,
      port: target.port,
      connectTimeoutMs: options.connectTimeoutMs,
      replyLimits: options.replyLimits,
      timeoutMs: options.timeoutMs,
      implicitTls: target.implicitTls ?? null,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    const client = new SmtpClient(conn, target.hostName, options);
    try {
      const greeting = await conn.readReply();
      client.greeting = greeting;
      // RFC 5321 §3.1: 220 or 554 (no service here); anything else, go elsewhere.
      if (greeting.code !== 220) throw new SmtpClientError('reply', `greeting: ${formatReply(greeting)}`, { reply: greeting, permanent: false });
      await client.hello();
      return client;
    } catch (error) {
      conn.close();
      throw error;
    }
  }

  get usable(): boolean {
    return !this.broken && !this.conn.socket.destroyed;
  }

  has(extension: string): boolean {
    return this.extensions.has(extension);
  }

  /** RFC 5321 §4.1.1.1 EHLO; a server that does not know it gets HELO (§3.2). */
  async hello(): Promise<void> {
    const ehlo = await this.command(`EHLO ${this.options.heloName}`);
    if (ehlo.code === 250) {
      this.extensions = new Map(
        ehlo.lines.slice(1).map((line) => {
          const [keyword = '', ...rest] = line.trim().split(/\s+/);
          return [keyword.toUpperCase(), rest.join(' ')] as const;
        }),
      );
      return;
    }
    if (ehlo.code < 500) throw new SmtpClientError('reply', `EHLO: ${formatReply(ehlo)}`, { reply: ehlo, permanent: false });
    const helo = await this.command(`HELO ${this.options.heloName}`);
    if (helo.code !== 250) throw new SmtpClientError('reply', `HELO: ${formatReply(helo)}`, { reply: helo, permanent: false });
    this.extensions = new Map();
  }

  /** RFC 3207: upgrade, then EHLO again (§4.2: forget what was learned before). */
  async startTls(tls: ConnectionOptions): Promise<void> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) throw new SmtpClientError('tls', `STARTTLS: ${formatReply(reply)}`, { reply, permanent: false });
    await this.conn.upgrade(tls);
    this.extensions = new Map();
    await this.hello();
  }

  /** RFC 4954 with PLAIN (RFC 4616) or LOGIN; only over TLS. */
  async authenticate(user: string, password: string): Promise<void> {
    if (!this.conn.secure) throw new SmtpClientError('tls', 'refusing to send a password without TLS', { permanent: false });
    const mechanisms = (this.extensions.get('AUTH') ?? '').toUpperCase().split(/\s+/);
    let reply: SmtpReply;
    if (mechanisms.includes('PLAIN')) {
      reply = await this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64')}`);
    } else if (mechanisms.includes('LOGIN')) {
      reply = await this.command('AUTH LOGIN');
      if (reply.code === 334) reply = await this.command(Buffer.from(user, 'utf8').toString('base64'));
      if (reply.code === 334) reply = await this.command(Buffer.from(password, 'utf8').toString('base64'));
    } else {
      throw new SmtpClientError('protocol', 'the smart host offers neither AUTH PLAIN nor LOGIN', { permanent: false });
    }
    if (reply.code !== 235) throw new SmtpClientError('reply', `AUTH: ${formatReply(reply)}`, { reply, permanent: false });
  }

  /**
   * One transaction for all recipients. Resolves with a reply per recipient; throws
   * SmtpClientError when the message as a whole was refused (MAIL, DATA start, SIZE,
   * SMTPUTF8) or the connection failed (the outcome of the data is then unknown, and
   * the caller retries: at least once).
   */
  async send(message: OutboundMessage): Promise<RecipientReply[]> {
    if (!this.usable) throw new SmtpClientError('closed', 'connection not usable');
    if (this.transactions > 0) await this.resetIfNeeded();
    const limit = Number(this.extensions.get('SIZE') ?? 0);
    // RFC 1870 §6.1: do not send what the server said it would refuse.
    if (this.has('SIZE') && limit > 0 && message.size > limit) {
      throw new SmtpClientError('size', `message of ${message.size} octets exceeds ${this.hostName}'s limit of ${limit}`, { permanent: true });
    }
    const utf8 = message.traits.utf8Header || needsUtf8(message.sender) || message.recipients.some((r) => needsUtf8(r.address));
    if (utf8 && !this.has('SMTPUTF8')) {
      throw new SmtpClientError('smtputf8', `${this.hostName} does not support SMTPUTF8, which this message needs (RFC 6531)`, { permanent: true });
    }
    const downgrade = message.traits.eightBitBody && !this.has('8BITMIME');
    // Worked out before MAIL, so the remote is not kept waiting in DATA while we read.
    const plan = downgrade ? await planDowngrade(() => message.open()) : null;
    const dsn = this.has('DSN');

    const mailParams: string[] = [];
    if (this.has('SIZE')) mailParams.push(`SIZE=${message.size}`);
    if (message.traits.eightBitBody && !downgrade) mailParams.push('BODY=8BITMIME');
    if (utf8) mailParams.push('SMTPUTF8');
    if (dsn && message.ret) mailParams.push(`RET=${message.ret}`);
    if (dsn && message.envid) mailParams.push(`ENVID=${encodeXtext(message.envid)}`);
    const mailLine = [`MAIL FROM:<${message.sender}>`, ...mailParams].join(' ');
    const rcptLines = message.recipients.map((r) => {
      const params: string[] = [];
      if (dsn && r.notify) params.push(`NOTIFY=${r.notify}`);
      if (dsn && r.orcpt) {
        const [type, ...rest] = r.orcpt.split(';');
        params.push(`ORCPT=${type};${encodeXtext(rest.join(';'))}`);
      }
      return [`RCPT TO:<${r.address}>`, ...params].join(' ');
    });

    this.transactions++;
    this.broken = true; // until the transaction ends cleanly
    let mailReply: SmtpReply;
    const rcptReplies: SmtpReply[] = [];
    let dataReply: SmtpReply | null = null;
    if (this.has('PIPELINING')) {
      // RFC 2920 §3.1: MAIL, RCPTs and DATA in one group; DATA last.
      this.conn.write([mailLine, ...rcptLines, 'DATA'].map((l) => l + '\r\n').join(''));
      mailReply = await this.conn.readReply();
      for (let i = 0; i < rcptLines.length; i++) rcptReplies.push(await this.conn.readReply());
      dataReply = await this.conn.readReply();
    } else {
      mailReply = await this.command(mailLine);
      if (isPositive(mailReply)) {
        for (const line of rcptLines) rcptReplies.push(await this.command(line));
        if (rcptReplies.some((r) => r.code >= 200 && r.code < 300)) dataReply = await this.command('DATA');
      }
    }

    const accepted = rcptReplies.map((r) => r.code >= 200 && r.code < 300);
    if (dataReply?.code === 354 && (!isPositive(mailReply) || !accepted.some(Boolean))) {
      // RFC 2920 §3.1: the server took DATA though nobody can receive; send an empty message's end.
      this.conn.write('.\r\n');
      await this.conn.readReply();
      dataReply = null;
    }
    if (!isPositive(mailReply)) {
      this.broken = false;
      this.needsReset = true;
      throw new SmtpClientError('reply', `MAIL: ${formatReply(mailReply)}`, { reply: mailReply });
    }
    const refusedOnly = (): RecipientReply[] =>
      message.recipients.map((r, i) => ({ address: r.address, reply: rcptReplies[i]!, accepted: false }));
    if (!accepted.some(Boolean)) {
      this.broken = false;
      this.needsReset = true;
      return refusedOnly();
    }
    if (!dataReply || dataReply.code !== 354) {
      this.broken = false;
      this.needsReset = true;
      const reply = dataReply ?? { code: 451, enhanced: '4.5.0', lines: ['no reply to DATA'] };
      throw new SmtpClientError('reply', `DATA: ${formatReply(reply)}`, { reply });
    }

    if (plan) await pipeline(message.open(), new SevenBitRewriter(plan), new DotStuffer(), this.conn.socket, { end: false });
    else await pipeline(message.open(), new DotStuffer(), this.conn.socket, { end: false });
    const final = await this.conn.readReply(this.options.dataTimeoutMs ?? 600_000);
    this.broken = false;
    this.needsReset = false;
    return message.recipients.map((r, i) => (accepted[i] ? { address: r.address, reply: final, accepted: isPositive(final) } : { address: r.address, reply: rcptReplies[i]!, accepted: false }));
  }

  private needsReset = false;

  private async resetIfNeeded(): Promise<void> {
    if (!this.needsReset) return;
    const reply = await this.command('RSET');
    if (reply.code !== 250) {
      this.broken = true;
      throw new SmtpClientError('reply', `RSET: ${formatReply(reply)}`, { reply, permanent: false });
    }
    this.needsReset = false;
  }

  /** QUIT politely; never throws. */
  async quit(): Promise<void> {
    try {
      if (this.usable) {
        this.conn.write('QUIT\r\n');
        await this.conn.readReply(5000);
      }
    } catch {
      // The server may hang up first; either way we are done.
    } finally {
      this.conn.close();
    }
  }

  private async command(line: string): Promise<SmtpReply> {
    this.conn.write(line + '\r\n');
    return this.conn.readReply();
  }
}
