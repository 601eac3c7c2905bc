// The relay worker: the scan loop over the durable queue. It claims due entries and
// runs one attempt for each (attempt.ts: deliver by domain, record the replies,
// notify, reschedule or bounce), a few at a time, woken by new mail, the operator's
// queue commands and a poll.
//
// Durability: an entry is claimed ('inflight') before any connection is made and is
// only removed after every recipient has a final outcome. At start, entries left in
// flight go back to the queue, so a crash can repeat a delivery but never lose one
// (at least once, RFC 5321 §6.1).

import type { Config } from '../../core/config/schema.ts';
import type { MailService } from '../mail-service.ts';
import { attemptEntry, type AttemptContext } from './attempt.ts';
import { ConnectionPool } from './connection-pool.ts';
import { createDnsLookup, type DnsLookup } from './dns.ts';
import { ConnectionSlots, DestinationBackoff } from './limits.ts';
import { parseSmartHost } from './route.ts';
import { RetrySchedule } from './schedule.ts';

/** Entries looked at per pass over the queue. */
const BATCH = 200;
/** How long an idle outbound connection waits for the next message to its host. */
const POOL_IDLE_MS = 5_000;

export interface RelayWorkerOptions {
  mail: MailService;
  config: Config;
  /** Tests put a table here; default: node:dns with config.dns. */
  dns?: DnsLookup;
  now?: () => Date;
}

export class RelayWorker {
  private readonly mail: MailService;
  private readonly config: Config['relay'];
  readonly schedule: RetrySchedule;
  private readonly now: () => Date;
  private readonly pool = new ConnectionPool(POOL_IDLE_MS);
  private readonly attempts: AttemptContext;
  private readonly active = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private scanning = false;
  private rescan = false;
  private unsubscribe: (() => void)[] = [];

  constructor(options: RelayWorkerOptions) {
    this.mail = options.mail;
    this.config = options.config.relay;
    this.schedule = new RetrySchedule(this.config);
    this.now = options.now ?? (() => new Date());
    this.attempts = {
      mail: this.mail,
      config: this.config,
      schedule: this.schedule,
      dns: options.dns ?? createDnsLookup(options.config.dns),
      slots: new ConnectionSlots(this.config.max_connections, this.config.max_connections_per_domain),
      backoff: new DestinationBackoff((failures) => this.schedule.waitAfter(failures)),
      pool: this.pool,
      smartHost: parseSmartHost(this.config),
      now: this.now,
    };
  }

  private get log() {
    return this.mail.log;
  }

  /** Puts entries a previous run left in flight back, then works the queue. */
  async start(): Promise<void> {
    const requeued = await this.mail.store.queue.requeueInFlight();
    if (requeued > 0) this.log.info({ requeued }, 'relay: messages left in flight are queued again');
    this.running = true;
    this.unsubscribe = [
      this.mail.onQueued(() => this.wake()),
      // The operator's queue commands and mail queued by other processes (the CLI's
      // retry, release, sendmail) come through the store's feed: act on them at once.
      this.mail.store.bus.subscribeQueue(() => this.wake()),
    ];
    this.timer = setInterval(() => this.wake(), this.config.poll_interval * 1000);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking work, waits for deliveries in progress, closes idle connections. */
  async stop(): Promise<void> {
    this.running = false;
    for (const stop of this.unsubscribe.splice(0)) stop();
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.active.values()]);
    await this.pool.closeAll();
  }

  /** Looks for due entries now (new mail, operator retry). */
  wake(): void {
    if (!this.running) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = true;
    void this.scan()
      .catch((error) => this.log.error({ err: error }, 'relay: queue scan failed'))
      .finally(() => {
        this.scanning = false;
        if (this.rescan) {
          this.rescan = false;
          this.wake();
        }
      });
  }

  /** Resolves when nothing is in flight (tests). */
  async idle(): Promise<void> {
    while (this.active.size > 0 || this.scanning) await Promise.allSettled([...this.active.values(), new Promise((r) => setTimeout(r, 10))]);
  }

  private async scan(): Promise<void> {
    const due = await this.mail.store.queue.due(this.now(), BATCH);
    for (const candidate of due) {
      if (!this.running || this.active.has(candidate.id)) continue;
      const entry = await this.mail.store.queue.claim(candidate.id);
      if (!entry) continue;
      // Back to 'queued' after an attempt or a skip: the operator's `queue retry|release`
      // (or a restart). The operator asked for a try now, so the destination's backoff
      // does not apply; new mail (never tried, no error) still waits for it.
      const operatorRetry = candidate.state === 'queued' && (candidate.attempts > 0 || Boolean(candidate.lastError));
      const work = attemptEntry(this.attempts, entry, operatorRetry)
        .catch(async (error) => {
          this.log.error({ err: error, queueId: entry.id }, 'relay: delivery attempt failed unexpectedly');
          // Back into the queue for a later try rather than stuck in flight.
          await this.mail.store.queue.defer(entry.id, new Date(this.now().getTime() + this.schedule.waitAfter(1)), String((error as Error).message));
        })
        .finally(() => {
          this.active.delete(entry.id);
          this.wake();
        });
      this.active.set(entry.id, work);
    }
  }
}

/** The factory the composition root calls: `const relay = createRelayWorker({ mail, config }); await relay.start();`. */
export function createRelayWorker(options: RelayWorkerOptions): RelayWorker {
  return new RelayWorker(options);
}
