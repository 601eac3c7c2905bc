// The one skeleton of a client transfer; a get (RRQ) and a put (WRQ) differ only in
// their strategy (get.ts, put.ts). The request is retransmitted until the first reply
// (RFC 1350 §2); an OACK fixes the options (RFC 2347), a plain first reply means the
// server ignored them; afterwards each timeout lets the strategy retransmit (its
// window of DATA, or its last ACK). A local failure is told to the server with an ERROR.

import type { ClientAgreed, ClientRequest } from '../options.ts';
import { RetransmitTimer } from '../retransmit-timer.ts';
import { Opcode } from '../wire.ts';
import type { ClientConnection } from './connection.ts';
import { localFailure, noOptions, oackAgreement, serverError, TftpClientError, timedOut } from './replies.ts';

export interface TransferResult {
  octets: number;
  ms: number;
  blksize: number;
  windowsize: number;
}

/** What a strategy may do to the transfer it runs in. */
export interface TransferControl {
  /** The server made progress: the retransmission timer starts over. */
  progress(): void;
  /** The server has all, or we have all and `octets` settles once it is stored. */
  finish(octets: number | Promise<number>): void;
  fail(error: unknown): void;
}

export interface TransferStrategy {
  /** Prepares what needs the connection (a download's sink and the window its socket holds); returns the RRQ or WRQ. */
  attach(connection: ClientConnection): Promise<{ packet: Buffer; request: ClientRequest }>;
  /** Starts moving data with what was agreed; `oack` when the server sent one. */
  begin(agreed: ClientAgreed, oack: boolean, control: TransferControl): void;
  /**
   * A first reply that is not an OACK: 'begin' starts without options (the packet is
   * spent), 'begin-and-handle' starts and hands it to onPacket, 'ignore' waits on.
   */
  plainFirstReply(opcode: number, msg: Buffer): 'begin' | 'begin-and-handle' | 'ignore';
  onPacket(opcode: number, msg: Buffer, control: TransferControl): void;
  /** A timeout after the first reply. */
  retransmit(): void;
  /** Stops sending at once: on failure, and at the end. */
  halt(): void;
  /** The transfer failed: undo local effects (a partial download). */
  abort(): Promise<void>;
  /** Always, at the end: close files. */
  close(): Promise<void>;
}

export interface TransferTiming {
  timeoutMs: number;
  retries: number;
}

export async function runTransfer(connection: ClientConnection, strategy: TransferStrategy, timing: TransferTiming): Promise<TransferResult> {
  const startedAt = Date.now();
  try {
    const { packet, request } = await strategy.attach(connection);
    return await new Promise<TransferResult>((resolve, reject) => {
      let awaitingReply = true;
      let agreed = noOptions;
      const timer = new RetransmitTimer({
        timeoutMs: timing.timeoutMs,
        backoff: true,
        retries: timing.retries,
        onTimeout: () => {
          if (awaitingReply) connection.send(packet, 0, packet.length);
          else strategy.retransmit();
        },
        onGiveUp: () => control.fail(timedOut(awaitingReply)),
      });
      const control: TransferControl = {
        progress: () => timer.progress(),
        finish: (octets) => {
          timer.stop();
          Promise.resolve(octets).then((n) => resolve({ octets: n, ms: Date.now() - startedAt, blksize: agreed.blksize, windowsize: agreed.windowsize }), reject);
        },
        fail: (error) => {
          timer.stop();
          strategy.halt();
          reject(error);
        },
      };
      const begin = (a: ClientAgreed, oack: boolean) => {
        agreed = a;
        strategy.begin(a, oack, control);
        timer.progress();
      };
      /** True when the packet is spent. */
      const firstReply = (opcode: number, msg: Buffer): boolean => {
        if (opcode === Opcode.OACK) {
          awaitingReply = false;
          begin(oackAgreement(request, msg), true);
          return true;
        }
        const seen = strategy.plainFirstReply(opcode, msg);
        if (seen === 'ignore') return true;
        awaitingReply = false;
        if (seen === 'begin') begin(noOptions, false);
        else {
          agreed = noOptions;
          strategy.begin(noOptions, false, control);
        }
        return seen === 'begin';
      };
      connection.onPeerError = (code, message) => control.fail(serverError(code, message));
      connection.onPacket = (opcode, msg) => {
        try {
          if (awaitingReply && firstReply(opcode, msg)) return;
          strategy.onPacket(opcode, msg, control);
        } catch (error) {
          const e = localFailure(error);
          connection.sendError(e.code, e.message);
          control.fail(new TftpClientError(e.message, null));
        }
      };
      connection.send(packet, 0, packet.length);
      timer.progress();
    });
  } catch (error) {
    await strategy.abort();
    throw error;
  } finally {
    strategy.halt();
    await strategy.close();
    connection.close();
  }
}
