// septet queue list | show ID | retry ID | delete ID | hold ID | release ID
// The outbound queue as the relay worker sees it (src/mail/relay/). Changes made here
// reach a running server through the shared database, and its relay worker hears
// them at once through the store's change feed (retry and release are tried within
// store.change_poll_interval_ms, not at the next relay.poll_interval). The operations
// are shared with the console (src/core/admin/queue.ts).

import { queueAct, queueListLines, queueShowLines } from '../core/admin/queue.ts';
import { parse, UsageError } from './args.ts';
import { withStore } from './store.ts';

const ACTIONS = ['list', 'show', 'retry', 'delete', 'hold', 'release'] as const;
type Action = (typeof ACTIONS)[number];

const out = (line: string) => process.stdout.write(line + '\n');

export async function queueCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {});
  const [action, id] = positionals;
  if (!ACTIONS.includes(action as Action)) throw new UsageError(`queue: expected ${ACTIONS.join('|')}`);
  if (action !== 'list' && !id) throw new UsageError(`queue ${action}: missing queue id`);
  await withStore(values, async (store) => {
    const act = action as Action;
    const lines = act === 'list' ? await queueListLines(store) : act === 'show' ? await queueShowLines(store, id!) : [await queueAct(store, act, id!)];
    for (const line of lines) out(line);
  });
}
