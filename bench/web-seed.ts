// Seeds one mailbox with N generated messages through the store API (deliverMany in
// batches: one commit per batch), for bench/web-api.sh. Run while the server is
// stopped or running: it opens the data directory's store as the CLI does.
// usage: node bench/web-seed.ts --data D --config C USER COUNT

import { parseArgs } from 'node:util';
import { withStore } from '../src/cli/store.ts';
import type { DeliveryRequest } from '../src/core/store/types.ts';

const { values, positionals } = parseArgs({ options: { data: { type: 'string' }, config: { type: 'string' } }, allowPositionals: true });
const [user, countText] = positionals;
const count = Number(countText ?? '10000');
const BATCH = 500;

await withStore(values, async (store) => {
  const account = await store.accounts.getUser(user ?? '');
  if (!account) throw new Error(`no such user: ${user}`);
  await store.mailboxes.ensureDefaultMailboxes(account.id);
  const started = Date.now();
  for (let done = 0; done < count; done += BATCH) {
    const requests: DeliveryRequest[] = [];
    for (let i = done; i < Math.min(count, done + BATCH); i++) {
      const date = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
      const body = [
        `From: Sender ${i % 97} <sender${i % 97}@example.net>`,
        `To: ${user}`,
        `Subject: Bench message ${i} =?utf-8?q?gr=C3=BC=C3=9Fe?=`,
        `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
        `Message-ID: <bench-${i}@example.net>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        ...Array.from({ length: 20 }, (_, line) => `Line ${line} of message ${i}: the quick brown fox jumps over the lazy dog.`),
        '',
      ].join('\r\n');
      const writer = await store.blobs.create();
      await writer.write(Buffer.from(body));
      const { blobId, size } = await writer.commit();
      requests.push({ blobId, size, internalDate: date, local: [{ accountId: account.id, flags: i % 3 === 0 ? ['\\Seen'] : [] }] });
    }
    await store.messages.deliverMany(requests);
  }
  const status = await store.mailboxes.status((await store.mailboxes.getMailbox(account.id, 'INBOX'))!.id);
  console.log(`seeded ${count} messages in ${((Date.now() - started) / 1000).toFixed(1)} s; INBOX has ${status.messages}`);
});
