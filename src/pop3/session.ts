// One POP3 connection: its state (RFC 1939 §3: AUTHORIZATION → TRANSACTION → UPDATE),
// the read loop, and the ways a session ends. Commands live in commands/; the
// dispatcher checks state and maps failures to replies; this file only reads lines
// and keeps the session honest about locks and deletions on every exit path.

import type { Config } from '../core/config/schema.ts';
import type { Connection } from '../core/net/connection.ts';
import type { MailServiceDeps } from '../core/service/deps.ts';
import { passwordsAllowed } from '../core/service/plaintext-policy.ts';
import { dispatch, replyToReadFailure, replyToSessionEnd } from './dispatch.ts';
import { Maildrop } from './maildrop.ts';
import { errLine, okLine, Pop3Error, ResponseCode, Text } from './replies.ts';

/** POP3 needs nothing beyond what every mail service is given. */
export interface Pop3Deps extends MailServiceDeps {}

/** RFC 1939 §3. 'closed' is Septet's own: the session is over and the loop stops. */
export type SessionState =
  | { name: 'authorization'; user: string | null }
  | { name: 'transaction'; maildrop: Maildrop }
  | { name: 'update'; maildrop: Maildrop }
  | { name: 'closed' };
export type StateName = SessionState['name'];

/** The limits of one session, all from the config schema. */
export interface Pop3Limits {
  /** RFC 2449 §4: command line octets including CRLF. */
  commandOctets: number;
  /** RFC 5034 §4: AUTH lines and SASL responses, octets including CRLF. */
  authLineOctets: number;
  unknownCommandsBeforeLogin: number;
  idleTimeoutMs: number;
}

export function limitsFrom(config: Config): Pop3Limits {
  return {
    commandOctets: config.pop3.max_command_length,
    authLineOctets: Math.max(config.pop3.max_auth_line_length, config.pop3.max_command_length),
    unknownCommandsBeforeLogin: config.pop3.max_unknown_commands,
    idleTimeoutMs: config.pop3.idle_timeout * 1000,
  };
}

export class Pop3Session {
  readonly conn: Connection;
  readonly deps: Pop3Deps;
  readonly limits: Pop3Limits;
  state: SessionState = { name: 'authorization', user: null };
  /** Unknown commands in a row before login (a port scanner, not a mail client). */
  unknownInARow = 0;

  constructor(conn: Connection, deps: Pop3Deps) {
    this.conn = conn;
    this.deps = deps;
    this.limits = limitsFrom(deps.config);
  }

  /** RFC 2595 §4 / RFC 5034 §4: the shared plaintext password policy (core/service). */
  get plaintextLoginAllowed(): boolean {
    return passwordsAllowed(this.conn, this.deps.config);
  }

  /** RFC 2595 §4: STLS in AUTHORIZATION state, on a connection not yet under TLS. */
  get stlsAvailable(): boolean {
    return !this.conn.secure && !this.deps.implicitTls && this.state.name === 'authorization';
  }

  ok(text = ''): void {
    this.conn.write(okLine(text));
  }

  err(text: string, code: ResponseCode | null = null): void {
    this.conn.write(errLine(text, code));
  }

  /** The maildrop of a session in TRANSACTION state (the dispatcher guarantees it). */
  get maildrop(): Maildrop {
    if (this.state.name !== 'transaction') throw new Error(`no maildrop in state ${this.state.name}`);
    return this.state.maildrop;
  }

  /** Reads one line for a SASL exchange (longer limit); null when the client left. */
  readAuthLine(): Promise<Buffer | null> {
    return this.conn.reader.readLine(this.limits.authLineOctets - 2);
  }

  /**
   * Password check, then the maildrop lock and snapshot (RFC 1939 §7 PASS, RFC 5034 §4
   * AUTH). On any failure the session stays in AUTHORIZATION with no user.
   */
  async login(username: string, password: string): Promise<void> {
    this.state = { name: 'authorization', user: null };
    const account = await this.deps.auth.login({ username, password, remoteAddress: this.conn.remoteAddress, service: 'pop3' });
    // RFC 3206 §5: [AUTH] says the credentials were wrong (the Authenticator has already waited out its throttling delay).
    if (!account) throw new Pop3Error(Text.loginFailed, ResponseCode.auth);
    const maildrop = await Maildrop.open(this.deps.store, account, this.conn.id, { exclusive: this.deps.config.pop3.exclusive_lock }).catch((error: unknown) => {
      // Which session (and worker process) was refused, for the operator.
      if (error instanceof Pop3Error && error.code === ResponseCode.inUse) this.conn.log.info({ user: account.address }, 'pop3 maildrop in use');
      throw error;
    });
    if (this.conn.isClosed) {
      // The client left while we were checking: give the lock straight back.
      await maildrop.release();
      this.state = { name: 'closed' };
      return;
    }
    this.state = { name: 'transaction', maildrop };
    this.conn.markTrusted(); // no pre-authentication deadline any more (core/net/limits.ts)
    const { count, octets } = maildrop.stat();
    this.conn.log.info({ user: account.address, messages: count }, 'pop3 login');
    this.ok(Text.loggedIn(count, octets));
  }

  /** Runs the session to its end; never throws. */
  async run(): Promise<void> {
    const { conn } = this;
    conn.setIdleTimeout(this.limits.idleTimeoutMs);
    this.ok(Text.greeting(this.deps.hostname));
    try {
      while (this.state.name !== 'closed') {
        let line: Buffer | null;
        try {
          line = await conn.reader.readLine(this.limits.authLineOctets - 2);
        } catch (error) {
          if (replyToReadFailure(this, error)) continue;
          throw error;
        }
        // RFC 1939 §6: a dropped connection never reaches UPDATE.
        if (line === null) break;
        await dispatch(this, line);
      }
    } catch (error) {
      replyToSessionEnd(this, error);
    } finally {
      await this.releaseMaildrop();
      this.state = { name: 'closed' };
      conn.close();
    }
  }

  /** Unlocks without UPDATE: marks are forgotten, nothing is deleted (RFC 1939 §6). */
  private async releaseMaildrop(): Promise<void> {
    const state = this.state;
    if (state.name !== 'transaction' && state.name !== 'update') return;
    try {
      await state.maildrop.release();
    } catch (error) {
      this.conn.log.error({ err: error }, 'cannot release the POP3 maildrop lock');
    }
  }
}
