// One SMTP connection: its state (a discriminated union, the envelope inside it),
// the authenticated account, the error count, and the read loop (run). Commands live
// in commands/, looked up by dispatch.ts; framing in core/net (ByteReader); the body
// path in data.ts.

import type { Logger } from 'pino';
import type { Authenticator } from '../core/auth/types.ts';
import type { Config } from '../core/config/schema.ts';
import type { Connection, TlsProvider } from '../core/net/connection.ts';
import type { Account, Store } from '../core/store/types.ts';
import type { AcceptedRecipient } from '../mail/deliver.ts';
import type { MailService } from '../mail/mail-service.ts';
import type { MessageWriter } from '../mail/message-writer.ts';
import { LineTooLongError, ReadTimeoutError } from '../core/net/byte-reader.ts';
import { dispatch } from './dispatch.ts';
import { formatReply, isProtocolError, Replies } from './replies.ts';

export interface SmtpDeps {
  /** 'mta' on port 25 (mail for local domains without AUTH); 'submission' on 587/465 (AUTH required, RFC 6409). */
  mode: 'mta' | 'submission';
  /** Port 465 (RFC 8314 §3.3): the listener did the handshake; STARTTLS is never offered. */
  implicitTls?: boolean;
  config: Config;
  hostname: string;
  store: Store;
  auth: Authenticator;
  tls: TlsProvider;
  log: Logger;
  mail: MailService;
}

export interface ClientIdentity {
  /** The HELO/EHLO argument. */
  helo: string;
  /** EHLO (true) or HELO (false): ESMTP parameters need EHLO (RFC 5321 §4.1.1.1). */
  esmtp: boolean;
}

export interface Envelope {
  /** '' for the null reverse-path "<>". */
  sender: string;
  /** RFC 1870 SIZE= as declared (null if absent). */
  declaredSize: number | null;
  body: '7BIT' | '8BITMIME';
  /** RFC 6531: UTF-8 addresses and header allowed in this transaction. */
  smtputf8: boolean;
  recipients: AcceptedRecipient[];
  /** RFC 3461 §4.3 RET (FULL or HDRS) and §4.4 ENVID (xtext decoded), or null. */
  ret: string | null;
  envid: string | null;
}

export interface BodyInProgress {
  writer: MessageWriter;
  messageId: string;
  receivedAt: Date;
}

export type SessionState =
  /** Before HELO/EHLO, and again after STARTTLS (RFC 3207 §4.2). */
  | { name: 'greeting' }
  /** After HELO/EHLO, no transaction. */
  | { name: 'ready'; client: ClientIdentity }
  /** After MAIL, before the first accepted RCPT. */
  | { name: 'mail'; client: ClientIdentity; envelope: Envelope }
  /** At least one recipient accepted: DATA or BDAT may follow. */
  | { name: 'rcpt'; client: ClientIdentity; envelope: Envelope }
  /** BDAT chunks arriving (RFC 3030); only BDAT, RSET, NOOP, EHLO, HELO and QUIT are allowed. */
  | { name: 'bdat'; client: ClientIdentity; envelope: Envelope; body: BodyInProgress }
  | { name: 'closed' };

export type StateName = SessionState['name'];

/** The client went away or a read failed: end the session quietly. */
export class ClientGoneError extends Error {
  constructor() {
    super('client gone');
    this.name = 'ClientGoneError';
  }
}

export class SmtpSession {
  readonly conn: Connection;
  readonly deps: SmtpDeps;
  readonly log: Logger;
  state: SessionState = { name: 'greeting' };
  /** Set by AUTH; cleared by STARTTLS (RFC 3207 §4.2). */
  account: Account | null = null;
  errors = 0;
  /** Messages accepted on this connection (for logs). */
  accepted = 0;

  constructor(conn: Connection, deps: SmtpDeps) {
    this.conn = conn;
    this.deps = deps;
    this.log = conn.log;
  }

  get config(): Config {
    return this.deps.config;
  }

  /** Longest command line, without CRLF (config smtp.max_line_length). */
  get lineLimit(): number {
    return this.config.smtp.max_line_length;
  }

