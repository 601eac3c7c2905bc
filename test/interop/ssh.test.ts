// The SSH server against Debian's OpenSSH client (ssh, sftp, scp, ssh-keyscan,
// ssh-keygen) on a running Septet: password and keyboard-interactive logins through
// SSH_ASKPASS (no terminal: a new session, as the shared peers' bench does), public
// keys made by ssh-keygen and added with `septet ssh key add`, the algorithms offered
// and refused, forwarding refused, bans and the login throttle, and raw sockets that
// send garbage, stall, or claim huge packets.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ByteClient } from '../../src/core/testing/byte-client.ts';
import { curl, prepareSeptet, removeDir, waitFor, type SeptetProcess } from './harness.ts';

const execFileP = promisify(execFile);
const OFFSET = 2000;
const USER = 'alice@ssh.test';
const PASSWORD = 'alice-secret';
let server: SeptetProcess;
let work: string;
let askpass: string;

before(async () => {
  server = await prepareSeptet({
    offset: OFFSET,
    // A short login deadline, so the stalled-client test is quick.
    toml: ['[limits]', 'preauth_deadline = 4', '[ssh]', 'max_auth_tries = 6'].join('\n'),
  });
  work = await mkdtemp(join(tmpdir(), 'septet-ssh-'));
  askpass = join(work, 'askpass.sh');
  await writeFile(askpass, '#!/bin/sh\nprintf "%s\\n" "$TEST_SSH_PASSWORD"\n');
  await chmod(askpass, 0o700);
  await server.addUsers({ [USER]: PASSWORD, 'bob@ssh.test': 'bob-secret', 'throttled@ssh.test': 'right-one' });
  // Fingerprints before the first start: the CLI makes the keys the server then uses.
  fingerprintsBeforeStart = await server.cli(['ssh', 'fingerprints']);
  await server.start();
});
after(async () => {
  await server?.stop();
  if (work) await removeDir(work);
});
let fingerprintsBeforeStart: { stdout: string; stderr: string; code: number };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs an OpenSSH tool in a new session (no controlling terminal: SSH_ASKPASS answers). */
function run(command: string, args: string[], options: { password?: string; input?: string | Buffer; timeoutMs?: number } = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: '', SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', TEST_SSH_PASSWORD: options.password ?? '' };
    const child = spawn(command, args, { detached: true, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

const common = (port = server.port('ssh')) => ['-o', `Port=${port}`, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10'];
/** Password (or keyboard-interactive) login only: keys are not offered. */
const byPassword = (user = USER) => [...common(), '-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1', '-o', `User=${user}`];
/** Key login only, with this identity. */
const byKey = (key: string, user = USER) => [...common(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no', '-i', key, '-o', `User=${user}`];

async function keygen(name: string, type: string, bits?: number): Promise<string> {
  const file = join(work, name);
  await execFileP('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', name, '-f', file]);
  return file;
}

test('septet ssh fingerprints equals ssh-keyscan | ssh-keygen -lf, and the start log names them', async () => {
  assert.equal(fingerprintsBeforeStart.code, 0, fingerprintsBeforeStart.stderr);
  const ours = [...fingerprintsBeforeStart.stdout.matchAll(/^(\d+) (SHA256:[A-Za-z0-9+/]+) \S+ \((\w+)\)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();
  assert.equal(ours.length, 3, fingerprintsBeforeStart.stdout);
  const scan = await execFileP('ssh-keyscan', ['-p', String(server.port('ssh')), '-t', 'ed25519,ecdsa,rsa', '127.0.0.1'], { timeout: 20_000 });
  const scanned = join(work, 'scanned');
  await writeFile(scanned, scan.stdout);
  const listed = await execFileP('ssh-keygen', ['-lf', scanned]);
  const theirs = [...listed.stdout.matchAll(/^(\d+) (SHA256:[A-Za-z0-9+/]+) \S+ \((\w+)\)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();
  assert.deepEqual(theirs, ours);
  assert.ok(ours.some((line) => line.startsWith('3072 ') && line.endsWith(' RSA')), 'RSA 3072');
  for (const line of ours) assert.ok(server.output.includes(line.split(' ')[1]!), `start log has ${line}`);
  assert.match(server.output, /ssh crypto: (native|pure JavaScript)/);
  // Again: the same keys (made once, kept).
  const again = await server.cli(['ssh', 'fingerprints']);
  assert.equal(again.stdout, fingerprintsBeforeStart.stdout);
});

test('password login through SSH_ASKPASS runs a console command', async () => {
  const r = await run('ssh', [...byPassword(), '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), USER);
  // OpenSSH asked through keyboard-interactive or password: either is logged as the method.
  assert.match(server.output, /"user":"alice@ssh\.test","method":"(keyboard-interactive|password)".*"msg":"ssh login"/);
});

test('ssh -tt: a pty shell is the console with its line editor, not an OS shell', async () => {
  // Keystrokes a little apart, as typed: the console reads them through its line editor.
  const child = spawn('ssh', ['-tt', ...byPassword(), '127.0.0.1'], {
    detached: true,
    env: { ...process.env, DISPLAY: '', SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', TEST_SSH_PASSWORD: PASSWORD },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const until = async (text: string) => {
    for (let i = 0; i < 100 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(out.includes(text), `waiting for ${JSON.stringify(text)} in ${JSON.stringify(out)}`);
  };
  await until(`${USER}> `);
  child.stdin.write('whoami\r');
  await until(`\r\n${USER}\r\n`);
  child.stdin.write('ls /etc\r');
  await new Promise((r) => setTimeout(r, 500));
  child.stdin.write('exit\r');
  assert.equal(await exited, 0);
  assert.doesNotMatch(out, /passwd|hostname|fstab/, 'no operating-system command ran');
});

test('the password method proper (keyboard-interactive off) works too', async () => {
  const r = await run('ssh', [...byPassword(), '-o', 'KbdInteractiveAuthentication=no', '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), USER);
  assert.match(server.output, /"method":"password".*"msg":"ssh login"/);
});

test('a wrong password and an unknown user are refused alike', async () => {
  const wrong = await run('ssh', [...byPassword(), '127.0.0.1', 'whoami'], { password: 'not-it' });
  assert.equal(wrong.code, 255);
  assert.match(wrong.stderr, /Permission denied/);
  const unknown = await run('ssh', [...byPassword('nobody@ssh.test'), '127.0.0.1', 'whoami'], { password: 'not-it' });
  assert.equal(unknown.code, 255);
  assert.equal(unknown.stderr.replace('nobody@ssh.test', 'X'), wrong.stderr.replace(USER, 'X'));
  assert.equal(unknown.stdout, '');
});

test('public keys from ssh-keygen (Ed25519, ECDSA, RSA 2048) log in; unknown and short RSA keys are refused', async () => {
  const keys = { ed: await keygen('id_ed25519', 'ed25519'), ec: await keygen('id_ecdsa', 'ecdsa'), rsa: await keygen('id_rsa', 'rsa', 2048) };
  for (const file of Object.values(keys)) {
    const added = await server.cli(['ssh', 'key', 'add', USER, `${file}.pub`]);
    assert.equal(added.code, 0, added.stderr);
  }
  for (const [name, file] of Object.entries(keys)) {
    const r = await run('ssh', [...byKey(file), '127.0.0.1', 'whoami']);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), USER);
  }
  const fingerprint = (await execFileP('ssh-keygen', ['-lf', `${keys.ed}.pub`])).stdout.split(' ')[1]!;
  assert.ok(server.output.includes(`"method":"publickey","remote":"127.0.0.1","key":"${fingerprint}"`), 'the login line names the key');

  // Another user's key, and a key nobody has.
  const stranger = await keygen('id_stranger', 'ed25519');
  const r1 = await run('ssh', [...byKey(stranger), '127.0.0.1', 'whoami']);
  assert.equal(r1.code, 255);
  assert.match(r1.stderr, /Permission denied \(publickey/);
  const r2 = await run('ssh', [...byKey(keys.ed, 'bob@ssh.test'), '127.0.0.1', 'whoami']);
  assert.equal(r2.code, 255);
  // RSA 1024: refused (the store would not take it either, so the server is asked directly).
  const short = await keygen('id_rsa1024', 'rsa', 1024);
  const r3 = await run('ssh', [...byKey(short), '-o', 'PubkeyAcceptedAlgorithms=+ssh-rsa', '127.0.0.1', 'whoami']);
  assert.equal(r3.code, 255);
  // RSA with SHA-1 signatures ("ssh-rsa") even for a registered 2048-bit key.
  const r4 = await run('ssh', [...byKey(keys.rsa), '-o', 'PubkeyAcceptedAlgorithms=ssh-rsa', '127.0.0.1', 'whoami']);
  assert.equal(r4.code, 255, 'ssh-rsa (SHA-1) signature refused');
});

test('only modern algorithms are offered; old ones fail the negotiation', async () => {
  const verbose = await run('ssh', ['-vv', '-o', 'LogLevel=DEBUG2', ...byPassword(), '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(verbose.code, 0, verbose.stderr);
  const proposal = verbose.stderr.slice(verbose.stderr.indexOf('peer server KEXINIT proposal'));
  assert.match(proposal, /KEX algorithms: curve25519-sha256,curve25519-sha256@libssh\.org,ecdh-sha2-nistp256,kex-strict-s-v00@openssh\.com\r?\n/);
  assert.match(proposal, /host key algorithms: ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256\r?\n/);
  assert.match(proposal, /ciphers ctos: chacha20-poly1305@openssh\.com,aes256-gcm@openssh\.com,aes128-gcm@openssh\.com\r?\n/);
  assert.match(proposal, /compression ctos: none\r?\n/);

  for (const [what, args] of [
    ['ssh-rsa host key', ['-o', 'HostKeyAlgorithms=ssh-rsa']],
    ['aes128-ctr', ['-c', 'aes128-ctr']],
    ['aes256-cbc', ['-c', 'aes256-cbc']],
    ['diffie-hellman-group14-sha1', ['-o', 'KexAlgorithms=diffie-hellman-group14-sha1']],
    ['diffie-hellman-group-exchange-sha256', ['-o', 'KexAlgorithms=diffie-hellman-group-exchange-sha256']],
  ] as const) {
    // ssh keeps the first value of an option: these come before the common ones.
    const r = await run('ssh', ['-o', 'LogLevel=INFO', ...args, ...byPassword(), '127.0.0.1', 'whoami'], { password: PASSWORD });
    assert.equal(r.code, 255, what);
    assert.match(r.stderr, /Unable to negotiate|no matching/i, `${what}: ${r.stderr}`);
  }
  // Each cipher offered works, with each host key type.
  for (const cipher of ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com']) {
    const r = await run('ssh', [...byPassword(), '-c', cipher, '127.0.0.1', 'whoami'], { password: PASSWORD });
    assert.equal(r.code, 0, `${cipher}: ${r.stderr}`);
  }
  for (const hostKey of ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256']) {
    const r = await run('ssh', [...byPassword(), '-o', `HostKeyAlgorithms=${hostKey}`, '127.0.0.1', 'whoami'], { password: PASSWORD });
    assert.equal(r.code, 0, `${hostKey}: ${r.stderr}`);
  }
});

test('SFTP and legacy SCP over the session channel, byte for byte', async () => {
  const data = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const local = join(work, 'payload.bin');
  await writeFile(local, data);
  const back = join(work, 'back.bin');
  const sftp = await run('sftp', [...byPassword(), '-b', '-', '127.0.0.1'], { password: PASSWORD, input: `put ${local} up.bin\nget up.bin ${back}\n` });
  assert.equal(sftp.code, 0, sftp.stderr);
  assert.ok((await readFile(back)).equals(data), 'sftp round trip');

  const scpBack = join(work, 'scp-back.bin');
  const up = await run('scp', ['-O', ...byPassword(), local, '127.0.0.1:scp.bin'], { password: PASSWORD });
  assert.equal(up.code, 0, up.stderr);
  const down = await run('scp', ['-O', ...byPassword(), '127.0.0.1:scp.bin', scpBack], { password: PASSWORD });
  assert.equal(down.code, 0, down.stderr);
  assert.ok((await readFile(scpBack)).equals(data), 'scp -O round trip');
});

test('port forwarding, agent forwarding and X11 are refused', async () => {
  // -W: a direct-tcpip channel (RFC 4254 §7.2) to the server's own SMTP port.
  const direct = await run('ssh', [...byPassword(), '-W', `127.0.0.1:${server.port('smtp')}`, '127.0.0.1'], { password: PASSWORD });
  assert.notEqual(direct.code, 0);
  assert.match(direct.stderr, /open failed|administratively prohibited|stdio forwarding failed/i);
  assert.doesNotMatch(direct.stdout, /220/);
  // -R with ExitOnForwardFailure: tcpip-forward (§7.1) refused.
  const remote = await run('ssh', [...byPassword(), '-o', 'ExitOnForwardFailure=yes', '-R', '0:127.0.0.1:9', '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(remote.code, 255, remote.stderr);
  assert.match(remote.stderr, /remote port forwarding failed/i);
  // -A and -X: the session still runs, the requests are refused.
  const agent = await run('ssh', ['-A', '-X', ...byPassword(), '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(agent.code, 0, agent.stderr);
  assert.match(server.output, /X11 forwarding is refused/);
  assert.match(server.output, /port forwarding is refused/);
  assert.match(server.output, /"request":"tcpip-forward".*global request refused/);
});

test('a banned source is refused at connect', async () => {
  const banned = await server.cli(['ban', 'add', '127.0.0.3', '--duration', '600']);
  assert.equal(banned.code, 0, banned.stderr);
  const r = await run('ssh', [...byPassword(), '-b', '127.0.0.3', '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(r.code, 255);
  assert.match(r.stderr, /closed|reset|kex_exchange_identification/i);
  assert.match(server.output, /"remote":"127\.0\.0\.3","reason":"banned"/);
  await server.cli(['ban', 'del', '127.0.0.3']);
});

test('failed logins slow down (the shared throttle) and too many attempts disconnect', async () => {
  const attempt = () => run('ssh', [...byPassword('throttled@ssh.test'), '-b', '127.0.0.5', '127.0.0.1', 'whoami'], { password: 'wrong' });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await attempt();
    assert.equal(r.code, 255);
    times.push(r.ms);
  }
  // auth.throttle_free_failures = 3: the 4th waits 0.5 s, the 5th 1 s (base 500 ms, doubling).
  assert.ok(times[4]! >= times[0]! + 900, `delays ${times.join(', ')}`);
  assert.match(server.output, /"service":"ssh","remote":"127\.0\.0\.5","user":"throttled@ssh\.test","ok":false,"delayMs":1000/);

  // max_auth_tries: offering more keys than allowed ends the connection (OpenSSH counts offers too).
  const many: string[] = [];
  for (let i = 0; i < 7; i++) many.push('-i', await keygen(`many${i}`, 'ed25519'));
  const r = await run('ssh', [...common(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', ...many, '-o', `User=${USER}`, '127.0.0.1', 'whoami']);
  assert.equal(r.code, 255, r.stderr);
  // The client may see the disconnect before the server's log line is written.
  await waitFor('the disconnect logged', async () => /too many authentication attempts; disconnecting/.test(server.output), 10_000);
});

test('garbage instead of a banner, huge packets and stalled handshakes get closed; the server keeps serving', async () => {
  const port = server.port('ssh');
  // Not an SSH identification string (RFC 4253 §4.2).
  const garbage = new ByteClient(await ByteClient.connectTo(port));
  await garbage.waitFor((b) => b.includes('\r\n'), 5000, 'the server identification');
  assert.match((await garbage.line()).trim(), /^SSH-2\.0-Septet$/);
  garbage.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await garbage.closedByServer(5000);

  // A valid banner, then a packet length of 2^31 (RFC 4253 §6.1: at least 35000 must be supported; this is not).
  const huge = new ByteClient(await ByteClient.connectTo(port));
  await huge.line();
  huge.write('SSH-2.0-attacker\r\n');
  huge.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x04, 0, 0, 0, 0]));
  await huge.closedByServer(5000);

  // Binary noise of every length right after the banner.
  for (let i = 0; i < 20; i++) {
    const noise = new ByteClient(await ByteClient.connectTo(port));
    await noise.line();
    noise.write('SSH-2.0-noise\r\n');
    const bytes = Buffer.alloc(64 + i * 97);
    for (let j = 0; j < bytes.length; j++) bytes[j] = (j * 31 + i * 17) & 0xff;
    noise.write(bytes);
    await noise.closedByServer(6000).catch(() => noise.destroy());
  }

  // Many half-open connections (banner, then nothing) and one that stalls in the key
  // exchange: all closed by the login deadline (limits.preauth_deadline = 4 here).
  const stalled: ByteClient[] = [];
  for (let i = 0; i < 30; i++) {
    const c = new ByteClient(await ByteClient.connectTo(port));
    if (i % 2 === 0) c.write('SSH-2.0-stalling\r\n');
    stalled.push(c);
  }
  // Meanwhile a real client gets in.
  const ok = await run('ssh', [...byPassword(), '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(ok.code, 0, ok.stderr);
  const started = Date.now();
  await Promise.all(stalled.map((c) => c.closedByServer(15_000)));
  assert.ok(Date.now() - started < 15_000);
  assert.match(server.output, /no login before the deadline; disconnecting/);

  // And after all that, still serving.
  const after = await run('ssh', [...byPassword(), '127.0.0.1', 'whoami'], { password: PASSWORD });
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout.trim(), USER);
});

test('with two worker processes: one set of host keys, logins and SFTP work in each', async () => {
  // This one also offers AES-CTR for libssh2 1.10 (Debian 12's curl), tested below.
  const multi = await prepareSeptet({ offset: OFFSET + 100, workers: 2, toml: '[ssh]\nlegacy_ciphers = true' });
  try {
    await multi.addUsers({ [USER]: PASSWORD });
    await multi.start();
    const keys = [...multi.output.matchAll(/"msg":"ssh host key (\S+) (SHA256:\S+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.equal(new Set(keys).size, 3, `one set of keys logged: ${keys.join('; ')}`);
    const listed = await multi.cli(['ssh', 'fingerprints']);
    for (const key of keys) assert.ok(listed.stdout.includes(key.split(' ')[1]!), key);
    const port = multi.port('ssh');
    const opts = [...common(port), '-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1', '-o', `User=${USER}`];
    const results = await Promise.all(Array.from({ length: 6 }, () => run('ssh', [...opts, '127.0.0.1', 'whoami'], { password: PASSWORD })));
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), USER);
    }
    const workersSeen = new Set([...multi.output.matchAll(/"worker":(\d+)[^\n]*"msg":"ssh login"/g)].map((m) => m[1]));
    assert.equal(workersSeen.size, 2, 'both workers served logins');
    const local = join(work, 'multi.bin');
    await writeFile(local, Buffer.alloc(1 << 20, 0x5a));
    const sftp = await run('sftp', [...opts, '-b', '-', '127.0.0.1'], { password: PASSWORD, input: `put ${local} multi.bin\nls -l multi.bin\n` });
    assert.equal(sftp.code, 0, sftp.stderr);
    assert.match(sftp.stdout, /1048576/);

    // ssh.legacy_ciphers: curl's libssh2 1.10 (no AES-GCM, no chacha20) gets AES-CTR + HMAC-SHA2.
    const fetched = join(work, 'multi-curl.bin');
    const c = await curl(['--insecure', '-sS', '-u', `${USER}:${PASSWORD}`, '-o', fetched, `sftp://127.0.0.1:${port}/multi.bin`]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok((await readFile(fetched)).equals(Buffer.alloc(1 << 20, 0x5a)));
    // And an upload with curl -T, read back by curl over a new connection.
    const upload = join(work, 'curl-up.bin');
    const payload = Buffer.from(Array.from({ length: 700_001 }, (_, i) => (i * 31) & 0xff));
    await writeFile(upload, payload);
    const up = await curl(['--insecure', '-sS', '-u', `${USER}:${PASSWORD}`, '-T', upload, `sftp://127.0.0.1:${port}/curl-up.bin`]);
    assert.equal(up.code, 0, up.stderr);
    const back = join(work, 'curl-back.bin');
    const down = await curl(['--insecure', '-sS', '-u', `${USER}:${PASSWORD}`, '-o', back, `sftp://127.0.0.1:${port}/curl-up.bin`]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok((await readFile(back)).equals(payload));
    const ctr = await run('ssh', ['-c', 'aes256-ctr', '-o', 'MACs=hmac-sha2-256', ...opts, '127.0.0.1', 'whoami'], { password: PASSWORD });
    assert.equal(ctr.code, 0, ctr.stderr);
    const cbc = await run('ssh', ['-c', 'aes256-cbc', ...opts, '127.0.0.1', 'whoami'], { password: PASSWORD });
    assert.equal(cbc.code, 255, 'still no CBC');
  } finally {
    await multi.stop();
  }
});
