// The account page in Chromium against a running Septet, checked with real clients:
// a password changed in the page is the one imaplib logs in with (and the old one no
// longer), and the account's other browser is signed out; a key made by ssh-keygen and
// pasted in the page lets OpenSSH's ssh log in with it, and deleting it in the page
// stops that; a PuTTY key (puttygen) pasted in RFC 4716 form shows the fingerprint
// ssh-keygen -lf prints; the host fingerprints on the page are those of
// `ssh-keyscan | ssh-keygen -lf -`.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { signInPage, TestBrowser, withScreenshot } from './browser.ts';
import { prepareSeptet, python, removeDir, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
// 443 + 33100 = 33543 (IMAP of offset 33400, which no file uses): files-account's offsets.
const OFFSET = 33100;
const ALICE = 'alice@account.test';
const BOB = 'bob@account.test';
const ALICE_PASSWORD = 'alice old password';
let server: SeptetProcess;
let browser: TestBrowser;
let base: string;
let work: string;

before(async () => {
  server = await prepareSeptet({ offset: OFFSET, web: true });
  await server.addUsers({ [ALICE]: ALICE_PASSWORD, [BOB]: 'bob password' });
  await server.start();
  base = `https://127.0.0.1:${server.port('https')}`;
  browser = await TestBrowser.launch();
  work = await mkdtemp(join(tmpdir(), 'septet-web-account-'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) await removeDir(work);
});

/** imaplib over implicit TLS: "OK" or the error imaplib raised. */
async function imapLogin(user: string, password: string): Promise<string> {
  const out = await python(
    `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(sys.argv[1]), ssl_context=ctx)
try:
  typ, data = m.login(sys.argv[2], sys.argv[3])
  print(typ)
  m.logout()
except imaplib.IMAP4.error as e:
  print('REFUSED', e)
`,
    [String(server.port('imaps')), user, password],
  );
  return out.trim();
}

/** `ssh -i KEY -p PORT USER@127.0.0.1 whoami`, keys only, in a new session (no terminal). */
function sshWhoami(key: string, user: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = ['-i', key, '-p', String(server.port('ssh')), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10',
    '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no', `${user}@127.0.0.1`, 'whoami'];
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** "256 SHA256:... comment (ED25519)" lines of ssh-keygen -l → "256 SHA256:... ED25519". */
const keygenLines = (text: string) => [...text.matchAll(/^(\d+) (SHA256:[A-Za-z0-9+/]+) .* \((\w+)\)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();

test('a password changed in the page is the one imaplib logs in with; the old one is refused; the other browser is signed out', async () => {
  const context = await browser.context();
  const other = await browser.context({ phone: true });
  const page = await context.newPage();
  const otherPage = await other.newPage();
  await withScreenshot(page, 'account-password', async () => {
    await signInPage(otherPage, base, ALICE, ALICE_PASSWORD);
    await signInPage(page, base, ALICE, ALICE_PASSWORD);
    await page.goto(`${base}/console/#/account`);
    await page.waitForSelector('#password-form');
    assert.equal(await page.title(), 'Account — Septet');
    // A wrong current password is said, and changes nothing.
    await page.fill('#current-password', 'not the password');
    await page.fill('#new-password', 'alice new password');
    await page.fill('#repeat-password', 'alice new password');
    await page.click('#change-password');
    await page.waitForSelector('#password-message.error:text("current password is wrong")');
    // Keyboard: fields in order, Enter submits.
    await page.fill('#current-password', '');
    await page.focus('#current-password');
    await page.keyboard.type(ALICE_PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type('alice new password');
    await page.keyboard.press('Tab');
    await page.keyboard.type('alice new password');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#password-message:text("Password changed. 1 other session was signed out.")');
    // This page stays signed in; the other browser is back at the sign-in page.
    await page.reload();
    await page.waitForSelector('#password-form');
    await otherPage.goto(`${base}/console/`);
    await otherPage.waitForURL(/login\.html$/);
  });
  await context.close();
  await other.close();
  assert.equal(await imapLogin(ALICE, 'alice new password'), 'OK');
  assert.match(await imapLogin(ALICE, ALICE_PASSWORD), /^REFUSED/);
});

test('a key made by ssh-keygen, pasted in the page, logs ssh in; deleted in the page, it no longer does', async () => {
  const key = join(work, 'id_ed25519');
  await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bob@laptop', '-f', key]);
  const before = await sshWhoami(key, BOB);
  assert.notEqual(before.code, 0, 'no key yet: refused');
  const expected = keygenLines((await execFileP('ssh-keygen', ['-lf', `${key}.pub`])).stdout)[0]!;
  const context = await browser.context();
  const page = await context.newPage();
  await withScreenshot(page, 'account-ssh-key', async () => {
    await signInPage(page, base, BOB, 'bob password');
    await page.goto(`${base}/console/#/account`);
    await page.waitForSelector('#keys-list');
    await page.fill('#key-text', await readFile(`${key}.pub`, 'utf8'));
    await page.click('#add-key');
    const fingerprint = expected.split(' ')[1]!;
    await page.waitForSelector(`#keys-list tr[data-fingerprint="${fingerprint}"]`);
    assert.match(await page.innerText(`#keys-list tr[data-fingerprint="${fingerprint}"]`), /ED25519 256[\s\S]*bob@laptop/);
    const r = await sshWhoami(key, BOB);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), BOB);
    // Delete, with its confirmation.
    await page.click(`#keys-list tr[data-fingerprint="${fingerprint}"] button:text("Delete")`);
    await page.click(`#keys-list tr[data-fingerprint="${fingerprint}"] button:text("Yes, delete")`);
    await page.waitForSelector(`#keys-list tr[data-fingerprint="${fingerprint}"]`, { state: 'detached' });
  });
  await context.close();
  const after = await sshWhoami(key, BOB);
  assert.notEqual(after.code, 0, 'deleted: refused');
});

test('a PuTTY key pasted in RFC 4716 form shows the fingerprint ssh-keygen -lf prints', async () => {
  const ppk = join(work, 'putty.ppk');
  const rfc = join(work, 'putty.rfc');
  const empty = join(work, 'empty.pass');
  await writeFile(empty, '');
  await execFileP('puttygen', ['-t', 'rsa', '-b', '2048', '-C', 'rsa-key-putty', '-o', ppk, '--new-passphrase', empty], { timeout: 60_000 });
  await execFileP('puttygen', [ppk, '-O', 'public', '-o', rfc]);
  const rfcText = await readFile(rfc, 'utf8');
  assert.match(rfcText, /^---- BEGIN SSH2 PUBLIC KEY ----/);
  // ssh-keygen reads the RFC 4716 file through -i, then prints its fingerprint.
  const converted = join(work, 'putty.pub');
  await writeFile(converted, (await execFileP('ssh-keygen', ['-i', '-f', rfc])).stdout);
  const expected = keygenLines((await execFileP('ssh-keygen', ['-lf', converted])).stdout)[0]!;
  const [bits, fingerprint] = expected.split(' ');
  const context = await browser.context({ phone: true });
  const page = await context.newPage();
  await withScreenshot(page, 'account-putty-key', async () => {
    await signInPage(page, base, BOB, 'bob password');
    await page.goto(`${base}/console/#/account`);
    await page.waitForSelector('#keys-list');
    await page.fill('#key-text', rfcText);
    await page.click('#add-key');
    await page.waitForSelector(`#key-message :text("${fingerprint}")`);
    const row = `#keys-list tr[data-fingerprint="${fingerprint}"]`;
    await page.waitForSelector(row);
    assert.match(await page.innerText(row), new RegExp(`RSA ${bits}[\\s\\S]*rsa-key-putty`));
    // The same key again: said to be there already.
    await page.fill('#key-text', rfcText);
    await page.click('#add-key');
    await page.waitForSelector('#key-message .error:text("already")');
  });
  await context.close();
});

test('the host key fingerprints on the page are those of ssh-keyscan | ssh-keygen -lf -', async () => {
  const scan = await execFileP('ssh-keyscan', ['-p', String(server.port('ssh')), '-t', 'ed25519,ecdsa,rsa', '127.0.0.1'], { timeout: 20_000 });
  const listed = await new Promise<string>((resolve, reject) => {
    const child = execFile('ssh-keygen', ['-lf', '-'], (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin!.end(scan.stdout);
  });
  const theirs = keygenLines(listed);
  assert.equal(theirs.length, 3, listed);
  const context = await browser.context();
  const page = await context.newPage();
  await withScreenshot(page, 'account-host-keys', async () => {
    await signInPage(page, base, BOB, 'bob password');
    await page.goto(`${base}/console/#/account`);
    await page.waitForSelector('#host-keys tbody tr');
    const rows = await page.$$eval('#host-keys tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    const ours = rows.map(([type, bits, fingerprint]) => `${bits} ${fingerprint} ${type}`).sort();
    assert.deepEqual(ours, theirs);
  });
  await context.close();
});
