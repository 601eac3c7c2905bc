// An account's file area as every file protocol sees it (FTP, SFTP, SCP, the web
// console): the home-folder jail and its quota. One place decides which quota applies,
// so a file written over one protocol counts the same over the others.

import type { Account } from '../core/store/types.ts';
import { openUserHome, type HomeJail } from './jail.ts';
import { QuotaTracker } from './limits.ts';

export interface FileArea {
  jail: HomeJail;
  quota: QuotaTracker;
}

/**
 * <data>/home/<address>/, created on first use, with the account's own quota or, when
 * it has none, `defaultQuotaBytes` (0 = no quota; `ftp.quota_bytes`).
 */
export async function openAccountFiles(dataDir: string, account: Account, defaultQuotaBytes: number): Promise<FileArea> {
  const jail = await openUserHome(dataDir, account.address);
  const limit = account.quotaBytes ?? (defaultQuotaBytes > 0 ? defaultQuotaBytes : null);
  return { jail, quota: await QuotaTracker.open(jail.root, limit) };
}
