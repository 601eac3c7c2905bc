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
  const admin = await server.cli(['user', 'admin', 'alice@example.org', 'on']);
  assert.equal(admin.code, 0, admin.stderr);
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

test('every view loads only from Septet (no request leaves the origin), on a phone too, and the keyboard reaches the navigation', async () => {
  for (const phone of [false, true]) {
    const context = await browser.context({ phone });
    const page = await context.newPage();
    const foreign: string[] = [];
    const failed: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:') && url !== 'about:blank') foreign.push(url);
    });
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));
    await withScreenshot(page, `console-views-${phone ? 'phone' : 'desktop'}`, async () => {
      await signInPage(page, base, 'alice@example.org', 'alice password');
      const views = await page.$$eval('#nav a', (links) => links.map((a) => a.getAttribute('href') ?? ''));
      assert.deepEqual(views, ['#/mail', '#/compose', '#/files', '#/account', '#/admin'], 'an administrator sees every view');
      for (const hash of views) {
        await page.click(`#nav a[href="${hash}"]`);
        await page.waitForFunction(`document.querySelector('#nav a[href="${hash}"]')?.hasAttribute('aria-current')`);
        await page.waitForLoadState('networkidle');
        assert.equal(await page.$$eval('#view p.error:not([hidden])', (e) => e.map((x) => x.textContent ?? '').join(' ').trim()), '', `${hash} shows no error`);
        if (phone) {
          const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
          assert.ok(overflow <= 1, `${hash} fits a phone's width (overflow ${overflow} px)`);
        }
      }
      // Keyboard: from the top of the page, Tab reaches the skip link, then the sections.
      await page.goto('about:blank');
      await page.goto(`${base}/console/#/account`);
      await page.waitForSelector('#whoami:not(:empty)');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement?.className'), 'skip');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('href')"), '#/mail');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForFunction("location.hash === '#/compose'");
    });
    assert.deepEqual(foreign, [], 'no request to another origin');
    assert.deepEqual(failed.filter((f) => !/ERR_ABORTED/.test(f)), [], 'no request failed');
    await context.close();
  }
});
