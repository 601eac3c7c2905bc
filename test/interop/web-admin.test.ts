// Administration in Chromium against a real server of two worker processes: an
// administrator made with the CLI (`septet user add`, `septet user admin X on`) adds a
// user in the page, who then signs in in another browser and with python's imaplib;
// the status page counts a poplib session (whichever worker serves it); a message for
// a remote domain whose MX does not answer is listed in the queue, retried and deleted;
// a ban made with `septet ban add` is listed and lifted.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { signInPage, TestBrowser, withScreenshot } from './browser.ts';
import { startDnsmasq } from './dnsmasq.ts';
import { prepareSeptet, PYTHON, python, relayTestToml, submitMail, waitFor, type SeptetProcess } from './harness.ts';

// HTTPS 443 + 34000 = 34443 (IMAP of offset 34300, which no file uses).
const OFFSET = 34000;
const DNS_PORT = 34053;
/** far.test's MX: an address where nothing listens, so every attempt fails and is deferred. */
const DEAD_MX = '127.0.0.9';
const ADMIN = 'root@example.test';
const ADMIN_PASSWORD = 'root password';
const BOB = 'bob@example.test';
const BOB_PASSWORD = 'bob password';

let dns: ChildProcess;
let server: SeptetProcess;
let browser: TestBrowser;
let base: string;

before(async () => {
  dns = await startDnsmasq(DNS_PORT, ['--mx-host=far.test,mx.far.test,10', `--host-record=mx.far.test,${DEAD_MX}`]);
  server = await prepareSeptet({
    offset: OFFSET,
    web: true,
    workers: 2,
    toml: relayTestToml({ port: 25 + OFFSET, dnsPort: DNS_PORT, schedule: ['retry_schedule = ["1h"]'], maxAge: '2d' }),
  });
  await server.addUsers({ [ADMIN]: ADMIN_PASSWORD, [BOB]: BOB_PASSWORD });
  const made = await server.cli(['user', 'admin', ADMIN, 'on']);
  assert.equal(made.code, 0, made.stderr);
  await server.start();
  base = `https://127.0.0.1:${server.port('https')}`;
  browser = await TestBrowser.launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  dns?.kill('SIGTERM');
});

async function adminPage(section: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.context();
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signInPage(page, base, ADMIN, ADMIN_PASSWORD);
  await page.goto(`${base}/console/#/admin/${section}`);
  await page.waitForSelector(`#admin-${section}-section`);
  return { page, close: () => context.close() };
}

test('an administrator adds a user in the page; the user signs in in another browser and with imaplib', async () => {
  const { page, close } = await adminPage('users');
  await withScreenshot(page, 'admin-add-user', async () => {
    assert.ok(await page.isVisible(`nav a[href="#/admin"]`), 'the administrator sees the section');
    await page.fill('#admin-new-address', 'carol@example.test');
    await page.fill('#admin-new-password', 'carol secret');
    await page.fill('#admin-new-quota', '10');
    await page.click('#admin-add-user');
    const row = page.locator('tr[data-address="carol@example.test"]');
    await row.waitFor();
    assert.match((await row.locator('td[data-label="Usage"]').textContent()) ?? '', /of 10\.0 MiB/);
    assert.match((await row.locator('td[data-label="Administrator"]').textContent()) ?? '', /no/);
  });
  await close();

  const context = await browser.context({ phone: true });
  const carol = await context.newPage();
  await withScreenshot(carol, 'admin-new-user-signs-in', async () => {
    await signInPage(carol, base, 'carol@example.test', 'carol secret');
    assert.equal(await carol.textContent('#whoami'), 'carol@example.test');
    assert.equal(await carol.locator('nav a[href="#/admin"]').count(), 0, 'no administration link for a user');
  });
  await context.close();

  const out = await python(
    `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(sys.argv[1]), ssl_context=ctx)
print(m.login('carol@example.test', 'carol secret')[0])
print(m.select('INBOX')[0])
m.logout()
`,
    [String(server.port('imaps'))],
  );
  assert.deepEqual(out.trim().split('\n'), ['OK', 'OK']);
});

