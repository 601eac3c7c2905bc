// TFTP on the running server: curl and Debian's tftp-hpa client fetch a boot file
// from the TFTP root in the data directory.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { curl, prepareSeptet, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
let server: SeptetProcess;
const bootImage = randomBytes(512 * 40); // an exact multiple of the block size: ends with an empty DATA block
before(async () => {
  server = await prepareSeptet({ offset: 28900 });
  await server.start();
  await writeFile(join(server.dataDir, 'tftp', 'pxelinux.0'), bootImage);
});
after(async () => {
  await server?.stop();
});

test('curl fetches a file from the TFTP root, with and without --tftp-blksize', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-tftp-'));
  for (const extra of [[], ['--tftp-blksize', '1468']]) {
    const out = join(dir, `boot-${extra.length}.bin`);
    const result = await curl([`tftp://127.0.0.1:${server.port('tftp')}/pxelinux.0`, ...extra, '-o', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await readFile(out), bootImage);
  }
});

test('the tftp-hpa client fetches it (RFC 1350, no options); a missing file is error 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'septet-tftp-'));
  const out = join(dir, 'boot.bin');
  await execFileP('tftp', ['-m', 'octet', '127.0.0.1', String(server.port('tftp')), '-c', 'get', 'pxelinux.0', out], { timeout: 30_000 });
  assert.deepEqual(await readFile(out), bootImage);
  const missing = await execFileP('tftp', ['127.0.0.1', String(server.port('tftp')), '-c', 'get', 'no-such-file', join(dir, 'x')], { timeout: 30_000 }).then(
    (r) => r.stdout + r.stderr,
    (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
  );
  assert.match(missing, /Error code 1/);
});
