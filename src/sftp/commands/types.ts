// What a command sees and returns. A command parses its request body, says which
// octets of which file it touches (for the ordering of requests in flight,
// src/sftp/scheduler.ts) and runs; it throws typed failures, which src/sftp/dispatch.ts
// turns into SSH_FXP_STATUS replies in one place.

import type { Logger } from 'pino';
import type { HomeJail } from '../../files/jail.ts';
import type { QuotaTracker } from '../../files/limits.ts';
import type { TransferLog } from '../../files/transfer-log.ts';
import type { HandleTable } from '../handles.ts';
import type { Access } from '../scheduler.ts';
import type { Attrs, PacketReader, ReplyBuilder, StatusCode } from '../wire.ts';

export interface SftpLimits {
  /** Longest packet body accepted (length field value), `sftp.max_packet_length`. */
  maxPacketLength: number;
  /** Longest READ answered (larger requests are shortened, as OpenSSH does). */
  maxReadLength: number;
  /** Longest WRITE data accepted. */
  maxWriteLength: number;
  maxHandles: number;
  /** Requests in flight before the session stops reading the channel. */
  maxInFlight: number;
  /** Names per SSH_FXP_NAME reply to READDIR. */
  readdirBatch: number;
}

export interface SftpContext {
  readonly jail: HomeJail;
  readonly quota: QuotaTracker;
  readonly handles: HandleTable;
  readonly limits: SftpLimits;
  readonly transfers: TransferLog;
  /** Account address (transfer log, owner shown in long names). */
  readonly user: string;
  readonly remote: string;
  readonly log: Logger;
}

export interface NameEntry {
  filename: string;
  longname: string;
  attrs: Attrs;
}

export type Reply =
  | { kind: 'status'; code: StatusCode; message: string }
  | { kind: 'handle'; handle: string }
  /** A complete SSH_FXP_DATA packet, read in place (src/sftp/wire.ts finishData). */
  | { kind: 'data'; packet: Buffer }
  | { kind: 'name'; entries: NameEntry[] }
  | { kind: 'attrs'; attrs: Attrs }
  /** SSH_FXP_EXTENDED_REPLY: `room` octets of fields written by `write` after the id. */
  | { kind: 'extended'; room: number; write: (b: ReplyBuilder) => void };

export interface Command<A> {
  readonly name: string;
  parse(r: PacketReader): A;
  /** Octets touched (READ/WRITE); absent: the request is a barrier. */
  access?(ctx: SftpContext, args: A): Access | null;
  run(ctx: SftpContext, args: A, id: number): Promise<Reply>;
}

// The table holds commands of every argument type; each entry's parse and run agree.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any>;

export const define = <A>(c: Command<A>): Command<A> => c;

export const OK: Reply = { kind: 'status', code: 0, message: 'Success' };
