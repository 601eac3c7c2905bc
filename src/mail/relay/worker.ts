// The relay worker: takes due entries from the durable queue, delivers each to the
// domains of its pending recipients, records every attempt with the remote's
// replies, and reschedules what is left (schedule.ts) or bounces it (bounce.ts).
//
// Durability: an entry is claimed ('inflight') before any connection is made and is
// only removed after every recipient has a final outcome. At start, entries left in
// flight go back to the queue, so a crash can repeat a delivery but never lose one
// (at least once, RFC 5321 §6.1).

import { splitAddress } from '../address.ts';
import type { Config } from '../../core/config/schema.ts';
import type { AttemptResult, QueueEntry, QueueRecipient } from '../../core/store/types.ts';
import type { MailService } from '../mail-service.ts';
import { sendReport, statusOf } from './bounce.ts';
import { ConnectionPool } from './connection-pool.ts';
import { createDnsLookup, type DnsLookup } from './dns.ts';
import { deliverToDomain, type DomainOutcome, type DomainRoute, type SmartHost } from './domain-delivery.ts';
import type { DsnRecipient } from './dsn.ts';
import { ConnectionSlots, DestinationBackoff } from './limits.ts';
import { RetrySchedule } from './schedule.ts';
import type { OutboundMessage } from './smtp-client/client.ts';
import { TraitScanner, type BodyTraits } from './smtp-client/downgrade.ts';

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

const isPending = (r: QueueRecipient) => (r.status ?? 'pending') === 'pending';
const domainOf = (address: string) => splitAddress(address).domain.toLowerCase();

function parseSmartHost(config: Config['relay']): SmartHost | null {
  if (!config.smart_host) return null;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(config.smart_host.trim());
  if (!match) throw new Error(`relay.smart_host: "${config.smart_host}" is not host[:port]`);
  const implicitTls = config.smart_host_tls === 'implicit';
  return {
    host: match[1]!.replace(/^\[|\]$/g, ''),
    port: match[2] ? Number(match[2]) : implicitTls ? 465 : 587,
    implicitTls,
    user: config.smart_host_user,
    password: config.smart_host_password,
  };
}

export class RelayWorker {
  private readonly mail: MailService;
  private readonly config: Config['relay'];
  readonly schedule: RetrySchedule;
  private readonly dns: DnsLookup;
  private readonly now: () => Date;
  private readonly slots: ConnectionSlots;
  private readonly backoff: DestinationBackoff;
  private readonly pool = new ConnectionPool(POOL_IDLE_MS);
  private readonly smartHost: SmartHost | null;
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
    this.dns = options.dns ?? createDnsLookup(options.config.dns);
    this.now = options.now ?? (() => new Date());
    this.slots = new ConnectionSlots(this.config.max_connections, this.config.max_connections_per_domain);
    this.backoff = new DestinationBackoff((failures) => this.schedule.waitAfter(failures));
    this.smartHost = parseSmartHost(this.config);
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
      const work = this.process(entry, operatorRetry)
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

  private routeFor(domain: string): DomainRoute {
    const lower = domain.toLowerCase();
    const viaSmart = this.smartHost && (this.config.smart_host_domains.length === 0 || this.config.smart_host_domains.some((d) => d.toLowerCase() === lower));
    // Certificates are checked where the operator asked for it (a smart host by its name).
    const required = new Set(this.config.require_tls_domains.map((d) => d.toLowerCase()));
    const requireTls = viaSmart ? required.has(this.smartHost!.host.toLowerCase()) || required.has(lower) : required.has(lower);
    return { domain: lower, smartHost: viaSmart ? this.smartHost : null, requireTls };
  }

  private async traitsOf(entry: QueueEntry): Promise<BodyTraits> {
    const scanner = new TraitScanner();
    for await (const chunk of this.mail.store.blobs.read(entry.blobId)) scanner.feed(chunk as Buffer);
    return scanner.traits;
  }

