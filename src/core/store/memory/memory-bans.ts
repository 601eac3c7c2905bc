// Source bans in memory (contract: BanStore in ../types.ts).

import type { BanStore, SourceBan } from '../types.ts';

const copy = (ban: SourceBan): SourceBan => ({ ...ban, createdAt: new Date(ban.createdAt), expiresAt: new Date(ban.expiresAt) });

export function createMemoryBanStore(): BanStore {
  const bans = new Map<string, SourceBan>();
  const prune = (now: Date) => {
    for (const [source, ban] of bans) if (ban.expiresAt.getTime() <= now.getTime()) bans.delete(source);
  };
  return {
    async addBan(ban) {
      prune(ban.createdAt);
      const current = bans.get(ban.source);
      const expiresAt = current && current.expiresAt > ban.expiresAt ? current.expiresAt : ban.expiresAt;
      bans.set(ban.source, copy({ ...ban, expiresAt }));
    },
    async listBans(now) {
      return [...bans.values()]
        .filter((ban) => ban.expiresAt.getTime() > now.getTime())
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.source.localeCompare(b.source))
        .map(copy);
    },
    async deleteBan(source, now) {
      const ban = bans.get(source);
      bans.delete(source);
      return ban !== undefined && ban.expiresAt.getTime() > now.getTime();
    },
  };
}
