// The command line as an administrator uses it: users, aliases, sendmail and the
// queue, while the server runs; bad configuration; an old Node; clean shutdown.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertRunAsRoot, prepareSeptet, python, ROOT, runCli, SEPTET, uidOf, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
let server: SeptetProcess;

before(async () => {
  // The relay worker is off so that queued mail stays for `septet queue list`.
  server = await prepareSeptet({ offset: 24000, topLevelToml: 'domains = ["lists.cli.test"]', toml: '[relay]\nenabled = false' });
  assert.equal((await server.cli(['user', 'add', 'admin@cli.test', '--password', 'adminpw', '--admin'])).code, 0);
  await server.start();
});
after(async () => {
  await server?.stop();
});

const popCount = (user: string, password: string) =>
  python(
    `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
p.user(sys.argv[2])
try:
    p.pass_(sys.argv[3])
except poplib.error_proto as e:
    print('DENIED', e); sys.exit(0)
count = p.stat()[0]
subjects = []
for n in range(1, count + 1):
    subjects += [l.decode() for l in p.top(n, 0)[1] if l.startswith(b'Subject:')]
print('COUNT', count, subjects)
p.quit()
`,
    [String(server.port('pop3')), user, password],
  );

describe('users while the server runs', () => {
  test('user add takes effect at once; list shows it; passwd changes it; del removes it', async () => {
    const added = await server.cli(['user', 'add', 'Carol@CLI.test'], 'first-pw\n');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added Carol@cli\.test/);
    assert.match(await popCount('carol@cli.test', 'first-pw'), /COUNT 0/);

    const listed = await server.cli(['user', 'list']);
    assert.match(listed.stdout, /^admin@cli\.test\tadmin$/m);
    assert.match(listed.stdout, /^Carol@cli\.test$/m);

    const duplicate = await server.cli(['user', 'add', 'carol@cli.test', '--password', 'x']);
    assert.notEqual(duplicate.code, 0);
    assert.match(duplicate.stderr, /already exists/);

    assert.equal((await server.cli(['user', 'passwd', 'carol@cli.test'], 'second-pw\n')).code, 0);
    assert.match(await popCount('carol@cli.test', 'first-pw'), /DENIED/);
    assert.match(await popCount('carol@cli.test', 'second-pw'), /COUNT 0/);

    assert.equal((await server.cli(['user', 'del', 'carol@cli.test'])).code, 0);
    assert.match(await popCount('carol@cli.test', 'second-pw'), /DENIED/);
    const missing = await server.cli(['user', 'del', 'carol@cli.test']);
    assert.notEqual(missing.code, 0);
  });

  test('alias add/list/del route mail at once; postmaster reaches the administrators', async () => {
    assert.equal((await server.cli(['user', 'add', 'dave@cli.test', '--password', 'davepw'])).code, 0);
    assert.equal((await server.cli(['alias', 'add', 'sales@lists.cli.test', 'dave@cli.test'])).code, 0);
    assert.match((await server.cli(['alias', 'list'])).stdout, /^sales@lists\.cli\.test\tdave@cli\.test$/m);
    await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.sendmail('x@example.net', ['sales@lists.cli.test'], 'Subject: to the alias\\r\\n\\r\\nhi\\r\\n')
s.sendmail('x@example.net', ['postmaster@cli.test'], 'Subject: to postmaster\\r\\n\\r\\nhi\\r\\n')
s.sendmail('x@example.net', ['dave+news@cli.test'], 'Subject: plus address\\r\\n\\r\\nhi\\r\\n')
s.quit()
`,
      [String(server.port('smtp'))],
    );
    const dave = await popCount('dave@cli.test', 'davepw');
    assert.match(dave, /Subject: to the alias/);
    assert.match(dave, /Subject: plus address/);
    assert.match(await popCount('admin@cli.test', 'adminpw'), /Subject: to postmaster/);

    assert.equal((await server.cli(['alias', 'del', 'sales@lists.cli.test'])).code, 0);
    const refused = await python(
      `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
s.ehlo(); s.mail('x@example.net')
print(s.rcpt('sales@lists.cli.test'))
`,
      [String(server.port('smtp'))],
    );
    assert.match(refused, /\(550, b'5\.1\.1/);
  });

  test('sendmail reads a message on standard input and delivers it (-t takes recipients from the headers)', async () => {
    assert.equal((await server.cli(['user', 'add', 'erin@cli.test', '--password', 'erinpw'])).code, 0);
    const direct = await server.cli(['sendmail', '-f', 'cron@cli.test', 'erin@cli.test'], 'Subject: from cron\n\nnightly job done\n');
    assert.equal(direct.code, 0, direct.stderr);
    const headers = await server.cli(['sendmail', '-t'], 'To: Erin <erin@cli.test>\nSubject: with -t\n\nbody\n');
    assert.equal(headers.code, 0, headers.stderr);
    const erin = await popCount('erin@cli.test', 'erinpw');
    assert.match(erin, /COUNT 2/);
    assert.match(erin, /Subject: from cron/);
    assert.match(erin, /Subject: with -t/);
    const queued = await server.cli(['sendmail', '-f', 'erin@cli.test', 'someone@far.example'], 'Subject: far\n\nx\n');
    assert.equal(queued.code, 0, queued.stderr);
    assert.match((await server.cli(['queue', 'list'])).stdout, /someone@far\.example/);
  });
});

describe('start-up', () => {
  test('bad configuration stops start-up with a message naming the key', async () => {
    const file = join(server.dataDir, '..', 'bad.toml');
    await writeFile(file, '[smtp]\nmax_message_size = "big"\n');
    const result = await runCli(['start', '--data', server.dataDir + '-bad', '--config', file, '--port-offset', '24500']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /smtp\.max_message_size/);
    await writeFile(file, '[smtp]\nmax_mesage_size = 10\n');
    const unknown = await runCli(['start', '--data', server.dataDir + '-bad', '--config', file, '--port-offset', '24500']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown key "smtp\.max_mesage_size"/);
  });

  test('the septet bin refuses a Node older than 26 with a clear message', async () => {
    // Debian's own nodejs package (18 on bookworm): scripts/test-deps.sh, the first step
    // of `npm test`, installs it when it is missing.
    const old = '/usr/bin/node';
    const version = await execFileP(old, ['--version']).then(
      (r) => r.stdout.trim(),
      (e: Error) => assert.fail(`precondition: an old Node at ${old} (Debian's nodejs; run scripts/test-deps.sh as root): ${e.message}`),
    );
    assert.ok(Number(version.slice(1).split('.')[0]) < 26, `precondition: ${old} must be a Node older than 26 (Debian's nodejs), it is ${version}`);
    const result = await execFileP(old, [SEPTET, 'start']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Node\.js 26 or newer is required/);
  });

  test('started as root, the server runs as its unprivileged user after binding', async () => {
    assertRunAsRoot('the privilege drop');
    const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
    // Real, effective, saved and filesystem uid: all the service user's (run_as = "septet").
    const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1).map(Number);
    assert.deepEqual(uids, Array(4).fill(await uidOf('septet')), 'the running server must not keep root');
  });

  test('a user who is not root gets the default port offset 10000 (SMTP on 10025)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'septet-nobody-'));
    await chmod(dir, 0o777);
    const root = process.getuid?.() === 0;
    const asNobody = root ? ['runuser', '-u', 'nobody', '--'] : [];
    let [node, bin] = [process.execPath, SEPTET];
    // The checkout may sit where `nobody` cannot reach it (say under /root): run a copy.
    const reachable = async (path: string) => !root || (await execFileP('runuser', ['-u', 'nobody', '--', 'test', '-r', path]).then(() => true, () => false));
    if (!(await reachable(node)) || !(await reachable(bin))) {
      const app = join(dir, 'app');
      await execFileP('mkdir', ['-p', app]);
      await execFileP('cp', ['-a', join(ROOT, 'bin'), join(ROOT, 'src'), join(ROOT, 'node_modules'), join(ROOT, 'package.json'), app]);
      await execFileP('cp', [process.execPath, join(app, 'node')]);
      await execFileP('chmod', ['-R', 'a+rX', app]);
      [node, bin] = [join(app, 'node'), join(app, 'bin', 'septet.js')];
    }
    const [command, ...args] = [...asNobody, node, bin, 'start', '--data', join(dir, 'data'), '--listen', '127.0.0.1'];
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line:\n${output}`)), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString();
          if (output.includes('"septet ready"')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      assert.match(output, /smtp listening on 127\.0\.0\.1:10025/);
      assert.match(output, /pop3 listening on 127\.0\.0\.1:10110/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('SIGTERM shuts down cleanly with exit code 0', async () => {
    const other = await prepareSeptet({ offset: 24600 });
    await other.start();
    assert.equal(await other.stop(), 0);
    assert.match(other.output, /shutting down/);
    assert.match(other.output, /"stopped"/);
  });
});