  private async process(entry: QueueEntry, ignoreBackoff = false): Promise<void> {
    const now = this.now();
    const pending = entry.recipients.filter(isPending);
    if (this.schedule.expired(entry.createdAt, now)) return this.giveUp(entry, pending, now);

    const byDomain = new Map<string, QueueRecipient[]>();
    for (const r of pending) {
      const domain = domainOf(r.address);
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), r]);
    }
    const traits = await this.traitsOf(entry);
    const results: AttemptResult[] = [];
    const successReports: DsnRecipient[] = [];
    let earliestSkipped: number | null = null;
    let hosts: string[] = [];

    await Promise.all(
      [...byDomain].map(async ([domain, recipients]) => {
        const route = this.routeFor(domain);
        const destination = route.smartHost ? `smart:${route.smartHost.host}` : domain;
        const downUntil = ignoreBackoff ? null : this.backoff.downUntil(destination, now.getTime());
        if (downUntil !== null) {
          // RFC 5321 §4.5.4.1: known to be down; wait for its retry, do not hammer it.
          earliestSkipped = Math.min(earliestSkipped ?? downUntil, downUntil);
          return;
        }
        const message: OutboundMessage = {
          sender: entry.sender,
          recipients,
          size: entry.size,
          envid: entry.envid ?? null,
          ret: entry.ret ?? null,
          traits,
          open: () => this.mail.store.blobs.read(entry.blobId),
        };
        const outcome: DomainOutcome = await deliverToDomain(route, message, {
          dns: this.dns,
          slots: this.slots,
          pool: this.pool,
          port: route.smartHost ? route.smartHost.port : this.config.port,
          client: {
            heloName: this.config.helo_name || this.mail.hostname,
            timeoutMs: this.config.command_timeout * 1000,
            connectTimeoutMs: this.config.connect_timeout * 1000,
            ...(this.config.source_address ? { localAddress: this.config.source_address } : {}),
          },
        });
        if (outcome.unreachable) this.backoff.failed(destination, now.getTime());
        else if (outcome.host) this.backoff.succeeded(destination);
        if (outcome.host) hosts.push(outcome.host);
        for (const result of outcome.results) {
          results.push({ ...result, host: outcome.host });
          const recipient = recipients.find((r) => r.address === result.address);
          if (result.outcome === 'delivered' && !outcome.remoteDsn) {
            successReports.push({ address: result.address, orcpt: recipient?.orcpt ?? null, action: 'relayed', status: statusOf(result.reply, '2.0.0'), diagnostic: result.reply, remoteMta: outcome.host });
          }
        }
        this.log.info(
          { queueId: entry.id, domain, host: outcome.host, results: outcome.results.map((r) => `${r.address}: ${r.outcome} (${r.reply})`) },
          'relay attempt',
        );
      }),
    );
    hosts = [...new Set(hosts)];

    let current: QueueEntry | null = entry;
    if (results.length > 0) {
      current = await this.mail.store.queue.recordAttempt(entry.id, { at: now, host: hosts.length === 1 ? hosts[0]! : hosts.length > 1 ? hosts.join(', ') : null, results });
      if (!current) return; // deleted by the operator meanwhile
    }

    const failedNow = results.filter((r) => r.outcome === 'failed');
    if (failedNow.length > 0) await this.report(current, 'failed', failedNow.map((r) => this.dsnRecipient(current!, r.address, 'failed', now)));
    if (successReports.length > 0) await this.report(current, 'relayed', successReports);

    const stillPending = current.recipients.filter(isPending);
    if (stillPending.length === 0) {
      await this.mail.store.queue.remove(entry.id);
      return;
    }
    const attempted = results.length > 0;
    let next = attempted ? this.schedule.nextAttempt(entry.createdAt, current.attempts, now) : null;
    if (earliestSkipped !== null) next = new Date(Math.min(next?.getTime() ?? Infinity, earliestSkipped));
    if (!next) return this.giveUp(current, stillPending, now);
    if (this.schedule.delayNoticeDue(entry.createdAt, current.delayNoticeAt, now)) {
      const until = new Date(entry.createdAt.getTime() + this.schedule.maxAgeMs);
      await this.report(current, 'delayed', stillPending.map((r) => ({ ...this.dsnRecipient(current!, r.address, 'delayed', now), willRetryUntil: until })));
      await this.mail.store.queue.setDelayNotice(entry.id, now);
    }
    const lastError = stillPending.map((r) => r.lastReply).find(Boolean) ?? (attempted ? null : 'destination down, waiting for its retry');
    await this.mail.store.queue.defer(entry.id, next, lastError ?? null);
  }

  private dsnRecipient(entry: QueueEntry, address: string, action: 'failed' | 'delayed', now: Date): DsnRecipient {
    const r = entry.recipients.find((q) => q.address === address);
    const reply = r?.lastReply ?? null;
    const remote = /^\d{3}\b/.test(reply ?? '');
    return {
      address,
      orcpt: r?.orcpt ?? null,
      action,
      status: statusOf(reply, action === 'failed' ? '5.0.0' : '4.0.0'),
      diagnostic: remote ? reply : null,
      reason: remote ? null : reply,
      remoteMta: remote ? (r?.remoteMta ?? null) : null,
      lastAttempt: now,
    };
  }

  /** RFC 5321 §4.5.4.1: past max_age, the remaining recipients fail; the sender is told. */
  private async giveUp(entry: QueueEntry, pending: QueueRecipient[], now: Date): Promise<void> {
    const days = Math.round((this.schedule.maxAgeMs / 86_400_000) * 10) / 10;
    const results: AttemptResult[] = pending.map((r) => ({
      address: r.address,
      outcome: 'failed',
      reply: `4.4.7 gave up after ${days} days in the queue; last error: ${r.lastReply ?? 'none'}`,
    }));
    const after = await this.mail.store.queue.recordAttempt(entry.id, { at: now, host: null, results });
    if (after) {
      await this.report(
        after,
        'failed',
        // RFC 3463 5.4.7: delivery time expired.
        pending.map((r) => ({ ...this.dsnRecipient(after, r.address, 'failed', now), status: '5.4.7' })),
      );
    }
    await this.mail.store.queue.remove(entry.id);
    this.log.info({ queueId: entry.id, recipients: pending.map((r) => r.address) }, 'relay: gave up');
  }

  private async report(entry: QueueEntry, action: DsnRecipient['action'], recipients: DsnRecipient[]): Promise<void> {
    try {
      await sendReport({ mail: this.mail, entry, action, recipients });
    } catch (error) {
      // A report that cannot be made must not block the queue; the log keeps the facts.
      this.log.error({ err: error, queueId: entry.id, action }, 'relay: could not send a delivery report');
    }
  }
}

/** The factory the composition root calls: `const relay = createRelayWorker({ mail, config }); await relay.start();`. */
export function createRelayWorker(options: RelayWorkerOptions): RelayWorker {
  return new RelayWorker(options);
}
