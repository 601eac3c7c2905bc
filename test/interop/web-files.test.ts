// The files page in Chromium against a running Septet, with python's ftplib (Debian's
// /usr/bin/python3) on the same home folder: a file uploaded in the browser (the
// progress bar moving) is RETRieved by ftplib byte for byte; a file STORed by ftplib
// shows in the page's list and downloads equal; folders, rename and delete in the
// page are seen by FTP; the page works on a phone-sized screen.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signInPage, TestBrowser, withScreenshot } from './browser.ts';
import { curl, prepareSeptet, python, removeDir, type SeptetProcess } from './harness.ts';

// 443 + 33000 = 33443 (IMAP of offset 33300, which no file uses): files-account's offsets.
const OFFSET = 33000;
const USER = 'alice@files.test';
const PASSWORD = 'alice files password';
const CAROL = 'carol@files.test';
let server: SeptetProcess;
let browser: TestBrowser;
let base: string;
/** What the first test uploaded, and its session cookie (for curl). */
let uploaded: Buffer;
let sessionCookie = '';

before(async () => {
  server = await prepareSeptet({ offset: OFFSET, web: true });
  await server.addUsers({ [USER]: PASSWORD, [CAROL]: PASSWORD });
  // carol's home may hold 1 MB (the quota IMAP, SMTP and the file protocols share).
  assert.equal((await server.cli(['user', 'quota', CAROL, String(1_000_000)])).code, 0);
  await server.start();
  base = `https://127.0.0.1:${server.port('https')}`;
  browser = await TestBrowser.launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** ftplib: RETR a file as USER; its bytes. */
async function ftpRetrieve(path: string): Promise<Buffer> {
  const out = await python(
    `
import ftplib, sys, base64
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login(sys.argv[2], sys.argv[3])
chunks = []
ftp.retrbinary('RETR ' + sys.argv[4], chunks.append)
ftp.quit()
sys.stdout.write(base64.b64encode(b''.join(chunks)).decode())
`,
    [String(server.port('ftp')), USER, PASSWORD, path],
  );
  return Buffer.from(out, 'base64');
}

/** ftplib: the names in a folder (NLST). */
async function ftpNames(folder: string, user = USER): Promise<string[]> {
  const out = await python(
    `
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login(sys.argv[2], sys.argv[3])
ftp.cwd(sys.argv[4])
print('\\n'.join(sorted(ftp.nlst())))
ftp.quit()
`,
    [String(server.port('ftp')), user, PASSWORD, folder],
  );
  return out.split('\n').filter(Boolean).map((line) => line.replace(/^.*\//, ''));
}

test('a file uploaded in Chromium, with its progress shown, is RETRieved by ftplib byte for byte', async () => {
  const context = await browser.context();
  const page = await context.newPage();
  const content = randomBytes(12 * 1024 * 1024);
  uploaded = content;
  await withScreenshot(page, 'files-upload-ftplib', async () => {
    await signInPage(page, base, USER, PASSWORD);
    await page.goto(`${base}/console/#/files`);
    await page.waitForSelector('#files-status:not(:empty)');
    assert.equal(await page.title(), 'Files — Septet');
    // Every text the progress line shows during the upload, as the page writes it.
    // (Page code as text: the tests are compiled without the DOM library.)
    await page.evaluate(`{
      const seen = (window.progressSeen = []);
      const text = document.getElementById('files-progress-text');
      new MutationObserver(() => seen.push(text.textContent)).observe(text, { childList: true, characterData: true, subtree: true });
    }`);
    await page.setInputFiles('#files-upload-input', { name: 'from browser.bin', mimeType: 'application/octet-stream', buffer: content });
    await page.click('#files-upload-button');
    await page.waitForSelector('#files-progress-text:text("Uploaded from browser.bin")', { timeout: 60_000 });
    const seen = await page.evaluate<string[]>('window.progressSeen');
    assert.ok(seen.some((t) => /^Uploading from browser\.bin: ([1-9]\d*)%$/.test(t)), `progress shown: ${JSON.stringify(seen)}`);
    assert.equal(await page.isVisible('#files-progress'), true);
    assert.equal(await page.getAttribute('#files-progress', 'value'), '100');
    const row = page.locator('#files-list tr[data-name="from browser.bin"]');
    await row.waitFor();
    assert.match(await row.innerText(), /12\.6 MB|13 MB/);
    sessionCookie = (await context.cookies()).find((c) => c.name === '__Host-septet')?.value ?? '';
  });
  await context.close();
  const fetched = await ftpRetrieve('from browser.bin');
  assert.equal(fetched.length, content.length);
  assert.equal(sha256(fetched), sha256(content));
});

test('curl over HTTP/2 with that session: one byte range, an attachment, nosniff; without a session 401', async () => {
  assert.ok(sessionCookie, 'the first test signed in');
  const url = `${base}/api/files/content?path=${encodeURIComponent('/from browser.bin')}`;
  const r = await curl(['-k', '--http2', '-D', '-', '-H', `Cookie: __Host-septet=${sessionCookie}`, '-r', '1000-1999', url]);
  assert.equal(r.code, 0, r.stderr);
  const [head, ...rest] = r.stdout.split('\r\n\r\n');
  assert.match(head!, /^HTTP\/2 206/);
  assert.match(head!, /^content-range: bytes 1000-1999\/12582912$/m);
  assert.match(head!, /^content-disposition: attachment; filename="from browser\.bin"; filename\*=UTF-8''from%20browser\.bin$/m);
  assert.match(head!, /^x-content-type-options: nosniff$/m);
  assert.match(head!, /^content-type: application\/octet-stream$/m);
  assert.deepEqual(Buffer.from(rest.join('\r\n\r\n'), 'latin1'), uploaded.subarray(1000, 2000));
  const anonymous = await curl(['-k', '--http2', '-o', '/dev/null', '-w', '%{http_code}', url]);
  assert.equal(anonymous.stdout, '401');
});

test('a file STORed by ftplib shows in the list and downloads in Chromium with the same bytes', async () => {
  const content = randomBytes(300_000);
  const work = await mkdtemp(join(tmpdir(), 'septet-web-files-'));
  const source = join(work, 'source.dat');
  await writeFile(source, content);
  await python(
    `
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login(sys.argv[2], sys.argv[3])
ftp.mkd('by ftp')
with open(sys.argv[4], 'rb') as f:
  ftp.storbinary('STOR by ftp/Grüße.dat', f)
ftp.quit()
`,
    [String(server.port('ftp')), USER, PASSWORD, source],
  );
  await removeDir(work);
  const context = await browser.context();
  const page = await context.newPage();
  await withScreenshot(page, 'files-ftplib-download', async () => {
    await signInPage(page, base, USER, PASSWORD);
    await page.goto(`${base}/console/#/files`);
    await page.click('#files-list a.files-folder:text("by ftp/")');
    await page.waitForURL(/#\/files\/by%20ftp$/);
    await page.waitForSelector('.files-crumbs [aria-current]:text("by ftp")');
    const link = page.locator('#files-list tr[data-name="Grüße.dat"] a');
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'Grüße.dat');
    const saved = await download.path();
    assert.equal(sha256(await readFile(saved)), sha256(content));
    // The breadcrumb leads home again.
    await page.click('.files-crumbs a:text("Home")');
    await page.waitForSelector('#files-list tr[data-name="by ftp"]');
  });
  await context.close();
});

test('new folder, rename and delete in the page are what FTP sees; a folder with something in it is not deleted', async () => {
  const context = await browser.context();
  const page = await context.newPage();
  await withScreenshot(page, 'files-folder-rename-delete', async () => {
    await signInPage(page, base, USER, PASSWORD);
    await page.goto(`${base}/console/#/files`);
    await page.waitForSelector('#files-status:not(:empty)');
    // Keyboard only: type the name, Enter submits.
    await page.focus('#files-new-folder');
    await page.keyboard.type('made in page');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#files-list tr[data-name="made in page"]');
    assert.ok((await ftpNames('/')).includes('made in page'));

    await page.click('#files-list tr[data-name="made in page"] button:text("Rename")');
    await page.fill('.files-rename-input', 'renamed folder');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#files-list tr[data-name="renamed folder"]');
    const names = await ftpNames('/');
    assert.ok(names.includes('renamed folder') && !names.includes('made in page'), names.join(','));

    // "by ftp" holds a file: the delete is refused and said.
    await page.click('#files-list tr[data-name="by ftp"] button:text("Delete")');
    await page.click('#files-list tr[data-name="by ftp"] button:text("Yes, delete")');
    await page.waitForSelector('.toast.error:text("not empty")');
    assert.ok((await ftpNames('/')).includes('by ftp'));

    await page.click('#files-list tr[data-name="renamed folder"] button:text("Delete")');
    // Cancel first: nothing happens.
    await page.click('#files-list tr[data-name="renamed folder"] button:text("Cancel")');
    assert.ok((await ftpNames('/')).includes('renamed folder'));
    await page.click('#files-list tr[data-name="renamed folder"] button:text("Delete")');
    await page.click('#files-list tr[data-name="renamed folder"] button:text("Yes, delete")');
    await page.waitForSelector('#files-list tr[data-name="renamed folder"]', { state: 'detached' });
    assert.ok(!(await ftpNames('/')).includes('renamed folder'));
  });
  await context.close();
});

test('an upload over the quota fails in the page with the reason, and FTP sees no file', async () => {
  const context = await browser.context();
  const page = await context.newPage();
  await withScreenshot(page, 'files-over-quota', async () => {
    await signInPage(page, base, CAROL, PASSWORD);
    await page.goto(`${base}/console/#/files`);
    await page.waitForSelector('#files-status:text("of 1.0 MB used")');
    await page.setInputFiles('#files-upload-input', { name: 'too big.bin', mimeType: 'application/octet-stream', buffer: randomBytes(3_000_000) });
    await page.click('#files-upload-button');
    await page.waitForSelector('#files-progress-text:text("Upload failed: the upload is larger than the space left in your quota")');
    await page.waitForSelector('.toast.error');
    // What fits is stored.
    await page.setInputFiles('#files-upload-input', { name: 'fits.bin', mimeType: 'application/octet-stream', buffer: randomBytes(500_000) });
    await page.click('#files-upload-button');
    await page.waitForSelector('#files-list tr[data-name="fits.bin"]');
  });
  await context.close();
  assert.deepEqual(await ftpNames('/', CAROL), ['fits.bin']);
});

test('on a phone-sized screen the list is one column and the upload form fits', async () => {
  const context = await browser.context({ phone: true });
  const page = await context.newPage();
  await withScreenshot(page, 'files-phone', async () => {
    await signInPage(page, base, USER, PASSWORD);
    await page.goto(`${base}/console/#/files`);
    const row = page.locator('#files-list tr[data-name="from browser.bin"]');
    await row.waitFor();
    assert.equal(await page.evaluate<string>(`getComputedStyle(document.querySelector('#files-list tr[data-name="from browser.bin"]')).display`), 'block');
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
    assert.ok(await page.isVisible('#files-upload-button'));
  });
  await context.close();
});