test('the status page shows a poplib session while it is open, over two workers', async () => {
  const { page, close } = await adminPage('status');
  await withScreenshot(page, 'admin-status', async () => {
    const pop3Open = page.locator('tr[data-listener="pop3"] td[data-label="Open sessions"]');
    await waitFor('both workers counted', async () => (await page.textContent('#admin-processes')) === '2');
    await waitFor('pop3 at 0', async () => (await pop3Open.textContent()) === '0');
    assert.equal(await page.locator('svg.admin-chart polyline.sessions').count(), 1, 'the chart is drawn');

    const pop = spawn(PYTHON, ['-c', `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
print(p.getwelcome().decode(), flush=True)
sys.stdin.read()
p.quit()
`, String(server.port('pop3'))], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const greeting = await new Promise<string>((resolve) => createInterface({ input: pop.stdout! }).once('line', resolve));
      assert.match(greeting, /^\+OK/);
      await waitFor('pop3 at 1 on the page', async () => (await pop3Open.textContent()) === '1');
      assert.match((await page.textContent('#admin-sessions-protocols')) ?? '', /pop3 1/);
      const points = await page.getAttribute('svg.admin-chart polyline.sessions', 'points');
      assert.ok(points && points.split(' ').length >= 2, 'the chart has grown');
    } finally {
      pop.stdin!.end();
      await new Promise((r) => pop.once('exit', r));
    }
    await waitFor('pop3 back at 0', async () => (await pop3Open.textContent()) === '0');
    assert.match((await page.textContent('tr[data-listener="pop3"] td[data-label="Sessions since start"]')) ?? '', /^[1-9]/);
  });
  await close();
});

test('queue: a message for a domain whose MX does not answer is listed; retry now tries again; delete removes it', async () => {
  assert.match(await submitMail({ host: '127.0.0.1', port: server.port('submission'), from: BOB, password: BOB_PASSWORD, to: 'someone@far.test', subject: 'to nowhere', body: 'hello\n' }), /sent/);
  const { page, close } = await adminPage('queue');
  await withScreenshot(page, 'admin-queue', async () => {
    const row = page.locator('tr[data-id]').filter({ hasText: 'someone@far.test' });
    await row.waitFor();
    const attempts = row.locator('td[data-label="Attempts"]');
    await waitFor('the first attempt', async () => Number(await attempts.textContent()) >= 1);
    await waitFor('a last error', async () => ((await row.locator('td[data-label="Last error"]').textContent()) ?? '—') !== '—');
    assert.equal(await row.getAttribute('data-state'), 'deferred');
    const before = Number(await attempts.textContent());
    await row.getByRole('button', { name: /^Retry .* now$/ }).click();
    await waitFor('another attempt after retry now', async () => Number(await page.locator('tr[data-id]').filter({ hasText: 'someone@far.test' }).locator('td[data-label="Attempts"]').textContent()) > before);
    const id = await row.getAttribute('data-id');
    assert.ok(id);
    await page.locator(`tr[data-id="${id}"]`).getByRole('button', { name: `Delete ${id}` }).click();
    await page.locator(`tr[data-id="${id}"]`).waitFor({ state: 'detached' });
    const list = await server.cli(['queue', 'list']);
    assert.ok(!list.stdout.includes(id), list.stdout);
  });
  await close();
});

