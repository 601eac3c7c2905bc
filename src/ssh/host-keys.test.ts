// Host keys: made once with owner-only modes, read back by ssh2, fingerprints as
// ssh-keygen -lf prints them, and the same keys for every process that starts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureHostKeys, readHostKeys } from './host-keys.ts';

const execFileP = promisify(execFile);

test('three keys, 0600 in a 0700 folder, fingerprints equal ssh-keygen -lf, made once even when raced', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-hostkeys-'));
  const [a, b] = await Promise.all([ensureHostKeys(dir), ensureHostKeys(dir)]);
  assert.deepEqual(a.map((k) => k.fingerprint), b!.map((k) => k.fingerprint), 'two processes starting at once get the same keys');
  assert.deepEqual(a.map((k) => `${k.type} ${k.bits}`), ['ssh-ed25519 256', 'ecdsa-sha2-nistp256 256', 'ssh-rsa 3072']);
  assert.equal((await stat(join(dir, 'ssh'))).mode & 0o777, 0o700);
  for (const key of a) {
    assert.equal((await stat(key.file)).mode & 0o777, 0o600);
    const { stdout } = await execFileP('ssh-keygen', ['-lf', key.file]);
    assert.equal(stdout.split(' ')[1], key.fingerprint);
    assert.equal(Number(stdout.split(' ')[0]), key.bits);
  }
  const again = await readHostKeys(dir);
  assert.deepEqual(again!.map((k) => k.fingerprint), a.map((k) => k.fingerprint));
});
