// One line per transferred file, like vsftpd's xferlog: when, who, which file, how
// many octets, how long, and how it ended. Written to its own file when configured
// (appended, never synchronously on the hot path), else through the logger.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from '../core/log/logger.ts';
import { countTransfer } from '../core/metrics/hooks.ts';

export interface TransferRecord {
  service: string;
  user: string;
  remote: string;
  direction: 'upload' | 'download';
  path: string;
  bytes: number;
  durationMs: number;
  result: 'ok' | 'aborted' | 'failed';
  /** TYPE/STRU/MODE, e.g. "I/F/S". */
  params?: string;
}

export class TransferLog {
  private readonly log: Logger;
  private readonly file: WriteStream | null;

  constructor(log: Logger, filePath = '') {
    this.log = log;
    this.file = filePath ? createWriteStream(filePath, { flags: 'a', mode: 0o600 }) : null;
    this.file?.on('error', (error) => log.error({ err: error.message, file: filePath }, 'transfer log write failed'));
  }

  record(r: TransferRecord): void {
    countTransfer(r.service, r.direction, r.bytes);
    if (this.file) this.file.write(formatTransferLine(r, new Date()));
    else this.log.info({ xfer: r }, 'transfer');
  }

  close(): void {
    this.file?.end();
  }
}

/** Tab-separated: ISO time, service, user, remote, direction, octets, ms, result, params, path (last: it may hold spaces). */
export function formatTransferLine(r: TransferRecord, at: Date): string {
  const path = r.path.replace(/[\r\n\t]/g, '?');
  return [at.toISOString(), r.service, r.user, r.remote, r.direction, r.bytes, r.durationMs, r.result, r.params ?? '-', path].join('\t') + '\n';
}
