// One delivery attempt at one claimed queue entry, in the order it happens: route
// and deliver its pending recipients by domain (skipping destinations known to be
// down, RFC 5321 §4.5.4.1), record the replies, notify the sender (failures, and
// "relayed" where the next hop does not speak DSN, RFC 3461 §5.2.2), then remove the
// entry, reschedule it (with one "delayed" notice) or give up past max_age.

import { splitAddress } from '../address.ts';
import type { Config } from '../../core/config/schema.ts';
import { countRelayed } from '../../core/metrics/hooks.ts';
import type { AttemptResult, QueueEntry, QueueRecipient } from '../../core/store/types.ts';
import type { MailService } from '../mail-service.ts';
import { sendReport, statusOf } from './bounce.ts';
import type { ConnectionPool } from './connection-pool.ts';
import type { DnsLookup } from './dns.ts';
import { deliverToDomain, type DomainRoute, type SmartHost } from './domain-delivery.ts';
import type { DsnRecipient } from './dsn.ts';
import type { ConnectionSlots, DestinationBackoff } from './limits.ts';
import { destinationOf, routeFor } from './route.ts';
import type { RetrySchedule } from './schedule.ts';
import type { OutboundMessage, SmtpClientOptions } from './smtp-client/client.ts';
import { TraitScanner, type BodyTraits } from './smtp-client/downgrade.ts';

/** What every attempt shares: the worker's connections, limits and schedule. */
export interface AttemptContext {
  mail: MailService;
  config: Config['relay'];
  schedule: RetrySchedule;
  dns: DnsLookup;
  slots: ConnectionSlots;
  backoff: DestinationBackoff;
  pool: ConnectionPool;
  smartHost: SmartHost | null;
  now: () => Date;
}

/** What delivering by domain gave. */
interface Round {
  results: AttemptResult[];
  /** NOTIFY=SUCCESS recipients accepted by a next hop without DSN. */
  relayed: DsnRecipient[];
  /** When the earliest skipped destination (down) may be tried again. */
  earliestSkipped: number | null;
  hosts: string[];
}

export const isPending = (r: QueueRecipient) => (r.status ?? 'pending') === 'pending';
const domainOf = (address: string) => splitAddress(address).domain.toLowerCase();

/**
 * Attempts the pending recipients of `entry` (claimed by the caller). `ignoreBackoff`:
 * the operator asked for a try now, so a destination's backoff does not apply.
 */
export async function attemptEntry(ctx: AttemptContext, entry: QueueEntry, ignoreBackoff: boolean): Promise<void> {
  const now = ctx.now();
  const pending = entry.recipients.filter(isPending);
  if (ctx.schedule.expired(entry.createdAt, now)) return giveUp(ctx, entry, pending, now);
  const round = await deliverByDomain(ctx, entry, pending, now, ignoreBackoff);
  const current = await record(ctx, entry, round, now);
  if (!current) return; // deleted by the operator meanwhile
  await notify(ctx, current, round, now);
  await reschedule(ctx, entry, current, round, now);
}

function byDomain(recipients: QueueRecipient[]): Map<string, QueueRecipient[]> {
  const groups = new Map<string, QueueRecipient[]>();
  for (const r of recipients) {
    const domain = domainOf(r.address);
    groups.set(domain, [...(groups.get(domain) ?? []), r]);
  }
  return groups;
}

async function traitsOf(mail: MailService, entry: QueueEntry): Promise<BodyTraits> {
  const scanner = new TraitScanner();
  for await (const chunk of mail.store.blobs.read(entry.blobId)) scanner.feed(chunk as Buffer);
  return scanner.traits;
}

async function deliverByDomain(ctx: AttemptContext, entry: QueueEntry, pending: QueueRecipient[], now: Date, ignoreBackoff: boolean): Promise<Round> {
  const traits = await traitsOf(ctx.mail, entry);
  const round: Round = { results: [], relayed: [], earliestSkipped: null, hosts: [] };
  await Promise.all(
    [...byDomain(pending)].map(async ([domain, recipients]) => {
      const route = routeFor(ctx.config, ctx.smartHost, domain);
      const downUntil = ignoreBackoff ? null : ctx.backoff.downUntil(destinationOf(route), now.getTime());
      if (downUntil !== null) {
        // RFC 5321 §4.5.4.1: known to be down; wait for its retry, do not hammer it.
        round.earliestSkipped = Math.min(round.earliestSkipped ?? downUntil, downUntil);
        return;
      }
      await deliverDomain(ctx, entry, route, recipients, traits, now, round);
    }),
  );
  round.hosts = [...new Set(round.hosts)];
  return round;
}

