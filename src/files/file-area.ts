// An account's file area as every file protocol sees it (FTP, SFTP, SCP, the web
// console): the home-folder jail and its quota. One place decides which quota applies,
// and the sessions of one account in this process share one tracker, so a file written
// over one protocol or channel counts for all of them at once (ten SFTP channels on one
// connection cannot each fill the quota), and the home is walked at most once per
// QUOTA_REWALK_MS per account rather than at every channel open.

import type { Account } from '../core/store/types.ts';
import { openUserHome, type HomeJail } from './jail.ts';
import { QuotaTracker } from './limits.ts';

export interface FileArea {
  jail: HomeJail;
  quota: QuotaTracker;
}

/** How long a shared tracker is trusted before the next open walks the home again (other processes' writes). */
export const QUOTA_REWALK_MS = 60_000;

const shared = new Map<string, { tracker: QuotaTracker; walkedAt: number }>();

/**
 * <data>/home/<address>/, created on first use, with the account's own quota or, when
 * it has none, `defaultQuotaBytes` (0 = no quota; `ftp.quota_bytes`).
 */
export async function openAccountFiles(dataDir: string, account: Account, defaultQuotaBytes: number, now = Date.now()): Promise<FileArea> {
  const jail = await openUserHome(dataDir, account.address);
  const limit = account.quotaBytes ?? (defaultQuotaBytes > 0 ? defaultQuotaBytes : null);
  const cached = shared.get(jail.root);
  if (cached && cached.tracker.limit === limit && now - cached.walkedAt < QUOTA_REWALK_MS) return { jail, quota: cached.tracker };
  const tracker = await QuotaTracker.open(jail.root, limit);
  shared.set(jail.root, { tracker, walkedAt: now });
  return { jail, quota: tracker };
}
