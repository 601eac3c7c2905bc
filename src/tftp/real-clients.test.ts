// Third-party clients against the server started in-process: curl's tftp:// (get
// and upload, with --tftp-blksize) and the tftp-hpa client (octet and netascii; it
// negotiates no options). Installed by scripts/test-deps.sh.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer } from './test-support.ts';

const run = promisify(execFile);
const random = (n: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + (i >> 7)) & 0xff;
  return b;
};
const text = Buffer.from('first line\nsecond\r\nbare CR\rhere\n\nlast line without end', 'latin1');

test('curl tftp:// downloads with the default block size and with --tftp-blksize', async (t) => {
  const s = await startTestServer({ timeout_ms: 1000 });
  t.after(() => s.stop());
  const content = random(200_000);
  await writeFile(join(s.root, 'dl.bin'), content);
  for (const args of [[], ['--tftp-blksize', '1468'], ['--tftp-blksize', '65464']]) {
    const out = join(s.dataDir, 'out.bin');
    await run('curl', ['-sS', '--fail', ...args, `tftp://127.0.0.1:${s.port}/dl.bin`, '-o', out]);
    assert.deepEqual(await readFile(out), content, args.join(' ') || 'default');
  }
});

test('curl tftp:// reports a missing file as an error (exit 68, CURLE_TFTP_NOTFOUND) and a refused path (69, CURLE_TFTP_PERM)', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  await assert.rejects(run('curl', ['-sS', '--fail', `tftp://127.0.0.1:${s.port}/missing`, '-o', '/dev/null']), { code: 68 });
  await assert.rejects(run('curl', ['-sS', '--fail', '--path-as-is', `tftp://127.0.0.1:${s.port}/../x`, '-o', '/dev/null']), { code: 69 });
});

test('curl tftp:// uploads (-T) with --tftp-blksize, including an exact multiple of the block size', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 1000 });
  t.after(() => s.stop());
  for (const [size, blk] of [[100_000, '1024'], [4096, '512'], [0, '1468']] as const) {
    const local = join(s.dataDir, `src-${size}`);
    const content = random(size);
    await writeFile(local, content);
    await run('curl', ['-sS', '--fail', '--tftp-blksize', blk, '-T', local, `tftp://127.0.0.1:${s.port}/up-${size}.bin`]);
    assert.deepEqual(await readFile(join(s.root, `up-${size}.bin`)), content, `${size} octets at ${blk}`);
  }
});

const tftpHpa = (port: number, mode: string, command: string) => run('tftp', ['-m', mode, '127.0.0.1', String(port), '-c', ...command.split(' ')], { timeout: 20_000 });

test('tftp-hpa client: octet get and put', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 1000 });
  t.after(() => s.stop());
  const content = random(70_000);
  await writeFile(join(s.root, 'hpa.bin'), content);
  const local = join(s.dataDir, 'hpa-local.bin');
  await tftpHpa(s.port, 'octet', `get hpa.bin ${local}`);
  assert.deepEqual(await readFile(local), content);
  await tftpHpa(s.port, 'octet', `put ${local} hpa-up.bin`);
  assert.deepEqual(await readFile(join(s.root, 'hpa-up.bin')), content);
});

test('tftp-hpa client: netascii get and put convert line ends both ways', async (t) => {
  const s = await startTestServer({ allow_write: true, create: true, timeout_ms: 1000 });
  t.after(() => s.stop());
  await writeFile(join(s.root, 'notes.txt'), text);
  const local = join(s.dataDir, 'notes-local.txt');
  await tftpHpa(s.port, 'netascii', `get notes.txt ${local}`);
  assert.deepEqual(await readFile(local), text, 'LF and bare CR survive the round trip through netascii');
  await tftpHpa(s.port, 'netascii', `put ${local} notes-up.txt`);
  assert.deepEqual(await readFile(join(s.root, 'notes-up.txt')), text);
});

test('tftp-hpa client: an error from the server is shown', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  const { stdout, stderr } = await tftpHpa(s.port, 'octet', `get ../etc/passwd ${join(s.dataDir, 'x')}`).catch((e: { stdout: string; stderr: string }) => e);
  assert.match(stdout + stderr, /Access violation/);
});
