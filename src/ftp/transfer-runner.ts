// The life of one transfer on the control connection (RFC 959 §5.4, RETR/STOR/LIST
// sequences): 150, the data connection, the bytes, then exactly one of 226 (done),
// 425 (no data connection), 426 (connection lost or ABOR), 451 (local error) or 552
// (quota), chosen by dispatch.ts like every failure reply. It runs beside the command
// loop, so ABOR and STAT can be answered while it is going; the transfer log gets one
// line per file.

import type { Socket } from 'node:net';
import { replyToFailure } from './dispatch.ts';
import type { Progress } from './file-transfer.ts';
import { Reply, Text } from './replies.ts';
import type { ActiveTransfer, FtpSession } from './session.ts';

export interface TransferSpec {
  direction: ActiveTransfer['direction'];
  /** Virtual path, for STAT and the transfer log. */
  path: string;
  /** The 150 reply's text. */
  opening: string;
  run(socket: Socket, progress: Progress, signal: AbortSignal): Promise<void>;
  /** After a failed or aborted transfer (partial upload policy). */
  onFailure?(progress: Progress): Promise<void>;
  /** After a successful one. */
  onSuccess?(): void;
}

export function startTransfer(session: FtpSession, spec: TransferSpec): void {
  if (!session.dataSetup) {
    session.reply(Reply.cantOpenData, Text.useDataFirst);
    return;
  }
  const controller = new AbortController();
  const progress: Progress = { bytes: 0 };
  const transfer: ActiveTransfer = { direction: spec.direction, path: spec.path, progress, controller, abortedByClient: false, done: Promise.resolve() };
  session.transfer = transfer;
  session.restartOffset = 0;
  // The control connection is quiet during a long transfer: that is not idleness.
  session.conn.setIdleTimeout(0);
  session.reply(Reply.openingData, spec.opening);
  transfer.done = run(session, spec, transfer).finally(() => {
    if (session.transfer === transfer) session.transfer = null;
    if (!session.conn.isClosed) session.conn.setIdleTimeout(session.ftpConfig.idle_timeout * 1000);
  });
}

async function run(session: FtpSession, spec: TransferSpec, t: ActiveTransfer): Promise<void> {
  const started = Date.now();
  let socket: Socket | null = null;
  let result: TransferResult = 'failed';
  const onAbort = () => socket?.destroy();
  t.controller.signal.addEventListener('abort', onAbort);
  try {
    socket = await session.openDataConnection();
    t.controller.signal.throwIfAborted();
    await spec.run(socket, t.progress, t.controller.signal);
    result = 'ok';
    spec.onSuccess?.();
    session.reply(Reply.closingData, Text.transferOk);
  } catch (error) {
    result = t.abortedByClient ? 'aborted' : 'failed';
    if (spec.onFailure) await spec.onFailure(t.progress).catch((e: unknown) => session.conn.log.error({ err: e }, 'cleanup after failed upload failed'));
    replyToFailure(session, error, t);
  } finally {
    t.controller.signal.removeEventListener('abort', onAbort);
    if (socket) closeGently(socket);
    if (spec.direction !== 'listing') record(session, spec.direction, t, result, Date.now() - started);
  }
}

type TransferResult = 'ok' | 'aborted' | 'failed';

/** One transfer log line per file (listings are not files). */
function record(session: FtpSession, direction: 'upload' | 'download', t: ActiveTransfer, result: TransferResult, durationMs: number): void {
  session.shared.transferLog.record({
    service: 'ftp',
    user: session.state.name === 'ready' ? session.state.user.name : '-',
    remote: session.conn.remoteAddress,
    direction,
    path: t.path,
    bytes: t.progress.bytes,
    durationMs,
    result,
    params: `${session.params.type}/${session.params.structure}/${session.params.mode}`,
  });
}

/**
 * Ends the data connection without a reset: what is still unread from the client (a
 * TLS close_notify) is drained, so closing cannot turn into an RST that would throw
 * away our last octets; a client that never closes is cut after a while.
 */
function closeGently(socket: Socket): void {
  socket.on('error', () => {});
  if (socket.destroyed) return;
  socket.resume();
  socket.end();
  setTimeout(() => socket.destroy(), 10_000).unref();
}
