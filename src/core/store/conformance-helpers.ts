// Helpers shared by the conformance suites (conformance.ts, conformance-imap.ts).

import assert from 'node:assert/strict';
import { StoreError, type Store } from './types.ts';

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

export const isStoreError = (code: StoreError['code']) => (error: unknown) =>
  error instanceof StoreError && error.code === code;

export async function putBlob(store: Store, body: string | Buffer): Promise<{ blobId: string; size: number }> {
  const writer = await store.blobs.create();
  await writer.write(Buffer.from(body));
  return writer.commit();
}

export async function deliverText(store: Store, accountId: number, body: string, mailbox?: string) {
  const { blobId, size } = await putBlob(store, body);
  const result = await store.messages.deliver({
    blobId,
    size,
    internalDate: new Date(),
    local: [{ accountId, ...(mailbox ? { mailbox } : {}) }],
  });
  return { blobId, uid: result.local[0]!.uid, mailboxId: result.local[0]!.mailboxId };
}

export async function blobExists(store: Store, blobId: string): Promise<boolean> {
  try {
    await store.blobs.readAll(blobId);
    return true;
  } catch (error) {
    assert.ok(isStoreError('not-found')(error), `readAll of a missing blob must throw StoreError('not-found'), got ${error}`);
    return false;
  }
}

/** Runs a test body against a fresh store and always cleans up. */
export type WithStore = (body: (store: Store) => Promise<void>) => () => Promise<void>;

/** Queues a small message for remote recipients (NOTIFY=FAILURE,DELAY, ORCPT as given). */
export async function enqueue(store: Store, recipients: string[], options: { envid?: string; ret?: string } = {}): Promise<{ id: string; blobId: string }> {
  const { blobId, size } = await putBlob(store, 'Subject: out\r\n\r\nbody\r\n');
  const result = await store.messages.deliver({
    blobId,
    size,
    internalDate: new Date(),
    local: [],
    remote: {
      sender: 'alice@example.org',
      recipients: recipients.map((address) => ({ address, notify: 'FAILURE,DELAY', orcpt: `rfc822;${address}` })),
      envid: options.envid ?? null,
      ret: options.ret ?? null,
    },
  });
  assert.ok(result.queueId);
  return { id: result.queueId, blobId };
}
