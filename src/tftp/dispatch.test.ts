import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HomeJail } from '../files/jail.ts';
import { resolveForRead, resolveForWrite } from './dispatch.ts';
import { ErrorCode, toTftpError } from './replies.ts';

const code = (c: number) => (e: unknown) => toTftpError(e).code === c;

test('a leading slash is relative to the root; "." and empty parts vanish; ".." is refused', async (t) => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'septet-jail-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  await mkdir(join(base, 'boot'));
  await writeFile(join(base, 'boot', 'pxelinux.0'), 'x');
  const root = { jail: await HomeJail.open(base, { parents: 'refuse' }), uploadDir: null };
  assert.equal(await resolveForRead(root, '/boot//./pxelinux.0'), join(base, 'boot', 'pxelinux.0'));
  await assert.rejects(resolveForRead(root, 'a/../../etc/passwd'), code(ErrorCode.accessViolation));
  await assert.rejects(resolveForRead(root, 'boot/../boot/pxelinux.0'), code(ErrorCode.accessViolation));
  await assert.rejects(resolveForWrite(root, '..'), code(ErrorCode.accessViolation));
  await assert.rejects(resolveForRead(root, '/'), code(ErrorCode.accessViolation));
});

test('symlinks may point inside the root, never out of it', async (t) => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'septet-jail-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(base, 'secret'), 'x');
  await writeFile(join(root, 'sub', 'real'), 'y');
  await symlink(join(base, 'secret'), join(root, 'escape'));
  await symlink(join(base), join(root, 'dir-escape'));
  await symlink('sub/real', join(root, 'inside'));
  const jail = { jail: await HomeJail.open(root, { parents: 'refuse' }), uploadDir: null };

  assert.equal(await resolveForRead(jail, 'inside'), join(root, 'sub', 'real'));
  await assert.rejects(resolveForRead(jail, 'escape'), code(ErrorCode.accessViolation));
  await assert.rejects(resolveForRead(jail, 'dir-escape/secret'), code(ErrorCode.accessViolation));
  await assert.rejects(resolveForRead(jail, 'missing'), code(ErrorCode.fileNotFound));

  assert.deepEqual(await resolveForWrite(jail, '/sub/new'), { path: join(root, 'sub', 'new'), folder: join(root, 'sub'), existingMode: null });
  assert.equal((await resolveForWrite(jail, 'inside')).path, join(root, 'sub', 'real'));
  await assert.rejects(resolveForWrite(jail, 'escape'), code(ErrorCode.accessViolation));
  await assert.rejects(resolveForWrite(jail, 'dir-escape/new'), code(ErrorCode.accessViolation));
  await assert.rejects(resolveForWrite(jail, 'nofolder/new'), code(ErrorCode.fileNotFound));
  await assert.rejects(resolveForWrite(jail, 'sub'), code(ErrorCode.accessViolation));
});
