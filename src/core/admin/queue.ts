// The outbound queue as the relay worker sees it (src/mail/relay/), for `septet queue`
// and the console's `queue`. Changes reach a running relay worker through the store's
// change feed (retry and release are tried within store.change_poll_interval_ms).

import type { QueueEntry, Store } from '../store/types.ts';
import { AdminError } from './errors.ts';

function recipientLine(r: QueueEntry['recipients'][number]): string {
  const dsn = [r.notify ? `NOTIFY=${r.notify}` : '', r.orcpt ? `ORCPT=${r.orcpt}` : ''].filter(Boolean).join(' ');
  return `  <${r.address}> ${r.status ?? 'pending'}${dsn ? ` (${dsn})` : ''}${r.lastReply ? `: ${r.lastReply}` : ''}${r.remoteMta ? ` [${r.remoteMta}]` : ''}`;
}

const pendingRecipients = (e: QueueEntry): string =>
  e.recipients
    .filter((r) => (r.status ?? 'pending') === 'pending')
    .map((r) => r.address)
    .join(', ');

/** One line per entry, then the count. */
export async function queueListLines(store: Store): Promise<string[]> {
  const entries = await store.queue.list();
  const lines = entries.map(
    (e) =>
      `${e.id}\t${e.state}\t${e.size}\t${e.createdAt.toISOString()}\tnext ${e.nextAttemptAt.toISOString()}\ttries ${e.attempts}\t<${e.sender}>\t${pendingRecipients(e)}` +
      (e.lastError ? `\t(${e.lastError})` : ''),
  );
  lines.push(`${entries.length} message${entries.length === 1 ? '' : 's'} in the queue`);
  return lines;
}

export async function queueShowLines(store: Store, id: string): Promise<string[]> {
  const entry = await store.queue.get(id);
  if (!entry) throw new AdminError('not-found', `no queue entry ${id}`);
  const lines = [
    `id:         ${entry.id}`,
    `state:      ${entry.state}`,
    `sender:     <${entry.sender}>`,
    `size:       ${entry.size}`,
    `queued:     ${entry.createdAt.toISOString()}`,
    `next try:   ${entry.nextAttemptAt.toISOString()}`,
    `attempts:   ${entry.attempts}`,
  ];
  if (entry.envid || entry.ret) lines.push(`dsn:        ${[entry.envid ? `ENVID=${entry.envid}` : '', entry.ret ? `RET=${entry.ret}` : ''].filter(Boolean).join(' ')}`);
  if (entry.delayNoticeAt) lines.push(`delayed notice sent ${entry.delayNoticeAt.toISOString()}`);
  if (entry.lastError) lines.push(`last error: ${entry.lastError}`);
  lines.push('recipients:');
  for (const r of entry.recipients) lines.push(recipientLine(r));
  const attempts = await store.queue.attempts(id);
  lines.push(`history (${attempts.length} attempt${attempts.length === 1 ? '' : 's'}):`);
  for (const a of attempts) {
    lines.push(`  ${a.at.toISOString()} ${a.host ?? '(no host reached)'}`);
    for (const r of a.results) lines.push(`    <${r.address}> ${r.outcome}: ${r.reply}${r.host && r.host !== a.host ? ` [${r.host}]` : ''}`);
  }
  return lines;
}

export type QueueAction = 'retry' | 'delete' | 'hold' | 'release';

/** One operation on one entry; the line to print. */
export async function queueAct(store: Store, action: QueueAction, id: string): Promise<string> {
  switch (action) {
    case 'retry':
      if (!(await store.queue.retryNow(id))) throw new AdminError('not-found', `cannot retry ${id}: no such entry, or delivery in progress`);
      return `${id}: will be tried at once`;
    case 'delete':
      if (!(await store.queue.remove(id))) throw new AdminError('not-found', `no queue entry ${id}`);
      return `${id}: deleted (no report is sent)`;
    case 'hold':
      if (!(await store.queue.hold(id))) throw new AdminError('not-found', `no queue entry ${id}`);
      return `${id}: held`;
    case 'release':
      if (!(await store.queue.release(id))) throw new AdminError('not-found', `cannot release ${id}: no such entry, or not held`);
      return `${id}: released, will be tried at once`;
  }
}

/** Every entry not in flight becomes due at once (Postfix's `postqueue -f`); held entries stay held. */
export async function flushQueue(store: Store): Promise<string> {
  let count = 0;
  for (const entry of await store.queue.list()) {
    if (entry.state === 'held' || entry.state === 'inflight') continue;
    if (await store.queue.retryNow(entry.id)) count++;
  }
  return `${count} message${count === 1 ? '' : 's'} will be tried at once`;
}
