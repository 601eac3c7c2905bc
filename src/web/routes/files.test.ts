// The files API through inject(): list, upload (streamed to a temporary file, renamed
// only when complete), download (attachment, ranges, nosniff), new folder, move,
// delete; and the attacks: anonymous, CSRF missing, "..", encoded separators, NUL,
// control characters, a symlink in the home pointing outside, another user's home,
// oversized and over-quota uploads.

import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ALICE, BOB, WebFixture, type WebClient } from '../testing/app.ts';

const MAX_UPLOAD = 64 * 1024;
let fx: WebFixture;
let alice: WebClient;
let bob: WebClient;
let outside: string;
const home = (address: string) => join(fx.dataDir, 'home', address);

before(async () => {
  fx = await WebFixture.start({
    configure: (config) => {
      config.web.max_upload = MAX_UPLOAD;
      config.ftp.transfer_log = join(config.data, 'xfer.log');
    },
  });
  alice = await fx.signedIn(ALICE);
  bob = await fx.signedIn(BOB);
  outside = join(fx.dataDir, 'secret');
  await mkdir(outside);
  await writeFile(join(outside, 'passwd'), 'root:x:0:0\n');
});
after(() => fx.close());

/** A multipart/form-data body with one file part per entry. */
function multipart(files: { name: string; content: Buffer | string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----septet-test-boundary';
  const chunks: Buffer[] = [];
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.from(f.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function upload(client: WebClient, folder: string, files: { name: string; content: Buffer | string }[], options: { csrf?: boolean } = {}) {
  const body = multipart(files);
  return client.request('POST', `/api/files/upload?path=${encodeURIComponent(folder)}`, { ...body, ...options });
}

const list = async (client: WebClient, path: string) => client.get(`/api/files?path=${encodeURIComponent(path)}`);
const names = async (client: WebClient, path: string) => ((await list(client, path)).json().entries as { name: string }[]).map((e) => e.name);

test('anonymous requests reach no files endpoint (401)', async () => {
  const nobody = fx.client();
  nobody.csrfToken = (await nobody.get('/api/session')).json().csrfToken;
  const tries = [
    nobody.get('/api/files?path=/'),
    nobody.get('/api/files/content?path=/a'),
    nobody.request('POST', '/api/files/upload?path=/', multipart([{ name: 'x', content: 'x' }])),
    nobody.post('/api/files/folders', { path: '/x' }),
    nobody.post('/api/files/move', { from: '/a', to: '/b' }),
    nobody.delete('/api/files?path=/a'),
  ];
  for (const r of await Promise.all(tries)) {
    assert.equal(r.statusCode, 401, r.body);
    assert.equal(r.json().error, 'unauthenticated');
  }
});

test('upload, list, download: the same bytes, as an attachment with filename*, nosniff, one range', async () => {
  const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const r = await upload(alice, '/', [{ name: 'data.bin', content }, { name: 'Grüße <b>.html', content: '<script>alert(1)</script>' }]);
  assert.equal(r.statusCode, 201, r.body);
  assert.deepEqual(r.json().uploaded.map((u: { name: string; size: number }) => [u.name, u.size]), [['data.bin', 5000], ['Grüße <b>.html', 25]]);
  assert.deepEqual(await readFile(join(home(ALICE), 'data.bin')), content);
  const listing = (await list(alice, '/')).json();
  assert.deepEqual(listing.entries.map((e: { name: string; type: string; size: number }) => [e.name, e.type, e.size]), [['data.bin', 'file', 5000], ['Grüße <b>.html', 'file', 25]]);
  assert.equal(listing.path, '/');

  const down = await alice.get('/api/files/content?path=%2Fdata.bin');
  assert.equal(down.statusCode, 200);
  assert.deepEqual(down.rawPayload, content);
  assert.equal(down.headers['content-type'], 'application/octet-stream');
  assert.equal(down.headers['x-content-type-options'], 'nosniff');
  assert.equal(down.headers['accept-ranges'], 'bytes');
  assert.equal(down.headers['content-disposition'], `attachment; filename="data.bin"; filename*=UTF-8''data.bin`);

  // RFC 6266 §4.3 / RFC 8187: the exact name in filename*, an ASCII stand-in in filename.
  const html = await alice.get(`/api/files/content?path=${encodeURIComponent('/Grüße <b>.html')}`);
  assert.equal(html.headers['content-type'], 'application/octet-stream');
  assert.equal(html.headers['content-disposition'], `attachment; filename="Gr__e <b>.html"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%3Cb%3E.html`);

  const part = await alice.get('/api/files/content?path=/data.bin', { range: 'bytes=100-199' });
  assert.equal(part.statusCode, 206);
  assert.equal(part.headers['content-range'], 'bytes 100-199/5000');
  assert.deepEqual(part.rawPayload, content.subarray(100, 200));
  const suffix = await alice.get('/api/files/content?path=/data.bin', { range: 'bytes=-10' });
  assert.deepEqual(suffix.rawPayload, content.subarray(4990));
  const beyond = await alice.get('/api/files/content?path=/data.bin', { range: 'bytes=6000-' });
  assert.equal(beyond.statusCode, 416);
  assert.equal(beyond.headers['content-range'], 'bytes */5000');
  const head = await alice.request('HEAD', '/api/files/content?path=/data.bin');
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], '5000');

  // The transfer log names the service https, as FTP's lines name ftp.
  const log = await readFile(join(fx.dataDir, 'xfer.log'), 'utf8');
  assert.match(log, /\thttps\talice@example\.org\t192\.0\.2\.10\tupload\t5000\t\d+\tok\t-\t\/data\.bin\n/);
  assert.match(log, /\thttps\talice@example\.org\t192\.0\.2\.10\tdownload\t5000\t\d+\tok\t-\t\/data\.bin\n/);
});

test('an upload replaces a file of the same name; a folder of that name is refused', async () => {
  await upload(alice, '/', [{ name: 'replace.txt', content: 'old old old' }]);
  const r = await upload(alice, '/', [{ name: 'replace.txt', content: 'new' }]);
  assert.equal(r.statusCode, 201);
  assert.equal(r.json().uploaded[0].replaced, true);
  assert.equal(await readFile(join(home(ALICE), 'replace.txt'), 'utf8'), 'new');
  await alice.post('/api/files/folders', { path: '/taken' });
  const onFolder = await upload(alice, '/', [{ name: 'taken', content: 'x' }]);
  assert.equal(onFolder.statusCode, 409);
});

/** The home's entries on disk, temporary upload files included. */
const onDisk = async (address: string) => (await readdir(home(address))).sort();

test('an upload over web.max_upload is refused (413): nothing under the final name, no temporary file left', async () => {
  const before = await onDisk(ALICE);
  const r = await upload(alice, '/', [{ name: 'big.bin', content: Buffer.alloc(MAX_UPLOAD + 1, 1) }]);
  assert.equal(r.statusCode, 413, r.body);
  assert.equal(r.json().error, 'too-large');
  assert.deepEqual(await onDisk(ALICE), before);
  // Exactly the limit fits.
  const fits = await upload(alice, '/', [{ name: 'limit.bin', content: Buffer.alloc(MAX_UPLOAD, 2) }]);
  assert.equal(fits.statusCode, 201, fits.body);
  assert.equal((await lstat(join(home(ALICE), 'limit.bin'))).size, MAX_UPLOAD);
});

test('an upload over the quota is refused (507), also when the old file of the name stays as it was', async () => {
  await fx.store.accounts.setQuota(BOB, 10_000);
  const first = await upload(bob, '/', [{ name: 'keep.txt', content: Buffer.alloc(6000, 3) }]);
  assert.equal(first.statusCode, 201, first.body);
  const before = await onDisk(BOB);
  // Declared too big for what is left: refused before reading the body.
  const declared = await upload(bob, '/', [{ name: 'keep.txt', content: Buffer.alloc(9000, 4) }]);
  assert.equal(declared.statusCode, 507, declared.body);
  assert.equal(declared.json().error, 'quota');
  // Within the slack of the early check, refused while streaming.
  const streamed = await upload(bob, '/', [{ name: 'second.bin', content: Buffer.alloc(4500, 5) }]);
  assert.equal(streamed.statusCode, 507, streamed.body);
  assert.deepEqual(await onDisk(BOB), before);
  assert.deepEqual(await readFile(join(home(BOB), 'keep.txt')), Buffer.alloc(6000, 3));
  const listing = (await list(bob, '/')).json();
  assert.deepEqual(listing.quota, { used: 6000, limit: 10_000 });
  // Deleting gives the space back.
  assert.equal((await bob.delete('/api/files?path=/keep.txt')).statusCode, 204);
  assert.equal((await upload(bob, '/', [{ name: 'second.bin', content: Buffer.alloc(9000, 5) }])).statusCode, 201);
  await bob.delete('/api/files?path=/second.bin');
  await fx.store.accounts.setQuota(BOB, null);
});

test('changes without the CSRF token are refused (403) and change nothing', async () => {
  await alice.post('/api/files/folders', { path: '/csrf-kept' });
  const tries = [
    upload(alice, '/', [{ name: 'csrf.txt', content: 'x' }], { csrf: false }),
    alice.request('POST', '/api/files/folders', { json: { path: '/csrf-new' }, csrf: false }),
    alice.request('POST', '/api/files/move', { json: { from: '/csrf-kept', to: '/csrf-moved' }, csrf: false }),
    alice.request('DELETE', '/api/files?path=/csrf-kept', { csrf: false }),
  ];
  for (const r of await Promise.all(tries)) {
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().error, 'csrf');
  }
  const now = await names(alice, '/');
  assert.ok(now.includes('csrf-kept') && !now.includes('csrf.txt') && !now.includes('csrf-new') && !now.includes('csrf-moved'));
});

