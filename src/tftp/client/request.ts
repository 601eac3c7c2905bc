// The options a client request asks for (RFC 2347-2349, RFC 7440).

import type { ClientRequest } from '../options.ts';
import type { TftpClientOptions } from './client.ts';

/** `tsize` is sent only in octet mode: a netascii size is not the file's (RFC 2349). */
export function requestFor(o: TftpClientOptions, tsize: number | undefined): ClientRequest {
  const timeoutMs = o.timeoutMs ?? 1000;
  return {
    blksize: o.blksize,
    windowsize: o.windowsize,
    timeoutS: o.sendTimeout ? Math.max(1, Math.min(255, Math.round(timeoutMs / 1000))) : undefined,
    tsize: (o.mode ?? 'octet') === 'octet' ? tsize : undefined,
  };
}