  get client(): ClientIdentity | null {
    return this.state.name === 'greeting' || this.state.name === 'closed' ? null : this.state.client;
  }

  /** RFC 4954 §4 and RFC 8314: passwords only over TLS, on loopback, or when configured. */
  get authAllowed(): boolean {
    const c = this.config;
    return this.conn.secure || this.conn.isLoopback || c.auth.allow_plaintext || !c.smtp.require_tls_for_auth;
  }

  reply(reply: { code: number; enhanced: string; text: string }): void {
    if (isProtocolError(reply.code)) this.errors++;
    this.conn.write(formatReply(reply));
  }

  /** Ends the transaction (RSET, EHLO, after a message): RFC 5321 §4.1.1.5. */
  async resetTransaction(): Promise<void> {
    const state = this.state;
    if (state.name === 'bdat') await state.body.writer.abort().catch(() => {});
    if (state.name === 'mail' || state.name === 'rcpt' || state.name === 'bdat') this.state = { name: 'ready', client: state.client };
  }

  /** Reads one line inside a command (SASL); the client leaving ends the session. */
  async readLine(): Promise<Buffer> {
    const line = await this.conn.reader.readLine(this.lineLimit);
    if (line === null || this.refusedBareLf()) throw new ClientGoneError();
    return line;
  }

  /**
   * After reading a command line: one that ended in a bare LF is answered 550 5.5.2
   * and the connection closed when smtp.bare_newline = "reject" (RFC 5321 §2.3.8; what
   * Postfix does with smtpd_forbid_bare_newline = reject). True if so.
   */
  refusedBareLf(): boolean {
    if (!this.conn.reader.lastLineBareLf || this.config.smtp.bare_newline !== 'reject') return false;
    this.log.info('bare LF in a command line; closing');
    this.reply(Replies.bareNewlineInCommand);
    this.close();
    return true;
  }

  /** The whole life of the connection: greeting, commands, cleanup. Never throws. */
  async run(): Promise<void> {
    const { conn, config } = this;
    conn.setIdleTimeout(config.smtp.command_timeout * 1000);
    conn.write(`220 ${this.deps.hostname} ESMTP Septet\r\n`);
    // RFC 5321 §4.3.1 says clients wait for the greeting. Early talkers are mostly spam
    // bots; we answer them normally (a greet pause would delay every honest client)
    // and note it in the log for whoever tunes the filters.
    if (conn.reader.pending > 0) this.log.info({ octets: conn.reader.pending }, 'client sent data before the greeting');
    let first = true;
    try {
      while (this.state.name !== 'closed') {
        let line: Buffer | null;
        try {
          line = await conn.reader.readLine(this.lineLimit);
        } catch (error) {
          if (!(error instanceof LineTooLongError)) throw error;
          this.reply(Replies.lineTooLong.with(`Line too long (limit ${error.limit} octets)`));
          if (this.closeAfterTooManyErrors()) break;
          continue;
        }
        if (line === null || this.refusedBareLf()) break;
        await dispatch(this, line, first);
        first = false;
        if (this.closeAfterTooManyErrors()) break;
      }
    } catch (error) {
      if (error instanceof ReadTimeoutError) {
        this.log.info('idle timeout');
        this.reply(Replies.idleTimeout);
      } else if (!(error instanceof ClientGoneError)) {
        this.log.debug({ err: (error as Error).message }, 'session ended by error');
      }
    } finally {
      // A transaction cut off (disconnect mid-DATA/BDAT) delivers nothing.
      await this.resetTransaction();
      this.close();
    }
  }

  private closeAfterTooManyErrors(): boolean {
    if (this.state.name === 'closed') return true;
    if (this.errors < this.config.smtp.max_errors) return false;
    this.log.info({ errors: this.errors }, 'too many errors, closing');
    this.reply(Replies.tooManyErrors);
    this.close();
    return true;
  }

  close(): void {
    const state = this.state;
    // A message cut off by QUIT, an error or a disconnect is never delivered.
    if (state.name === 'bdat') void state.body.writer.abort().catch(() => {});
    this.state = { name: 'closed' };
    this.conn.close();
  }
}
