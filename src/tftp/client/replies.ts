// What the TFTP client makes of the server's packets: an ERROR's code and text, an
// OACK's agreement (RFC 2347: options the client did not ask for, or values it cannot
// take, refuse the transfer with error 8), and the error a caller of the client sees.

import { acceptOack, DEFAULT_BLKSIZE, type ClientAgreed, type ClientRequest } from '../options.ts';
import { ErrorCode, TftpError, Text } from '../replies.ts';
import { parsePacket } from '../wire.ts';

/** A failure of the transfer; `code` is the TFTP error code when the server sent one. */
export class TftpClientError extends Error {
  readonly code: number | null;
  constructor(message: string, code: number | null) {
    super(message);
    this.name = 'TftpClientError';
    this.code = code;
  }
}

/** What was agreed when the server answers without an OACK: it ignored the options (RFC 2347). */
export const noOptions: ClientAgreed = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutMs: null, tsize: null };

export function peerErrorOf(msg: Buffer): { code: number; message: string } {
  const packet = parsePacket(msg);
  return packet.kind === 'error' ? { code: packet.code, message: packet.message } : { code: ErrorCode.notDefined, message: 'malformed ERROR' };
}

/** The error the caller sees for an ERROR from the server. */
export function serverError(code: number, message: string): TftpClientError {
  return new TftpClientError(`server: ${message} (error ${code})`, code);
}

/** No reply, or no progress, within the retries. */
export function timedOut(awaitingReply: boolean): TftpClientError {
  return new TftpClientError(awaitingReply ? 'no answer from the server' : 'transfer timed out', null);
}

/** The options of an OACK, checked against the request; a TftpError (sent to the server) when they do not fit. */
export function oackAgreement(request: ClientRequest, msg: Buffer): ClientAgreed {
  const oack = parsePacket(msg);
  if (oack.kind !== 'oack') throw new TftpError(ErrorCode.optionRefused, Text.optionRefused);
  return acceptOack(request, oack.options);
}

/** A local failure during the transfer, as the ERROR the server is told. */
export function localFailure(error: unknown): TftpError {
  return error instanceof TftpError ? error : new TftpError(ErrorCode.notDefined, (error as Error).message);
}
