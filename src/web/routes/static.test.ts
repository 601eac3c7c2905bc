// The plain web server (web.root) through inject(): types, ranges, conditional requests,
// compression, index.html, and no way out of the root.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { WebFixture } from '../testing/app.ts';

let fx: WebFixture;
let www: string;
const text = 'Septet static text.\n'.repeat(200);

before(async () => {
  fx = await WebFixture.start();
  www = join(fx.dataDir, 'www');
  await writeFile(join(www, 'page.html'), `<!doctype html><title>t</title>${text}`);
  await writeFile(join(www, 'data.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256)));
  await mkdir(join(www, 'docs'));
  await writeFile(join(www, 'docs', 'index.html'), '<p>docs index</p>');
  await writeFile(join(www, '.secret'), 'hidden');
  const outside = await mkdtemp(join(tmpdir(), 'septet-outside-'));
  await writeFile(join(outside, 'passwd'), 'root:x:0:0');
  await symlink(join(outside, 'passwd'), join(www, 'escape.txt'));
  await symlink(outside, join(www, 'escape-dir'));
  await writeFile(join(www, 'inside.txt'), 'inside');
  await symlink('inside.txt', join(www, 'alias.txt'));
});
after(() => fx.close());

test('files of web.root are served with their types, ETag and Last-Modified, to anyone', async () => {
  const c = fx.client();
  const page = await c.get('/page.html');
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.ok(page.headers.etag);
  assert.ok(page.headers['last-modified']);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
  const bin = await c.get('/data.bin');
  assert.equal(bin.headers['content-type'], 'application/octet-stream');
  assert.equal(bin.rawPayload.length, 4096);
  const index = await c.get('/docs/');
  assert.equal(index.statusCode, 200);
  assert.equal(index.body, '<p>docs index</p>');
});

test('RFC 9110 §14: one range is 206 with Content-Range; past the end 416; If-Range with a stale ETag gives the whole file', async () => {
  const c = fx.client();
  const part = await c.get('/data.bin', { range: 'bytes=10-19' });
  assert.equal(part.statusCode, 206);
  assert.equal(part.headers['content-range'], 'bytes 10-19/4096');
  assert.deepEqual([...part.rawPayload], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  const suffix = await c.get('/data.bin', { range: 'bytes=-2' });
  assert.deepEqual([...suffix.rawPayload], [254, 255]);
  assert.equal((await c.get('/data.bin', { range: 'bytes=5000-' })).statusCode, 416);
  const stale = await c.get('/data.bin', { range: 'bytes=0-1', 'if-range': '"not-the-etag"' });
  assert.equal(stale.statusCode, 200);
  assert.equal(stale.rawPayload.length, 4096);
});

test('RFC 9110 §13: If-None-Match and If-Modified-Since give 304 without a body', async () => {
  const c = fx.client();
  const first = await c.get('/page.html');
  const etag = String(first.headers.etag);
  const again = await c.get('/page.html', { 'if-none-match': etag });
  assert.equal(again.statusCode, 304);
  assert.equal(again.rawPayload.length, 0);
  const since = await c.get('/page.html', { 'if-modified-since': String(first.headers['last-modified']) });
  assert.equal(since.statusCode, 304);
});

test('text is compressed for a client that accepts it, and not for one that does not', async () => {
  const c = fx.client();
  const gz = await c.get('/page.html', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.rawPayload.length < text.length / 5);
  assert.match(gunzipSync(gz.rawPayload).toString(), /Septet static text/);
  const plain = await c.get('/page.html', { 'accept-encoding': 'identity' });
  assert.equal(plain.headers['content-encoding'], undefined);
});

test('nothing outside the root: .., encoded .., NUL, dotfiles and symlinks that leave the root', async () => {
  const c = fx.client();
  for (const path of ['/../septet.db', '/%2e%2e/septet.db', '/docs/%2e%2e/%2e%2e/septet.db', '/%2e%2e%2fseptet.db', '/page.html%00.txt', '/.secret', '/escape.txt', '/escape-dir/passwd']) {
    const r = await c.get(path);
    assert.ok([400, 403, 404].includes(r.statusCode), `${path}: ${r.statusCode}`);
    assert.doesNotMatch(r.body, /root:x:0:0|hidden/, path);
  }
  const inside = await c.get('/alias.txt');
  assert.equal(inside.statusCode, 200, 'a link that stays inside the root is served');
  assert.equal(inside.body, 'inside');
});
