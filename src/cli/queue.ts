// septet queue list | show ID | retry ID | delete ID | hold ID | release ID
// The outbound queue as the relay worker sees it (src/mail/relay/). Changes made here
// reach a running server through the shared database, and its relay worker hears
// them at once through the store's change feed (retry and release are tried within
// store.change_poll_interval_ms, not at the next relay.poll_interval).

import type { QueueEntry, Store } from '../core/store/types.ts';
import { parse, UsageError } from './args.ts';
import { withStore } from './store.ts';

const ACTIONS = ['list', 'show', 'retry', 'delete', 'hold', 'release'] as const;
type Action = (typeof ACTIONS)[number];

const out = (line: string) => process.stdout.write(line + '\n');

function recipientLine(r: QueueEntry['recipients'][number]): string {
  const dsn = [r.notify ? `NOTIFY=${r.notify}` : '', r.orcpt ? `ORCPT=${r.orcpt}` : ''].filter(Boolean).join(' ');
  return `  <${r.address}> ${r.status ?? 'pending'}${dsn ? ` (${dsn})` : ''}${r.lastReply ? `: ${r.lastReply}` : ''}${r.remoteMta ? ` [${r.remoteMta}]` : ''}`;
}

async function show(store: Store, id: string): Promise<void> {
  const entry = await store.queue.get(id);
  if (!entry) throw new Error(`no queue entry ${id}`);
  out(`id:         ${entry.id}`);
  out(`state:      ${entry.state}`);
  out(`sender:     <${entry.sender}>`);
  out(`size:       ${entry.size}`);
  out(`queued:     ${entry.createdAt.toISOString()}`);
  out(`next try:   ${entry.nextAttemptAt.toISOString()}`);
  out(`attempts:   ${entry.attempts}`);
  if (entry.envid || entry.ret) out(`dsn:        ${[entry.envid ? `ENVID=${entry.envid}` : '', entry.ret ? `RET=${entry.ret}` : ''].filter(Boolean).join(' ')}`);
  if (entry.delayNoticeAt) out(`delayed notice sent ${entry.delayNoticeAt.toISOString()}`);
  if (entry.lastError) out(`last error: ${entry.lastError}`);
  out('recipients:');
  for (const r of entry.recipients) out(recipientLine(r));
  const attempts = await store.queue.attempts(id);
  out(`history (${attempts.length} attempt${attempts.length === 1 ? '' : 's'}):`);
  for (const a of attempts) {
    out(`  ${a.at.toISOString()} ${a.host ?? '(no host reached)'}`);
    for (const r of a.results) out(`    <${r.address}> ${r.outcome}: ${r.reply}${r.host && r.host !== a.host ? ` [${r.host}]` : ''}`);
  }
}

export async function queueCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {});
  const [action, id] = positionals;
  if (!ACTIONS.includes(action as Action)) throw new UsageError(`queue: expected ${ACTIONS.join('|')}`);
  if (action !== 'list' && !id) throw new UsageError(`queue ${action}: missing queue id`);
  await withStore(values, async (store) => {
    switch (action as Action) {
      case 'list': {
        const entries = await store.queue.list();
        for (const e of entries) {
          const rcpts = e.recipients.filter((r) => (r.status ?? 'pending') === 'pending').map((r) => r.address).join(', ');
          out(
            `${e.id}\t${e.state}\t${e.size}\t${e.createdAt.toISOString()}\tnext ${e.nextAttemptAt.toISOString()}\ttries ${e.attempts}\t<${e.sender}>\t${rcpts}` +
              (e.lastError ? `\t(${e.lastError})` : ''),
          );
        }
        out(`${entries.length} message${entries.length === 1 ? '' : 's'} in the queue`);
        return;
      }
      case 'show':
        return show(store, id!);
      case 'retry':
        if (!(await store.queue.retryNow(id!))) throw new Error(`cannot retry ${id}: no such entry, or delivery in progress`);
        out(`${id}: will be tried at once`);
        return;
      case 'delete':
        if (!(await store.queue.remove(id!))) throw new Error(`no queue entry ${id}`);
        out(`${id}: deleted (no report is sent)`);
        return;
      case 'hold':
        if (!(await store.queue.hold(id!))) throw new Error(`no queue entry ${id}`);
        out(`${id}: held`);
        return;
      case 'release':
        if (!(await store.queue.release(id!))) throw new Error(`cannot release ${id}: no such entry, or not held`);
        out(`${id}: released, will be tried at once`);
        return;
    }
  });
}
