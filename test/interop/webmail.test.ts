// The webmail's reading side in Chromium: bob is signed in on the mail view; python's
// smtplib delivers a message from alice over SMTP; it appears in bob's list and unread
// count without a reload (server-sent events), and he reads it. Then the XSS corpus
// (src/web/mail/xss-corpus.ts) arrives as a real HTML mail: opened in Chromium, no
// vector runs (window.top.name unchanged, no request to a local HTTPS listener that
// counts them) and nothing remote loads until "Show remote images", after which only
// the one remote image does. And the list and reader on a phone screen.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { xssDocument } from '../../src/web/mail/xss-corpus.ts';
import { signInPage, TestBrowser, withScreenshot } from './browser.ts';
import { prepareSeptet, python, submitMail, waitFor, type SeptetProcess } from './harness.ts';

// 443 + 31000 = 31443 (IMAP of offset 31300, which no file uses).
const OFFSET = 31000;
let server: SeptetProcess;
let browser: TestBrowser;
let base: string;
let listener: Server;
let origin: string;
const hits: string[] = [];

before(async () => {
  server = await prepareSeptet({ offset: OFFSET, web: true });
  await server.addUsers({ 'alice@example.org': 'alice password', 'bob@example.org': 'bob password' });
  await server.start();
  base = `https://127.0.0.1:${server.port('https')}`;
  // The "remote" site: HTTPS (the frame may load https: images only once asked), counting every request.
  const dir = await mkdtemp(join(tmpdir(), 'septet-remote-'));
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  listener = createServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) }, (request, response) => {
    hits.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('R0lGODlhAQABAAAAACwAAAAAAQABAAA=', 'base64'));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  browser = await TestBrowser.launch();
});
after(async () => {
  await browser?.close();
  listener?.close();
  await server?.stop();
});

/** smtplib sends a raw message from alice to bob over SMTP (port 25 + offset). */
function sendRaw(raw: string): Promise<string> {
  return python(
    `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30)
s.sendmail('alice@example.org', ['bob@example.org'], sys.argv[2].encode('utf-8'))
s.quit()
print('sent')
`,
    [String(server.port('smtp')), raw],
  );
}

test('new mail appears in bob\'s list and unread count without reload, and he reads it', async () => {
  const context = await browser.context();
  const page = await context.newPage();
  await withScreenshot(page, 'webmail-live', async () => {
    await signInPage(page, base, 'bob@example.org', 'bob password');
    await page.waitForSelector('#mail-list .mail-list-body');
    assert.match((await page.textContent('#mail-list')) ?? '', /No messages/);
    // A marker the page would lose on a reload.
    await page.evaluate('window.marker = 42');
    await submitMail({ host: '127.0.0.1', port: server.port('smtp'), from: 'alice@example.org', to: 'bob@example.org', subject: 'Lunch on Friday?', body: 'Shall we meet at noon?\nAlice' });
    const row = page.locator('.mail-row', { hasText: 'Lunch on Friday?' });
    await row.waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate('window.marker'), 42, 'no reload');
    assert.match((await row.getAttribute('class')) ?? '', /unread/);
    await page.locator('#mail-folders a[aria-current] .count', { hasText: '1' }).waitFor();
    await row.click();
    await page.waitForSelector('#mail-subject');
    assert.equal(await page.textContent('#mail-subject'), 'Lunch on Friday?');
    assert.match((await page.textContent('#mail-text')) ?? '', /Shall we meet at noon\?/);
    assert.match((await page.textContent('.mail-headers')) ?? '', /alice@example\.org/);
    // Read now: the unread count is gone and the row is no longer bold.
    await page.waitForFunction("!document.querySelector('#mail-folders a[aria-current] .count')");
    assert.doesNotMatch((await page.locator('.mail-row', { hasText: 'Lunch on Friday?' }).getAttribute('class')) ?? '', /unread/);
    // Flag by keyboard: focus the button, press Enter.
    await page.focus('#mail-flag');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#mail-flag[aria-pressed="true"]');
  });
  await context.close();
});

test('the XSS corpus as a real HTML mail runs nothing and loads nothing remote until "Show remote images"', async () => {
  const html = `<html><body><h1 id="start">Corpus</h1><img src="${origin}/remote-image.gif" alt="remote">${xssDocument(origin)}</body></html>`;
  const raw = ['From: Alice <alice@example.org>', 'To: bob@example.org', 'Subject: XSS corpus', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', html, ''].join('\r\n').replace(/\r?\n/g, '\r\n');
  assert.equal((await sendRaw(raw)).trim(), 'sent');
  const context = await browser.context();
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await withScreenshot(page, 'webmail-xss', async () => {
    await signInPage(page, base, 'bob@example.org', 'bob password');
    const row = page.locator('.mail-row', { hasText: 'XSS corpus' });
    await row.waitFor();
    await row.click();
    const frameElement = await page.waitForSelector('#mail-frame');
    assert.equal(await frameElement.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
    const frame = await waitFor('the message frame', async () => {
      const f = await frameElement.contentFrame();
      return f && (await f.locator('[id$="start"]').count()) > 0 ? f : null;
    });
    assert.equal(await frame.textContent('[id$="start"]'), 'Corpus');
    // Every vector got as far as the browser (the mXSS ones, last, may swallow each other's headings).
    assert.match((await frame.textContent('body')) ?? '', /DOM clobbering[\s\S]*mXSS noscript/);
    // Try what a reader might: click every link (javascript: ones were removed) and the fake form button.
    for (const link of await frame.locator('a').all()) await link.click({ modifiers: ['Shift'], timeout: 2000 }).catch(() => {});
    // The overlay is not fixed over the page.
    assert.equal(await frame.locator('[id$="overlay"]').count(), 1);
    {
      assert.notEqual(await frame.locator('[id$="overlay"]').evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(e).position), 'fixed');
    }
    await page.waitForTimeout(1500);
    assert.equal(hits.join(' '), '', 'no request reached the remote listener');
    assert.equal(await page.evaluate('window.name'), '', 'no vector set window.top.name');
    assert.match((await page.textContent('#mail-show-images')) ?? '', /Show remote images \(\d+\)/);
    await page.click('#mail-show-images');
    await waitFor('the remote image', async () => hits.includes('/remote-image.gif') || null, 15_000);
    await page.waitForTimeout(1000);
    assert.deepEqual([...new Set(hits)].sort(), ['/remote-image.gif', '/x38.png'], 'only the remote images, nothing a vector asked for');
    assert.equal(await page.evaluate('window.name'), '');
  });
  // Console lines are allowed (CSP refusals); the test asserts on effects, not on silence.
  void consoleErrors;
  await context.close();
});

test('on a phone the list and the message are one column each, with a way back', async () => {
  const context = await browser.context({ phone: true });
  const page = await context.newPage();
  await withScreenshot(page, 'webmail-phone', async () => {
    await signInPage(page, base, 'bob@example.org', 'bob password');
    const row = page.locator('.mail-row', { hasText: 'Lunch on Friday?' });
    await row.waitFor();
    assert.equal(await page.isVisible('#mail-reader'), false);
    await row.click();
    await page.waitForSelector('#mail-subject');
    assert.equal(await page.isVisible('#mail-list'), false);
    const box = await page.locator('#mail-reader').boundingBox();
    assert.ok(box && box.width <= 390, 'the message fits the phone width');
    await page.click('.mail-back');
    await row.waitFor();
  });
  await context.close();
});
