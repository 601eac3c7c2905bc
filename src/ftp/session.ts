// One FTP control connection: its state (RFC 959 §5.4 sequencing: login, then
// commands), the transfer parameters, the pending data connection, the transfer in
// progress, and the loop that reads commands, also while a transfer runs so that ABOR
// and STAT are answered at once (RFC 959 §4.1.3).

import type { Socket } from 'node:net';
import { LineTooLongError, ReadTimeoutError } from '../core/net/byte-reader.ts';
import { ConnectionClosedError, type Connection } from '../core/net/connection.ts';
import { setTypeOfService } from '../core/net/tos.ts';
import type { ServiceDeps } from '../core/service/deps.ts';
import { passwordsAllowed } from '../core/service/plaintext-policy.ts';
import type { HomeJail, ResolvedPath } from '../files/jail.ts';
import type { QuotaTracker } from '../files/limits.ts';
import type { TransferLog } from '../files/transfer-log.ts';
import { DEFAULT_PARAMS, type TransferParams } from './data/events.ts';
import { connectActive, DataConnectionError, secureDataSocket, tuneDataSocket, type PassiveListener } from './data-channel.ts';
import { dispatch } from './dispatch.ts';
import { Reply, replyLine, Text } from './replies.ts';
import type { Progress } from './file-transfer.ts';
import { CommandLineReader } from './wire.ts';

/** implicitTls: true on the ftps port (TLS from the first octet: implicit FTPS, port 990, which RFC 4217 does not cover). */
export interface FtpDeps extends ServiceDeps {
  /** Home folders are <dataDir>/home/<address>; anonymous users read <dataDir>/pub. */
  dataDir: string;
  /** Active data connections come from port 20 + portOffset when it can be bound. */
  portOffset: number;
}

/** What the handler shares between sessions. */
export interface FtpShared {
  transferLog: TransferLog;
}

export interface FtpUser {
  /** Account address, or "anonymous". */
  name: string;
  jail: HomeJail;
  readOnly: boolean;
  quota: QuotaTracker;
}

export type SessionState = { name: 'login'; user: string | null } | { name: 'ready'; user: FtpUser } | { name: 'closed' };

export type DataSetup = { kind: 'passive'; listener: PassiveListener } | { kind: 'active'; host: string; port: number };

export interface ActiveTransfer {
  direction: 'upload' | 'download' | 'listing';
  path: string;
  progress: Progress;
  controller: AbortController;
  /** Set by ABOR, so the transfer says 426 and ABOR adds 226. */
  abortedByClient: boolean;
  done: Promise<void>;
}

export class FtpSession {
  readonly conn: Connection;
  readonly deps: FtpDeps;
  readonly shared: FtpShared;
  state: SessionState = { name: 'login', user: null };
  cwd = '/';
  params: TransferParams = { ...DEFAULT_PARAMS };
  /** REST: where the next transfer starts (RFC 959 §4.1.3, RFC 3659 §5). */
  restartOffset = 0;
  renameFrom: ResolvedPath | null = null;
  dataSetup: DataSetup | null = null;
  /** RFC 2428 §4: after EPSV ALL only EPSV may set up data connections. */
  epsvAll = false;
  /** RFC 4217 §8-9. */
  pbszDone = false;
  protection: 'C' | 'P' = 'C';
  transfer: ActiveTransfer | null = null;
  loginFailures = 0;
  readonly lines: CommandLineReader;

  constructor(conn: Connection, deps: FtpDeps, shared: FtpShared) {
    this.conn = conn;
    this.deps = deps;
    this.shared = shared;
    this.lines = new CommandLineReader(conn.reader, deps.config.ftp.max_command_length);
  }

  get ftpConfig() {
    return this.deps.config.ftp;
  }

  get user(): FtpUser {
    if (this.state.name !== 'ready') throw new Error('not logged in');
    return this.state.user;
  }

  /** RFC 4217 §15.1: passwords only over TLS or from loopback (core/service/plaintext-policy.ts). */
  get plaintextLoginAllowed(): boolean {
    return passwordsAllowed(this.conn, this.deps.config);
  }

  reply(code: number, text: string): void {
    this.conn.write(replyLine(code, text));
  }

  raw(text: string): void {
    this.conn.write(text);
  }

  /** Forgets the login and everything tied to it (REIN, AUTH). TLS stays. */
  reset(): void {
    this.state = { name: 'login', user: null };
    this.cwd = '/';
    this.params = { ...DEFAULT_PARAMS };
    this.restartOffset = 0;
    this.renameFrom = null;
    this.closeDataSetup();
  }

  closeDataSetup(): void {
    if (this.dataSetup?.kind === 'passive') this.dataSetup.listener.close();
    this.dataSetup = null;
  }

  async run(): Promise<void> {
    const { conn } = this;
    setTypeOfService(conn.rawSocket, 'lowdelay', conn.log);
    const idleMs = this.ftpConfig.idle_timeout * 1000;
    conn.setIdleTimeout(idleMs);
    this.reply(Reply.ready, Text.greeting(this.deps.hostname));
    try {
      while (this.state.name !== 'closed') {
        let line: Buffer | null;
        try {
          line = await this.lines.next();
        } catch (error) {
          if (!(error instanceof LineTooLongError)) throw error;
          this.reply(Reply.syntaxError, Text.tooLong);
          continue;
        }
        if (line === null) break;
        await dispatch(this, line);
      }
    } catch (error) {
      if (error instanceof ReadTimeoutError) {
        // RFC 959 §5.4: 421 may be sent whenever the service has to close.
        this.reply(Reply.unavailable, Text.idleTimeout);
      } else if (!(error instanceof ConnectionClosedError)) {
        conn.log.warn({ err: error }, 'ftp session ended by an error');
      }
    } finally {
      this.transfer?.controller.abort();
      await this.transfer?.done.catch(() => {});
      this.closeDataSetup();
      this.state = { name: 'closed' };
      conn.close();
    }
  }

  /**
   * Opens the data connection prepared by PORT/EPRT/PASV/EPSV (each is good for one
   * transfer), with TLS when PROT P is in force.
   */
  async openDataConnection(): Promise<Socket> {
    const setup = this.dataSetup;
    this.dataSetup = null;
    if (!setup) throw new DataConnectionError(Text.useDataFirst);
    const timeoutMs = this.ftpConfig.data_timeout * 1000;
    let socket = await this.connectData(setup, timeoutMs);
    tuneDataSocket(socket, this.conn.log);
    if (this.protection === 'P') {
      socket = await secureDataSocket(socket, this.deps.tls, this.conn.tls?.servername ?? null, this.ftpConfig.require_ssl_reuse, timeoutMs);
    }
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('data connection timed out')));
    return socket;
  }

  /** Passive: the client's connection to our listener; active: ours to the client. */
  private async connectData(setup: DataSetup, timeoutMs: number): Promise<Socket> {
    if (setup.kind === 'active') {
      return connectActive({ host: setup.host, port: setup.port }, this.conn.localAddress, 20 + this.deps.portOffset, timeoutMs);
    }
    try {
      return await setup.listener.accept(timeoutMs);
    } finally {
      setup.listener.close(true);
    }
  }
}
