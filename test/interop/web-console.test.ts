// The console shell in Chromium: sign in through the page, see who is signed in, sign
// out, and a wrong password told on the page. (Each area has its own file.)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInPage, TestBrowser, withScreenshot } from './browser.ts';
import { prepareSeptet, type SeptetProcess } from './harness.ts';

// 443 + 29000 = 29443; IMAP at offset 29300 would collide, and no file uses it.
const OFFSET = 29000;
let server: SeptetProcess;
let browser: TestBrowser;
let base: string;

before(async () => {
  server = await prepareSeptet({ offset: OFFSET, web: true });
  await server.addUsers({ 'alice@example.org': 'alice password' });
  await server.start();
  base = `https://127.0.0.1:${server.port('https')}`;
  browser = await TestBrowser.launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('Chromium signs in, sees its address, signs out and is back at the sign-in page', async () => {
  const context = await browser.context();
  const page = await context.newPage();
  await withScreenshot(page, 'console-sign-in', async () => {
    await signInPage(page, base, 'alice@example.org', 'alice password');
    assert.equal(await page.textContent('#whoami'), 'alice@example.org');
    await page.click('#sign-out');
    await page.waitForURL(/login\.html$/);
    await page.goto(`${base}/console/`);
    await page.waitForURL(/login\.html$/);
  });
  await context.close();
});

test('a wrong password is said on the page and no session cookie is set', async () => {
  const context = await browser.context({ phone: true });
  const page = await context.newPage();
  await withScreenshot(page, 'console-wrong-password', async () => {
    await page.goto(`${base}/console/login.html`);
    await page.fill('#username', 'alice@example.org');
    await page.fill('#password', 'wrong');
    await page.click('#sign-in');
    await page.waitForSelector('#login-error:not([hidden])');
    assert.match((await page.textContent('#login-error')) ?? '', /Wrong address or password/);
    const cookies = await context.cookies();
    assert.ok(!cookies.some((c) => c.name === '__Host-septet'), 'no session cookie');
  });
  await context.close();
});
