// Septet's TFTP client: get (RRQ) and put (WRQ) with blksize, windowsize, timeout
// and tsize options. It uses the same window sender and receiver as the server.
// Both run one transfer skeleton (transfer.ts) with a strategy (get.ts, put.ts) over
// one UDP connection (connection.ts: the server's TID, RFC 1350 §4).

import type { Writable } from 'node:stream';
import { ClientConnection } from './connection.ts';
import { GetStrategy } from './get.ts';
import { PutStrategy } from './put.ts';
import { runTransfer, type TransferResult, type TransferTiming } from './transfer.ts';

export { TftpClientError } from './replies.ts';
export type { TransferResult } from './transfer.ts';

export interface TftpClientOptions {
  host: string;
  port?: number;
  mode?: 'octet' | 'netascii';
  /** Asked for with the blksize option (RFC 2348); unset = 512 without the option. */
  blksize?: number;
  /** Asked for with the windowsize option (RFC 7440); unset = 1 without the option. */
  windowsize?: number;
  /** Retransmission timeout in milliseconds (default 1000); also sent as the timeout option when `sendTimeout`. */
  timeoutMs?: number;
  sendTimeout?: boolean;
  retries?: number;
  /** Called after each acknowledged window with octets done and the total when known. */
  onProgress?: (done: number, total: number | null) => void;
}

const timing = (o: TftpClientOptions): TransferTiming => ({ timeoutMs: o.timeoutMs ?? 1000, retries: o.retries ?? 5 });

/**
 * Downloads REMOTE into `local`: a path (written to a temporary file, renamed when
 * complete) or a stream.
 */
export async function tftpGet(o: TftpClientOptions, remote: string, local: string | Writable): Promise<TransferResult> {
  const connection = await ClientConnection.open(o.host, o.port ?? 69);
  return runTransfer(connection, new GetStrategy(o, remote, local), timing(o));
}

/** Uploads the file at `local` as REMOTE. */
export async function tftpPut(o: TftpClientOptions, remote: string, local: string): Promise<TransferResult> {
  const strategy = await PutStrategy.open(o, remote, local);
  let connection: ClientConnection;
  try {
    connection = await ClientConnection.open(o.host, o.port ?? 69);
  } catch (error) {
    await strategy.close();
    throw error;
  }
  return runTransfer(connection, strategy, timing(o));
}
