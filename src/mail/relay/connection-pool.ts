// Connection reuse (RFC 5321 §4.5.4.1 favours one connection for several messages
// to one host): a client that finished a transaction waits here, briefly, for the
// next message to the same host and port; then it says QUIT.

import type { SmtpClient } from './smtp-client/client.ts';

const MAX_MESSAGES_PER_CONNECTION = 100;

export class ConnectionPool {
  private readonly idle = new Map<string, { client: SmtpClient; timer: NodeJS.Timeout }[]>();
  private readonly idleMs: number;
  constructor(idleMs: number) {
    this.idleMs = idleMs;
  }

  take(key: string): SmtpClient | null {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const { client, timer } = list.pop()!;
      clearTimeout(timer);
      if (client.usable) return client;
      void client.quit();
    }
    return null;
  }

  put(key: string, client: SmtpClient): void {
    if (!client.usable || client.transactions >= MAX_MESSAGES_PER_CONNECTION) {
      void client.quit();
      return;
    }
    const list = this.idle.get(key) ?? [];
    const item = {
      client,
      timer: setTimeout(() => {
        const at = list.indexOf(item);
        if (at >= 0) list.splice(at, 1);
        void client.quit();
      }, this.idleMs),
    };
    item.timer.unref();
    list.push(item);
    this.idle.set(key, list);
  }

  async closeAll(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map(({ client, timer }) => (clearTimeout(timer), client.quit())));
  }
}
