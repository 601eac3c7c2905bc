import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { leasedRead, OpenBlobFiles } from './open-blob-files.ts';

const openDescriptors = async () => (await readdir('/proc/self/fd')).length;

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test('OpenBlobFiles: idle descriptors never exceed the bound, reads are exact, the process holds no more', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'septet-open-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files: string[] = [];
  for (let i = 0; i < 40; i++) {
    const file = path.join(dir, `blob${i}`);
    await writeFile(file, Buffer.alloc(100_000 + i, i));
    files.push(file);
  }
  const pool = new OpenBlobFiles(8);
  const before = await openDescriptors();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < files.length; i++) {
      const data = await collect(leasedRead(pool, `blob${i}`, files[i]!, 1000, 1000 + 70_000, 64 * 1024));
      assert.deepEqual(data, Buffer.alloc(70_000, i));
      assert.ok(pool.keptCount <= 8, `kept ${pool.keptCount}`);
    }
  }
  // Closes are asynchronous: wait until the count settles at the bound.
  while (pool.openCount > 8) await new Promise((resolve) => setImmediate(resolve));
  assert.ok((await openDescriptors()) - before <= 8);
  // A whole read (no end) reads to the end of the file.
  assert.equal((await collect(leasedRead(pool, 'blob39', files[39]!, 0, undefined, 64 * 1024))).length, 100_039);
  pool.closeIdle();
  while (pool.openCount > 0) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pool.keptCount, 0);
});

test('OpenBlobFiles: one descriptor serves concurrent readers; a dropped one closes after its last reader', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'septet-open-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'blob');
  await writeFile(file, Buffer.from('0123456789'));
  const pool = new OpenBlobFiles(4);
  const a = await pool.acquire('blob', file);
  const b = await pool.acquire('blob', file);
  assert.equal(a.handle, b.handle);
  assert.equal(pool.openCount, 1);
  pool.drop('blob');
  a.release();
  const { bytesRead, buffer } = await b.handle.read(Buffer.alloc(4), 0, 4, 3);
  assert.equal(buffer.subarray(0, bytesRead).toString(), '3456', 'still readable by the reader that holds it');
  b.release();
  while (pool.openCount > 0) await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(pool.acquire('missing', path.join(dir, 'missing')), /no blob missing/);
  assert.equal(pool.keptCount, 0);
});
