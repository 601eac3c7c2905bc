import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { prng } from '../testing/prng.ts';
import { BodyCache } from './body-cache.ts';
import { FileBlobStore } from './sqlite/blob-files.ts';

const body = (size: number, fill: number) => Buffer.alloc(size, fill);

test('BodyCache: filling far past the budget never holds more than the budget', () => {
  const budget = 100_000;
  const cache = new BodyCache({ budgetBytes: budget, maxEntryBytes: 30_000 });
  const random = prng(11);
  for (let i = 0; i < 5000; i++) {
    cache.set(`blob${i % 700}`, body(1 + Math.floor(random() * 30_000), i & 0xff));
    assert.ok(cache.bytes <= budget, `held ${cache.bytes} after ${i + 1} insertions`);
    if (i % 3 === 0) cache.get(`blob${Math.floor(random() * 700)}`);
  }
  assert.ok(cache.peakBytes <= budget);
  assert.ok(cache.bytes > budget / 2, 'the cache is used, not emptied');
});

test('BodyCache: bodies above the largest entry size are never cached', () => {
  const cache = new BodyCache({ budgetBytes: 1_000_000, maxEntryBytes: 1000 });
  cache.set('small', body(1000, 1));
  cache.set('large', body(1001, 2));
  assert.equal(cache.get('small')?.length, 1000);
  assert.equal(cache.get('large'), undefined);
  assert.equal(cache.bytes, 1000);
  assert.equal(cache.accepts(1001), false);
});

test('BodyCache: least recently used goes first; a read counts as a use', () => {
  const cache = new BodyCache({ budgetBytes: 3000, maxEntryBytes: 1000 });
  cache.set('a', body(1000, 1));
  cache.set('b', body(1000, 2));
  cache.set('c', body(1000, 3));
  cache.get('a');
  cache.set('d', body(1000, 4));
  assert.equal(cache.get('b'), undefined, 'b was the least recently used');
  assert.deepEqual(['a', 'c', 'd'].map((k) => cache.get(k)?.[0]), [1, 3, 4]);
  cache.delete('c');
  assert.equal(cache.bytes, 2000);
  assert.equal(cache.size, 2);
});

test('BodyCache: a slice of a larger buffer is copied, so the accounting is the memory held', () => {
  const cache = new BodyCache({ budgetBytes: 10_000, maxEntryBytes: 10_000 });
  const big = Buffer.alloc(1_000_000, 7);
  cache.set('slice', big.subarray(10, 110));
  const held = cache.get('slice')!;
  assert.equal(held.length, 100);
  assert.equal(held.buffer.byteLength, 100);
  assert.equal(cache.bytes, 100);
});

test('BodyCache: a budget of 0 caches nothing', () => {
  const cache = new BodyCache({ budgetBytes: 0, maxEntryBytes: 1000 });
  cache.set('a', body(10, 1));
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.bytes, 0);
});

test('FileBlobStore with a cache: delivered and read bodies are served from memory, deleted ones are dropped', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'septet-body-cache-'));
  try {
    const cache = new BodyCache({ budgetBytes: 64 * 1024, maxEntryBytes: 16 * 1024 });
    const blobs = new FileBlobStore({ directory: dir, fsync: false, cache });
    await blobs.open();
    const write = async (data: Buffer) => {
      const writer = await blobs.create();
      await writer.write(data);
      return (await writer.commit()).blobId;
    };
    const small = await write(body(4096, 0x61));
    assert.equal(blobs.inMemory(small)?.length, 4096, 'cached as it was delivered');
    const large = await write(body(20_000, 0x62));
    assert.equal(blobs.inMemory(large), undefined, 'too large for the cache');
    // Read back through the stream with the size known: served from memory.
    const chunks: Buffer[] = [];
    for await (const chunk of blobs.read(small, { start: 10, end: 20 }, 4096)) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), body(10, 0x61));
    // Evicted, then read again with its size: read whole from the file and cached again.
    cache.delete(small);
    const again: Buffer[] = [];
    for await (const chunk of blobs.read(small, { start: 0, end: 4096 }, 4096)) again.push(chunk as Buffer);
    assert.equal(Buffer.concat(again).length, 4096);
    assert.equal(blobs.inMemory(small)?.length, 4096);
    await blobs.delete(small);
    assert.equal(blobs.inMemory(small), undefined);
    assert.equal(cache.bytes, 0);
    // A missing body still fails as a stream error.
    await assert.rejects(async () => {
      for await (const _ of blobs.read(small, { start: 0, end: 4096 }, 4096)) { /* nothing */ }
    }, /no blob/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
