// One IMAP connection: its state (RFC 3501 §3 / RFC 9051 §3: not authenticated →
// authenticated → selected → logout), the read loop and output with backpressure.
// The untagged updates other sessions' changes cause live in updates.ts, the
// capability list in capabilities.ts. Commands live in commands/; the dispatcher
// checks state and maps errors.

import type { Config } from '../core/config/schema.ts';
import type { Logger } from '../core/log/logger.ts';
import { ConnectionClosedError, type Connection } from '../core/net/connection.ts';
import type { MailServiceDeps } from '../core/service/deps.ts';
import { passwordsAllowed } from '../core/service/plaintext-policy.ts';
import type { Account, Store } from '../core/store/types.ts';
import { readCommand, type ReaderLimits } from './command-reader.ts';
import { dispatch, replyToSessionEnd } from './dispatch.ts';
import { capabilityCode } from './capabilities.ts';
import { newKeywordsAnnouncement } from './keywords.ts';
import { Code, no, Text, untaggedStatus } from './replies.ts';
import type { MailboxView } from './selected-view.ts';
import { UpdateTracker } from './updates.ts';

/** IMAP needs nothing beyond what every mail service is given. */
export interface ImapDeps extends MailServiceDeps {}

/** RFC 3501 §3 / RFC 9051 §3. */
export type SessionState =
  | { name: 'not-authenticated' }
  | { name: 'authenticated'; account: Account }
  | { name: 'selected'; account: Account; view: MailboxView }
  | { name: 'logout' };
export type StateName = SessionState['name'];

export interface ImapLimits extends ReaderLimits {
  appendLiteralOctets: number;
  idleTimeoutMs: number;
  loginTimeoutMs: number;
  commandsBeforeLogin: number;
  unknownBeforeLogin: number;
  /** FETCH / SEARCH read a header alone up to this size (fetch/message-source.ts). */
  headerReadOctets: number;
}

export function limitsFrom(config: Config): ImapLimits {
  const c = config.imap;
  return {
    lineOctets: c.max_command_length,
    commandLiteralOctets: c.max_command_literal_size,
    unauthenticatedLiteralOctets: Math.min(c.max_command_literal_size, c.max_literal_before_login),
    commandOctets: Math.max(c.max_command_length, c.max_command_literal_size) * c.command_size_factor,
    literalDiscardFactor: c.literal_discard_factor,
    headerReadOctets: c.header_read_limit,
    appendLiteralOctets: c.max_literal_size,
    idleTimeoutMs: c.idle_timeout * 1000,
    loginTimeoutMs: c.login_timeout * 1000,
    commandsBeforeLogin: c.max_commands_before_login,
    unknownBeforeLogin: c.max_unknown_commands,
  };
}

/** Extensions a client can ENABLE (RFC 5161); they change how responses look. */
export type Enableable = 'CONDSTORE' | 'QRESYNC' | 'IMAP4REV2' | 'UTF8=ACCEPT';

export class ImapSession {
  readonly conn: Connection;
  readonly deps: ImapDeps;
  readonly store: Store;
  readonly limits: ImapLimits;
  state: SessionState = { name: 'not-authenticated' };
  readonly enabled = new Set<Enableable>();
  /** RFC 7162 §3.1: CONDSTORE is on once enabled or once a client used a CONDSTORE feature. */
  condstoreUsed = false;
  commandsBeforeLogin = 0;
  unknownBeforeLogin = 0;
  /** Other sessions' changes, told to the client when it may hear them. */
  readonly updates = new UpdateTracker(this);

  constructor(conn: Connection, deps: ImapDeps) {
    this.conn = conn;
    this.deps = deps;
    this.store = deps.store;
    this.limits = limitsFrom(deps.config);
  }

  get log(): Logger {
    return this.conn.log;
  }

  /** IMAP4rev2 semantics (RFC 9051 Appendix E) after ENABLE IMAP4rev2. */
  get rev2(): boolean {
    return this.enabled.has('IMAP4REV2');
  }

  /** Mailbox names and quoted strings in UTF-8 (RFC 9051 §5.1, RFC 6855 §3). */
  get utf8(): boolean {
    return this.enabled.has('IMAP4REV2') || this.enabled.has('UTF8=ACCEPT');
  }

