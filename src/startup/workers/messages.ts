// What the primary and its worker processes say to each other over the IPC channel
// (JSON; a connection travels as the socket handle sent with its message).

import type { Config } from '../../core/config/schema.ts';

export type ToWorker =
  | { kind: 'start'; config: Config; slot: number; count: number }
  /** Sent with the accepted socket as the handle. */
  | { kind: 'connection'; listener: string; id: number }
  | { kind: 'reload' }
  | { kind: 'stop'; graceMs: number };

export type ToPrimary =
  | { kind: 'ready' }
  /** The start failed; the worker exits with this code (78 configuration, 73 folders). */
  | { kind: 'failed'; exitCode: number }
  | { kind: 'closed'; id: number };