async function deliverDomain(ctx: AttemptContext, entry: QueueEntry, route: DomainRoute, recipients: QueueRecipient[], traits: BodyTraits, now: Date, round: Round): Promise<void> {
  const message: OutboundMessage = {
    sender: entry.sender,
    recipients,
    size: entry.size,
    envid: entry.envid ?? null,
    ret: entry.ret ?? null,
    traits,
    open: () => ctx.mail.store.blobs.read(entry.blobId),
  };
  const outcome = await deliverToDomain(route, message, {
    dns: ctx.dns,
    slots: ctx.slots,
    pool: ctx.pool,
    port: route.smartHost ? route.smartHost.port : ctx.config.port,
    client: clientOptions(ctx),
  });
  const destination = destinationOf(route);
  if (outcome.unreachable) ctx.backoff.failed(destination, now.getTime());
  else if (outcome.host) ctx.backoff.succeeded(destination);
  if (outcome.host) round.hosts.push(outcome.host);
  for (const result of outcome.results) {
    round.results.push({ ...result, host: outcome.host });
    const recipient = recipients.find((r) => r.address === result.address);
    if (result.outcome === 'delivered' && !outcome.remoteDsn) {
      round.relayed.push({ address: result.address, orcpt: recipient?.orcpt ?? null, action: 'relayed', status: statusOf(result.reply, '2.0.0'), diagnostic: result.reply, remoteMta: outcome.host });
    }
  }
  ctx.mail.log.info(
    { queueId: entry.id, domain: route.domain, host: outcome.host, results: outcome.results.map((r) => `${r.address}: ${r.outcome} (${r.reply})`) },
    'relay attempt',
  );
}

function clientOptions({ config, mail }: AttemptContext): SmtpClientOptions {
  return {
    heloName: config.helo_name || mail.hostname,
    timeoutMs: config.command_timeout * 1000,
    connectTimeoutMs: config.connect_timeout * 1000,
    replyLimits: { maxLine: config.max_reply_line, maxLines: config.max_reply_lines },
    ...(config.source_address ? { localAddress: config.source_address } : {}),
  };
}

/** The entry as it is after the attempt is recorded; null when it was deleted meanwhile. */
async function record(ctx: AttemptContext, entry: QueueEntry, round: Round, now: Date): Promise<QueueEntry | null> {
  if (round.results.length === 0) return entry;
  const { hosts } = round;
  countRelayed(round.results);
  return ctx.mail.store.queue.recordAttempt(entry.id, { at: now, host: hosts.length === 1 ? hosts[0]! : hosts.length > 1 ? hosts.join(', ') : null, results: round.results });
}

async function notify(ctx: AttemptContext, current: QueueEntry, round: Round, now: Date): Promise<void> {
  const failedNow = round.results.filter((r) => r.outcome === 'failed');
  if (failedNow.length > 0) await report(ctx, current, 'failed', failedNow.map((r) => dsnRecipient(current, r.address, 'failed', now)));
  if (round.relayed.length > 0) await report(ctx, current, 'relayed', round.relayed);
}

async function reschedule(ctx: AttemptContext, entry: QueueEntry, current: QueueEntry, round: Round, now: Date): Promise<void> {
  const { queue } = ctx.mail.store;
  const stillPending = current.recipients.filter(isPending);
  if (stillPending.length === 0) {
    await queue.remove(entry.id);
    return;
  }
  const attempted = round.results.length > 0;
  let next = attempted ? ctx.schedule.nextAttempt(entry.createdAt, current.attempts, now) : null;
  if (round.earliestSkipped !== null) next = new Date(Math.min(next?.getTime() ?? Infinity, round.earliestSkipped));
  if (!next) return giveUp(ctx, current, stillPending, now);
  if (ctx.schedule.delayNoticeDue(entry.createdAt, current.delayNoticeAt, now)) {
    const until = new Date(entry.createdAt.getTime() + ctx.schedule.maxAgeMs);
    await report(ctx, current, 'delayed', stillPending.map((r) => ({ ...dsnRecipient(current, r.address, 'delayed', now), willRetryUntil: until })));
    await queue.setDelayNotice(entry.id, now);
  }
  const lastError = stillPending.map((r) => r.lastReply).find(Boolean) ?? (attempted ? null : 'destination down, waiting for its retry');
  await queue.defer(entry.id, next, lastError ?? null);
}

function dsnRecipient(entry: QueueEntry, address: string, action: 'failed' | 'delayed', now: Date): DsnRecipient {
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
async function giveUp(ctx: AttemptContext, entry: QueueEntry, pending: QueueRecipient[], now: Date): Promise<void> {
  const days = Math.round((ctx.schedule.maxAgeMs / 86_400_000) * 10) / 10;
  const results: AttemptResult[] = pending.map((r) => ({
    address: r.address,
    outcome: 'failed',
    reply: `4.4.7 gave up after ${days} days in the queue; last error: ${r.lastReply ?? 'none'}`,
  }));
  const after = await ctx.mail.store.queue.recordAttempt(entry.id, { at: now, host: null, results });
  if (after) {
    await report(
      ctx,
      after,
      'failed',
      // RFC 3463 5.4.7: delivery time expired.
      pending.map((r) => ({ ...dsnRecipient(after, r.address, 'failed', now), status: '5.4.7' })),
    );
  }
  await ctx.mail.store.queue.remove(entry.id);
  ctx.mail.log.info({ queueId: entry.id, recipients: pending.map((r) => r.address) }, 'relay: gave up');
}

async function report(ctx: AttemptContext, entry: QueueEntry, action: DsnRecipient['action'], recipients: DsnRecipient[]): Promise<void> {
  try {
    await sendReport({ mail: ctx.mail, entry, action, recipients });
  } catch (error) {
    // A report that cannot be made must not block the queue; the log keeps the facts.
    ctx.mail.log.error({ err: error, queueId: entry.id, action }, 'relay: could not send a delivery report');
  }
}