  get condstore(): boolean {
    return this.condstoreUsed || this.enabled.has('CONDSTORE') || this.enabled.has('QRESYNC');
  }

  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }

  /** RFC 2595 §3.2 / RFC 9051 §6.2.3: passwords only over TLS, from loopback, or when allowed. */
  get plaintextLoginAllowed(): boolean {
    return passwordsAllowed(this.conn, this.deps.config);
  }

  get starttlsAvailable(): boolean {
    return !this.conn.secure && !this.deps.implicitTls;
  }

  get account(): Account {
    const s = this.state;
    if (s.name !== 'authenticated' && s.name !== 'selected') throw new Error(`no account in state ${s.name}`);
    return s.account;
  }

  get view(): MailboxView {
    if (this.state.name !== 'selected') throw new Error(`no mailbox in state ${this.state.name}`);
    return this.state.view;
  }

  /** Queues response text (a binary string: one character per octet, see encode.ts). */
  write(text: string): void {
    this.conn.write(Buffer.from(text, 'latin1'));
  }

  /** Writes and waits when the socket's buffer is full, so long responses stream. */
  async send(data: string | Buffer): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.conn.rawSocket.writableNeedDrain) await this.conn.send(bytes);
    else this.conn.write(bytes);
  }

  /** Checks a password and enters the authenticated state (LOGIN, AUTHENTICATE). */
  async login(username: string, password: string): Promise<{ code: string; text: string }> {
    const account = await this.deps.auth.login({ username, password, remoteAddress: this.conn.remoteAddress, service: 'imap' });
    // RFC 5530 §3: AUTHENTICATIONFAILED; the Authenticator has already waited out its throttling delay.
    if (!account) throw no(Text.loginFailed, Code.authenticationFailed);
    if (this.conn.isClosed) throw new ConnectionClosedError();
    this.state = { name: 'authenticated', account };
    this.conn.markTrusted(); // no pre-authentication deadline any more (core/net/limits.ts)
    this.updates.follow(account);
    this.conn.setIdleTimeout(this.limits.idleTimeoutMs);
    this.log.info({ user: account.address }, 'imap login');
    // RFC 9051 §6.2.3: the OK may carry the capabilities, saving a round trip.
    return { code: capabilityCode(this), text: Text.loggedIn };
  }

  /** Selects a view (SELECT/EXAMINE), replaying what changed while it was being read. */
  enterSelected(view: MailboxView): void {
    this.state = { name: 'selected', account: this.account, view };
    this.updates.replayInto(view);
  }

  leaveSelected(): void {
    this.updates.stopWatching();
    if (this.state.name === 'selected') this.state = { name: 'authenticated', account: this.state.account };
  }

  /**
   * RFC 3501 §7.2.6: FLAGS and PERMANENTFLAGS naming any keyword of `flags` the client
   * has not heard yet, written now, so before the response that carries them. flagsOf
   * calls it; a response that streams (FETCH) calls it before its first octet.
   */
  announceKeywords(flags: readonly string[]): void {
    if (this.state.name !== 'selected') return;
    const announcement = newKeywordsAnnouncement(this.state.view, flags);
    if (announcement !== '') this.write(announcement);
  }

  /**
   * Marks a CONDSTORE enabling command (RFC 7162 §3.1). The first one with a mailbox
   * selected reports the mailbox's HIGHESTMODSEQ, before the command's own responses
   * (as Dovecot does); the client then knows where its mod-sequences start.
   */
  async useCondstore(): Promise<void> {
    if (this.condstore) return;
    this.condstoreUsed = true;
    await this.reportHighestModseq();
  }

  /** "* OK [HIGHESTMODSEQ n]" for the selected mailbox, if any (RFC 7162 §3.1.2.1). */
  async reportHighestModseq(): Promise<void> {
    if (this.state.name !== 'selected') return;
    const view = this.state.view;
    const { highestModseq } = await this.store.mailboxes.status(view.mailboxId);
    this.write(untaggedStatus('OK', 'Highest', `HIGHESTMODSEQ ${highestModseq}`));
    if (highestModseq > view.highestModseq) view.highestModseq = highestModseq;
  }

  /** Stored flags plus the session's \Recent (RFC 3501 §2.3.2; gone in IMAP4rev2). */
  flagsOf(flags: readonly string[], uid: number): string[] {
    if (this.state.name === 'selected') this.announceKeywords(flags);
    if (this.state.name !== 'selected' || this.rev2 || !this.state.view.isRecent(uid)) return [...flags];
    return [...flags, '\\Recent'];
  }

  /** Runs the session to its end; never throws. */
  async run(): Promise<void> {
    const { conn } = this;
    conn.setIdleTimeout(this.limits.loginTimeoutMs);
    // RFC 3501 §7.1.1: the greeting may carry the capabilities.
    this.write(untaggedStatus('OK', Text.greeting(this.deps.hostname), capabilityCode(this)));
    try {
      while (this.state.name !== 'logout') {
        const read = await readCommand(conn, this.limits, this.state.name !== 'not-authenticated');
        if (read.kind === 'eof') break;
        if (read.kind === 'rejected') {
          if (read.close) {
            this.write(untaggedStatus('BYE', Text.literalTooBig(this.limits.commandLiteralOctets)));
            break;
          }
          if (this.countBeforeLogin(true)) break;
          continue;
        }
        await dispatch(this, read);
      }
    } catch (error) {
      replyToSessionEnd(this, error);
    } finally {
      this.updates.stop();
      this.state = { name: 'logout' };
      conn.close();
    }
  }

  /**
   * Counts a command before login; true when the session must end (too many commands,
   * or too many unknown ones: a different protocol talking to our port).
   */
  countBeforeLogin(unknown: boolean): boolean {
    if (this.state.name !== 'not-authenticated') return false;
    this.commandsBeforeLogin++;
    if (unknown) this.unknownBeforeLogin++;
    if (this.unknownBeforeLogin >= this.limits.unknownBeforeLogin) {
      this.write(untaggedStatus('BYE', Text.tooManyUnknown));
      this.state = { name: 'logout' };
      return true;
    }
    if (this.commandsBeforeLogin > this.limits.commandsBeforeLogin) {
      this.write(untaggedStatus('BYE', Text.tooManyCommands));
      this.state = { name: 'logout' };
      return true;
    }
    return false;
  }
}