test('"..", encoded separators, NUL and absolute paths stay in the home', async () => {
  for (const path of ['/../secret/passwd', '..%2F..%2Fsecret%2Fpasswd', '%2e%2e%2fsecret', 'a/./b', '/a/../../b']) {
    const r = await alice.get(`/api/files/content?path=${path.startsWith('/') ? encodeURIComponent(path) : path}`);
    assert.equal(r.statusCode, 400, `${path}: ${r.body}`);
  }
  // A NUL, raw or percent-encoded.
  assert.equal((await alice.get('/api/files?path=%2Fdata.bin%00.txt')).statusCode, 400);
  // An absolute path is the home's: /etc/passwd is <home>/etc/passwd, not there.
  const etc = await alice.get('/api/files/content?path=/etc/passwd');
  assert.equal(etc.statusCode, 404);
  assert.doesNotMatch(etc.body, /root:/);
  // "%2e%2e" percent-encoded twice arrives as the literal name "%2e%2e": just a name.
  assert.equal((await alice.get('/api/files?path=%252e%252e')).statusCode, 404);
  // Moving or creating through ".." is refused as well.
  assert.equal((await alice.post('/api/files/move', { from: '/data.bin', to: '/../data.bin' })).statusCode, 400);
  assert.equal((await alice.post('/api/files/folders', { path: '/../escape' })).statusCode, 400);
  await assert.rejects(lstat(join(fx.dataDir, 'home', 'escape')));
});

