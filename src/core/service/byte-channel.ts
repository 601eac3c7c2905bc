// The byte stream a session engine runs over when it is carried inside another
// protocol rather than on its own listener: an SSH session channel (SFTP subsystem,
// legacy SCP exec, the console shell) or, later, the web console's terminal. The
// engines (src/sftp/, src/scp/, src/console/) see only this, so they are tested over a
// pair of streams and never import the transport.

import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Account } from '../store/types.ts';

export interface ByteChannel {
  /** Octets from the client (SSH channel data). */
  readonly input: Readable;
  /** Octets to the client (SSH channel data); honours back-pressure. */
  readonly output: Writable;
  /** Diagnostics to the client (SSH extended data, stderr). */
  readonly errors: Writable;
  /** Ends the channel with an exit status (SSH "exit-status", RFC 4254 §6.10), after pending output. */
  exit(status: number): void;
  /** Aborted when the client or the server closes the channel. */
  readonly signal: AbortSignal;
}

/** Who is on the other end of a carried session, after the transport authenticated them. */
export interface ChannelPeer {
  account: Account;
  /** Client address (for throttling, logs and the transfer log). */
  remoteAddress: string;
  /** "ssh", "https": for logs. */
  service: string;
  log: Logger;
}

/** A terminal the client asked for (SSH "pty-req", RFC 4254 §6.2); null without one. */
export interface TerminalSize {
  term: string;
  columns: number;
  rows: number;
}
