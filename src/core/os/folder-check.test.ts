import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFolders, checkWritableFolders, EX_CANTCREAT, FolderAccessError } from './folder-check.ts';

test('a usable folder passes the probe, which leaves nothing behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-check-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await checkFolders([{ path: dir, need: 'write', what: 'data directory' }, { path: dir, need: 'read', what: 'TFTP root' }], 'septet');
  await checkWritableFolders([dir], 'message body folder', 'septet');
  assert.deepEqual(await readdir(dir), []);
});

test('a missing folder is a FolderAccessError naming it, with exit code 73 (EX_CANTCREAT) and the fix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-check-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const missing = join(dir, 'tftp');
  for (const check of [
    () => checkFolders([{ path: dir, need: 'write', what: 'data directory' }, { path: missing, need: 'read', what: 'TFTP root' }], 'septet'),
    () => checkWritableFolders([dir, missing], 'TFTP root', 'septet'),
  ]) {
    const error = await check().then(() => null, (e: unknown) => e);
    assert.ok(error instanceof FolderAccessError, String(error));
    assert.equal(error.exitCode, EX_CANTCREAT);
    assert.equal(EX_CANTCREAT, 73);
    assert.equal(error.folder, missing);
    assert.match(error.message, new RegExp(`septet cannot .* the TFTP root ${missing} \\(ENOENT\\): it does not exist; create it, owned by septet`));
  }
});