test('names with control characters, separators or the upload prefix are refused', async () => {
  for (const name of ['bad\u001b[31mname', 'new\nline', 'del\u007f', 'c1\u009b', 'back\\slash', '.septet-upload-x']) {
    const made = await alice.post('/api/files/folders', { path: `/${name}` });
    assert.equal(made.statusCode, 400, `${JSON.stringify(name)}: ${made.body}`);
  }
  // A filename with a path in it is taken by its last component (busboy, as browsers send it): inside the home.
  const r = await upload(alice, '/', [{ name: '../../../escape.txt', content: 'x' }]);
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(await readFile(join(home(ALICE), 'escape.txt'), 'utf8'), 'x');
  const esc = await upload(alice, '/', [{ name: 'esc\u001b.txt', content: 'x' }]);
  assert.equal(esc.statusCode, 400);
  await assert.rejects(lstat(join(fx.dataDir, 'escape.txt')));
  // A name made otherwise (over SFTP) is still listed and can be deleted.
  await writeFile(join(home(ALICE), 'odd\u0007name'), 'x');
  assert.ok((await names(alice, '/')).includes('odd\u0007name'));
  assert.equal((await alice.delete(`/api/files?path=${encodeURIComponent('/odd\u0007name')}`)).statusCode, 204);
});

test('a symlink inside the home pointing outside leads nowhere; deleting it removes only the link', async () => {
  await symlink(outside, join(home(ALICE), 'out-dir'));
  await symlink(join(outside, 'passwd'), join(home(ALICE), 'out-file'));
  const listing = (await list(alice, '/')).json();
  assert.deepEqual(listing.entries.filter((e: { name: string }) => e.name.startsWith('out-')).map((e: { type: string }) => e.type), ['link', 'link']);
  for (const r of [
    await alice.get('/api/files?path=/out-dir'),
    await alice.get('/api/files/content?path=/out-file'),
    await alice.get('/api/files/content?path=/out-dir/passwd'),
    await upload(alice, '/out-dir', [{ name: 'planted.txt', content: 'x' }]),
    await alice.post('/api/files/folders', { path: '/out-dir/planted' }),
    await alice.post('/api/files/move', { from: '/data.bin', to: '/out-dir/data.bin' }),
    await alice.delete('/api/files?path=/out-dir/passwd'),
  ]) {
    assert.equal(r.statusCode, 403, r.body);
    assert.doesNotMatch(r.body, /root:/);
  }
  assert.deepEqual((await readdir(outside)).sort(), ['passwd']);
  assert.equal((await alice.delete('/api/files?path=/out-file')).statusCode, 204);
  assert.equal((await alice.delete('/api/files?path=/out-dir')).statusCode, 204);
  assert.equal(await readFile(join(outside, 'passwd'), 'utf8'), 'root:x:0:0\n');
});