test('a ban made with septet ban add is listed and lifted in the page', async () => {
  const banned = await server.cli(['ban', 'add', '192.0.2.55', '--reason', 'made by the test']);
  assert.equal(banned.code, 0, banned.stderr);
  const { page, close } = await adminPage('bans');
  await withScreenshot(page, 'admin-bans', async () => {
    const row = page.locator('tr[data-source="192.0.2.55"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /made by the test/);
    await row.getByRole('button', { name: 'Lift the ban of 192.0.2.55' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await server.cli(['ban', 'list'])).stdout, '');
  });
  await close();
});

test('the status page counts accepted and delivered messages and HTTPS octets, summed over both workers', async () => {
  assert.match(await submitMail({ host: '127.0.0.1', port: server.port('submission'), from: BOB, password: BOB_PASSWORD, to: ADMIN, subject: 'local one', body: 'hello\n' }), /sent/);
  const { page, close } = await adminPage('status');
  await withScreenshot(page, 'admin-status-counters', async () => {
    await waitFor('both workers counted', async () => (await page.textContent('#admin-processes')) === '2');
    // The far.test message and this one (whichever worker took each).
    await waitFor('messages accepted', async () => Number(await page.textContent('#admin-accepted')) >= 2);
    assert.ok(Number(await page.textContent('#admin-delivered')) >= 1, 'the local one is in a mailbox');
    assert.equal(await page.textContent('#admin-relayed'), '0', 'nothing reached far.test');
    const https = (await page.textContent('tr[data-service="https"] td[data-label="Out"]')) ?? '';
    assert.match(https, /KiB|MiB/, `HTTPS octets out: ${https}`);
  });
  await close();
});

test('on a phone, with the keyboard only: add an alias, see its domain, delete it after the confirmation', async () => {
  const context = await browser.context({ phone: true });
  const page = await context.newPage();
  let asked = '';
  page.on('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.accept();
  });
  await withScreenshot(page, 'admin-alias-keyboard', async () => {
    await signInPage(page, base, ADMIN, ADMIN_PASSWORD);
    await page.goto(`${base}/console/#/admin/aliases`);
    await page.waitForSelector('#admin-aliases-section');
    await page.focus('#admin-alias-name');
    await page.keyboard.type('sales@shop.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type(BOB);
    await page.keyboard.press('Enter');
    const row = page.locator('tr[data-alias="sales@shop.test"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /bob@example\.test/);

    await page.goto(`${base}/console/#/admin/domains`);
    const domain = page.locator('tr[data-domain="shop.test"]');
    await domain.waitFor();
    assert.equal(await domain.locator('td[data-label="Aliases"]').textContent(), '1');
    assert.equal(await domain.locator('td[data-label="Users"]').textContent(), '0');

    await page.goto(`${base}/console/#/admin/aliases`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Delete alias sales@shop.test' }).focus();
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    assert.match(asked, /Delete the alias sales@shop\.test/);
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'admin-heading', 'the focus goes on from the heading');
    const width = await page.evaluate('document.documentElement.scrollWidth');
    assert.ok(Number(width) <= 390, `no sideways scrolling on a phone (${width}px)`);
  });
  await context.close();
});

test('the log page shows both workers\' recent lines, newest first, filtered by level, and no password typed anywhere', async () => {
  const { page, close } = await adminPage('logs');
  await withScreenshot(page, 'admin-logs', async () => {
    const rows = page.locator('#admin-logs tbody tr');
    await rows.first().waitFor();
    const where = await page.locator('#admin-logs td[data-label="Where"]').allTextContents();
    assert.ok(where.some((w) => w.includes('worker 1')) && where.some((w) => w.includes('worker 2')), `both workers: ${[...new Set(where)].join(' | ')}`);
    const text = (await page.textContent('#admin-logs')) ?? '';
    assert.match(text, /login/, 'sign-ins are logged');
    for (const secret of [ADMIN_PASSWORD, BOB_PASSWORD, 'carol secret']) assert.ok(!text.includes(secret), `no "${secret}" on the log page`);
    const times = await page.locator('#admin-logs td[data-label="Time"]').count();
    assert.ok(times > 10);
    await page.selectOption('#admin-log-level', 'warn');
    await waitFor('only warnings and worse', async () => {
      const levels = await page.locator('#admin-logs td[data-label="Level"]').allTextContents();
      return levels.every((l) => ['warn', 'error', 'fatal'].includes(l)) && ((await page.locator('#admin-logs p.admin-empty').count()) > 0 || levels.length > 0);
    });
  });
  await close();
});
