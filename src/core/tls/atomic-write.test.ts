import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';

test('writeFileAtomic: replaces the content with the given mode and leaves no temporary file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-atomic-'));
  try {
    const path = join(dir, 'key.pem');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, 'new secret', 0o600);
    assert.equal(await readFile(path, 'utf8'), 'new secret');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['key.pem']);
    await assert.rejects(writeFileAtomic(join(dir, 'missing-folder', 'x'), 'x', 0o600), /ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
