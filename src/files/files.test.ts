import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HomeJail, JailError, openUserHome } from './jail.ts';
import { BandwidthLimiter, QuotaExceededError, QuotaTracker } from './limits.ts';
import { formatTransferLine, TransferLog } from './transfer-log.ts';
import { silentLogger } from '../core/log/logger.ts';

let base: string;
let jail: HomeJail;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'septet-files-'));
  jail = await openUserHome(base, 'Alice@example.org');
  await mkdir(join(jail.root, 'docs'));
  await writeFile(join(jail.root, 'docs', 'a.txt'), 'hello');
  await writeFile(join(base, 'secret'), 'outside');
  await symlink(join(base, 'secret'), join(jail.root, 'escape'));
  await symlink(base, join(jail.root, 'escape-dir'));
  await symlink(join(jail.root, 'docs'), join(jail.root, 'inside-link'));
  await symlink('/nonexistent/target', join(jail.root, 'dangling'));
});
after(async () => rm(base, { recursive: true, force: true }));

describe('home jail', () => {
  it('puts the home at <data>/home/<address>/ and creates it', () => {
    assert.equal(jail.root, join(base, 'home', 'alice@example.org'));
  });
  it('normalises "..", "." and absolute paths inside the root', () => {
    assert.equal(HomeJail.normalize('/docs', '../../../etc/passwd'), '/etc/passwd');
    assert.equal(HomeJail.normalize('/docs', './x/../y'), '/docs/y');
    assert.equal(HomeJail.normalize('/docs', '/'), '/');
    assert.equal(HomeJail.normalize('/', '%2e%2e/x'), '/%2e%2e/x');
  });
  it('maps "/etc/passwd" into the home, never the system file', async () => {
    const r = await jail.resolve('/', '/../../etc/passwd');
    assert.equal(r.real, join(jail.root, 'etc', 'passwd'));
  });
  it('refuses symlinks that lead out, for files, folders and paths beneath them', async () => {
    await assert.rejects(jail.resolve('/', 'escape'), JailError);
    await assert.rejects(jail.resolve('/', 'escape-dir/secret'), JailError);
    await assert.rejects(jail.resolve('/', 'escape-dir/new-file'), JailError);
    await assert.rejects(jail.resolve('/', 'dangling'), JailError);
  });
  it('allows symlinks inside, and paths that do not exist yet', async () => {
    assert.equal((await jail.resolve('/', 'inside-link/a.txt')).virtual, '/inside-link/a.txt');
    assert.equal((await jail.resolve('/docs', 'new/deeper.txt')).virtual, '/docs/new/deeper.txt');
  });
  it('refuses ".." instead of clamping it when opened with parents: refuse (TFTP)', async () => {
    const strict = await HomeJail.open(jail.root, { parents: 'refuse' });
    assert.throws(() => strict.virtualPath('/', 'docs/../docs/a.txt'), (e: unknown) => e instanceof JailError && e.reason === 'parent');
    await assert.rejects(strict.resolve('/', '../etc/passwd'), (e: unknown) => e instanceof JailError && e.reason === 'parent');
    assert.equal(strict.virtualPath('/', '/docs//./a.txt'), '/docs/a.txt');
    assert.equal(jail.virtualPath('/', 'docs/../docs/a.txt'), '/docs/a.txt', 'the default still clamps');
  });
  it('resolveExisting gives the real path of an existing target, never one outside', async () => {
    assert.equal((await jail.resolveExisting('/', 'inside-link/a.txt')).real, join(jail.root, 'docs', 'a.txt'));
    await assert.rejects(jail.resolveExisting('/', 'escape'), (e: unknown) => e instanceof JailError && e.reason === 'outside');
    await assert.rejects(jail.resolveExisting('/', 'missing'), { code: 'ENOENT' });
  });
  it('refuses NUL octets and unusable account names', async () => {
    await assert.rejects(jail.resolve('/', 'a\0b'), JailError);
    await assert.rejects(openUserHome(base, '../evil'), JailError);
    await assert.rejects(openUserHome(base, 'a/b@example.org'), JailError);
  });
});

describe('quota and bandwidth', () => {
  it('counts the existing files and refuses writes past the limit', async () => {
    const q = await QuotaTracker.open(jail.root, 10);
    assert.equal(q.usedBytes, 5);
    q.add(5);
    assert.throws(() => q.add(1), QuotaExceededError);
    q.add(-3);
    assert.equal(q.remaining, 3);
  });
  it('paces transfers to the configured rate', async () => {
    const limiter = new BandwidthLimiter(100_000);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await limiter.take(10_000);
    // 50 000 octets at 100 kB/s with a 25 000-octet burst: at least about 250 ms.
    assert.ok(Date.now() - started >= 200, `took ${Date.now() - started} ms`);
  });
});

describe('transfer log', () => {
  it('writes one tab-separated line per file', async () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const line = formatTransferLine({ service: 'ftp', user: 'a@b', remote: '127.0.0.1', direction: 'upload', path: '/x y\n.txt', bytes: 42, durationMs: 7, result: 'ok', params: 'I/F/S' }, at);
    assert.equal(line, '2026-01-02T03:04:05.000Z\tftp\ta@b\t127.0.0.1\tupload\t42\t7\tok\tI/F/S\t/x y?.txt\n');
    const file = join(base, 'xferlog');
    const log = new TransferLog(silentLogger(), file);
    log.record({ service: 'ftp', user: 'a@b', remote: '::1', direction: 'download', path: '/f', bytes: 1, durationMs: 1, result: 'aborted' });
    log.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.match(await readFile(file, 'utf8'), /\tdownload\t1\t1\taborted\t-\t\/f\n$/);
  });
});
