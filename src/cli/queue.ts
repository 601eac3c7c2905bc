// septet queue list (the relay issue adds show, retry, delete, hold, release)

import { parse, UsageError } from './args.ts';
import { withStore } from './store.ts';

export async function queueCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {});
  const [action] = positionals;
  if (action !== 'list') throw new UsageError('queue: expected list');
  await withStore(values, async (store) => {
    const entries = await store.queue.list();
    for (const e of entries) {
      const rcpts = e.recipients.map((r) => r.address).join(', ');
      process.stdout.write(
        `${e.id}\t${e.state}\t${e.size}\t${e.createdAt.toISOString()}\t<${e.sender}>\t${rcpts}` + (e.lastError ? `\t(${e.lastError})` : '') + '\n',
      );
    }
    process.stdout.write(`${entries.length} message${entries.length === 1 ? '' : 's'} in the queue\n`);
  });
}
