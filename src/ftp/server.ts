// The FTP service: builds a handler that runs one FtpSession per accepted control
// connection (ftp on 21 with AUTH TLS, ftps on 990 with implicit TLS). Listening is
// core/net's job; the handler only needs a Connection.

import type { ConnectionHandler } from '../core/net/listener.ts';
import { refusalText, type Refusal } from '../core/service/refusals.ts';
import { TransferLog } from '../files/transfer-log.ts';
import { Reply, replyLine } from './replies.ts';
import { FtpSession, type FtpDeps, type FtpShared } from './session.ts';

export type { FtpDeps } from './session.ts';

/**
 * The line a refused client hears instead of the greeting, also while the service
 * starts. RFC 959 §5.4: 421 before the greeting means "service not available".
 */
export function ftpRefusal(reason: Refusal): string {
  // RFC 959 §4.2: 421 Service not available, closing control connection.
  return replyLine(Reply.unavailable, `${refusalText[reason]}.`);
}

export function createFtpHandler(deps: FtpDeps): ConnectionHandler {
  const shared: FtpShared = { transferLog: new TransferLog(deps.log, deps.config.ftp.transfer_log) };
  return {
    async handle(conn) {
      await new FtpSession(conn, deps, shared).run();
    },
    refusal: ftpRefusal,
  };
}
