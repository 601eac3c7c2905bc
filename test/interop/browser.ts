// Headless Chromium (Debian's chromium package) driven by playwright-core, for the web
// console's end-to-end tests. One browser per test file; each user gets a fresh context
// (its own cookies). A failed step saves a screenshot under test-results/screenshots/
// (kept by CI) before the test fails. Chromium's background networking is off: this
// machine has no network, and nothing a page does may reach one.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './harness.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export class TestBrowser {
  readonly browser: Browser;
  private constructor(browser: Browser) {
    this.browser = browser;
  }

  static async launch(): Promise<TestBrowser> {
    // playwright gives each launch a fresh, empty profile of its own.
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
      timeout: 60_000,
    });
    return new TestBrowser(browser);
  }

  /** A new user: own cookies, the self-signed certificate accepted, a phone or desktop viewport. */
  async context(options: { phone?: boolean } = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    context.setDefaultTimeout(20_000);
    return context;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/**
 * Runs `body`; on failure saves a full-page screenshot of `page` named after `name`
 * (test-results/screenshots/NAME.png) and rethrows.
 */
export async function withScreenshot<T>(page: Page, name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, `${name.replace(/[^a-z0-9_-]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    throw Object.assign(error as Error, { message: `${(error as Error).message}\n(screenshot: ${file})` });
  }
}

/** Signs in through the sign-in page and waits for the console shell. */
export async function signInPage(page: Page, baseUrl: string, address: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.waitForURL(/\/console\/login\.html$/);
  await page.fill('#username', address);
  await page.fill('#password', password);
  await page.click('#sign-in');
  await page.waitForURL(/\/console\/(#.*)?$/);
  await page.waitForSelector('#whoami:not(:empty)');
}