test("bob cannot list, read, change or delete alice's files", async () => {
  await upload(alice, '/', [{ name: 'alice-only.txt', content: 'private' }]);
  assert.ok(!(await names(bob, '/')).includes('alice-only.txt'));
  const theirs = `/../${ALICE}/alice-only.txt`;
  for (const r of [
    await bob.get(`/api/files/content?path=${encodeURIComponent(theirs)}`),
    await bob.get(`/api/files?path=${encodeURIComponent(`/../${ALICE}`)}`),
    await bob.delete(`/api/files?path=${encodeURIComponent(theirs)}`),
    await bob.post('/api/files/move', { from: theirs, to: '/stolen.txt' }),
  ]) assert.equal(r.statusCode, 400, r.body);
  // The same name in bob's own home is bob's (absent), never alice's.
  assert.equal((await bob.get('/api/files/content?path=/alice-only.txt')).statusCode, 404);
  assert.equal((await bob.delete('/api/files?path=/alice-only.txt')).statusCode, 404);
  assert.equal(await readFile(join(home(ALICE), 'alice-only.txt'), 'utf8'), 'private');
});

test('new folder, move into it, rename; never over an existing name, never the home itself', async () => {
  assert.equal((await alice.post('/api/files/folders', { path: '/docs' })).statusCode, 201);
  assert.equal((await alice.post('/api/files/folders', { path: '/docs' })).statusCode, 409);
  assert.equal((await alice.post('/api/files/folders', { path: '/missing/deeper' })).statusCode, 404);
  await upload(alice, '/', [{ name: 'a.txt', content: 'A' }, { name: 'b.txt', content: 'B' }]);
  const moved = await alice.post('/api/files/move', { from: '/a.txt', to: '/docs/a.txt' });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal(moved.json().path, '/docs/a.txt');
  assert.deepEqual(await names(alice, '/docs'), ['a.txt']);
  assert.equal((await alice.post('/api/files/move', { from: '/b.txt', to: '/docs/a.txt' })).statusCode, 409);
  assert.equal(await readFile(join(home(ALICE), 'docs', 'a.txt'), 'utf8'), 'A');
  assert.equal((await alice.post('/api/files/move', { from: '/docs', to: '/docs/inner' })).statusCode, 400);
  assert.equal((await alice.post('/api/files/move', { from: '/', to: '/root2' })).statusCode, 403);
  assert.equal((await alice.post('/api/files/move', { from: '/nothing', to: '/x' })).statusCode, 404);
  assert.equal((await alice.post('/api/files/move', { from: '/docs', to: '/papers' })).statusCode, 200);
  assert.deepEqual(await names(alice, '/papers'), ['a.txt']);
});

test('delete: a file, an empty folder; a folder with something in it is refused (409); the home never', async () => {
  await alice.post('/api/files/folders', { path: '/full' });
  await upload(alice, '/full', [{ name: 'inside.txt', content: 'x' }]);
  const refused = await alice.delete('/api/files?path=/full');
  assert.equal(refused.statusCode, 409);
  assert.match(refused.json().message, /not empty/);
  assert.equal((await alice.delete('/api/files?path=/')).statusCode, 403);
  assert.equal((await alice.delete('/api/files?path=/full/inside.txt')).statusCode, 204);
  assert.equal((await alice.delete('/api/files?path=/full')).statusCode, 204);
  assert.equal((await alice.delete('/api/files?path=/full')).statusCode, 404);
});

test('bad requests: no path, a JSON body to the upload, an upload without a file', async () => {
  assert.equal((await alice.get('/api/files')).statusCode, 400);
  const json = await alice.post('/api/files/upload?path=/', { file: 'x' });
  assert.equal(json.statusCode, 415);
  const empty = await alice.request('POST', '/api/files/upload?path=/', { payload: '------b--\r\n', headers: { 'content-type': 'multipart/form-data; boundary=----b' } });
  assert.equal(empty.statusCode, 400);
  assert.equal((await upload(alice, '/no-such-folder', [{ name: 'x', content: 'x' }])).statusCode, 404);
});

test('an upload cut off mid-file leaves neither the final name nor a temporary file', async () => {
  const before = await onDisk(ALICE);
  const whole = multipart([{ name: 'cut.bin', content: Buffer.alloc(20_000, 7) }]);
  // The body ends in the middle of the file's data: no closing boundary.
  const r = await alice.request('POST', '/api/files/upload?path=/', { payload: whole.payload.subarray(0, 10_000), headers: whole.headers });
  assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${r.statusCode} ${r.body}`);
  assert.deepEqual(await onDisk(ALICE), before);
});

test('the OpenAPI document describes every files route under the files tag', async () => {
  const doc = (await fx.client().get('/api/openapi.json')).json();
  for (const [path, method] of [['/api/files', 'get'], ['/api/files', 'delete'], ['/api/files/content', 'get'], ['/api/files/upload', 'post'], ['/api/files/folders', 'post'], ['/api/files/move', 'post']] as const) {
    assert.deepEqual(doc.paths[path]?.[method]?.tags, ['files'], `${method} ${path}`);
  }
});
