// One SMTP connection: its state (a discriminated union, the envelope inside it),
// the authenticated account, the error count, and the read loop (run). Commands live
// in commands/, looked up by dispatch.ts; framing in core/net (ByteReader); the body
// path in data.ts.

import type { Logger } from 'pino';
import type { Config } from '../core/config/schema.ts';
import { LineTooLongError } from '../core/net/byte-reader.ts';
import { ConnectionClosedError, type Connection } from '../core/net/connection.ts';
import type { MailServiceDeps } from '../core/service/deps.ts';
import { passwordsAllowed } from '../core/service/plaintext-policy.ts';
import type { Account } from '../core/store/types.ts';
import type { TerminalRegistry } from '../core/bus/terminals.ts';
import type { AcceptedRecipient } from '../mail/deliver.ts';
import type { MailService } from '../mail/mail-service.ts';
import type { MessageWriter } from '../mail/message-writer.ts';
import { dispatch, replyToFailure, replyToSessionEnd } from './dispatch.ts';
import { formatReply, isProtocolError, Replies } from './replies.ts';

/** implicitTls is port 465 (RFC 8314 §3.3): the listener did the handshake; STARTTLS is never offered. */
export interface SmtpDeps extends MailServiceDeps {
  /** 'mta' on port 25 (mail for local domains without AUTH); 'submission' on 587/465 (AUTH required, RFC 6409). */
  mode: 'mta' | 'submission';
  mail: MailService;
  /** Open console terminals, for SEND/SOML/SAML (smtp.terminal_delivery); without it those stay 502. */
  terminals?: TerminalRegistry;
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
  /** RFC 821 §3.5: a transaction begun by SEND, SOML or SAML (commands/terminal.ts); absent for MAIL. */
  terminal?: 'send' | 'soml' | 'saml';
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

  /**
   * RFC 4954 §4 and RFC 8314: passwords only over TLS or on loopback (the policy every
   * service shares), unless auth.allow_plaintext or, for SMTP alone, smtp.require_tls_for_auth = false.
   */
  get authAllowed(): boolean {
    return passwordsAllowed(this.conn, this.config) || !this.config.smtp.require_tls_for_auth;
  }

  /** Sends a reply; refusals of the client's input count toward smtp.max_errors. */
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
    if (line === null || this.refusedBareLf()) throw new ConnectionClosedError();
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
    const { conn } = this;
    conn.setIdleTimeout(this.config.smtp.command_timeout * 1000);
    this.reply(Replies.greeting(this.deps.hostname));
    // RFC 5321 §4.3.1 says clients wait for the greeting. Early talkers are mostly spam
    // bots; we answer them normally (a greet pause would delay every honest client)
    // and note it in the log for whoever tunes the filters.
    if (conn.reader.pending > 0) this.log.info({ octets: conn.reader.pending }, 'client sent data before the greeting');
    try {
      await this.serveCommands();
    } catch (error) {
      replyToSessionEnd(this, error);
    } finally {
      // A transaction cut off (disconnect mid-DATA/BDAT) delivers nothing.
      await this.resetTransaction();
      this.close();
    }
  }

  /** Reads and dispatches command lines until the session closes or the client leaves. */
  private async serveCommands(): Promise<void> {
    let first = true;
    while (this.state.name !== 'closed') {
      let line: Buffer | null;
      try {
        line = await this.conn.reader.readLine(this.lineLimit);
      } catch (error) {
        if (!(error instanceof LineTooLongError)) throw error;
        replyToFailure(this, error);
        if (this.closeAfterTooManyErrors()) return;
        continue;
      }
      if (line === null || this.refusedBareLf()) return;
      await dispatch(this, line, first);
      first = false;
      if (this.closeAfterTooManyErrors()) return;
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
