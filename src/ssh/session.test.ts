// The SSH handler over a socket with ssh2's client: which engine each channel
// request reaches, the channel adapter (order of exit-status, EOF and close;
// back-pressure; abort on close), what is refused, and authentication rules.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Authenticator } from '../core/auth/types.ts';
import { clientModule, collect, PASSWORD, settle, SshFixture, USER, type ClientChannel, type TestClient } from './test-support.ts';

let fx: SshFixture;
let proves = 0;
let logins = 0;
before(async () => {
  fx = await SshFixture.start({
    configure: (config) => {
      config.ssh.max_sessions = 2;
      config.ssh.max_auth_tries = 4;
    },
    wrapAuth: (auth): Authenticator => ({
      canonicalUsername: (name) => auth.canonicalUsername(name),
      login: (attempt) => {
        logins++;
        return auth.login(attempt);
      },
      prove: (attempt, verify) => {
        proves++;
        return auth.prove!(attempt, verify);
      },
    }),
  });
});
after(async () => fx.close());

const open = <T>(f: (cb: (error: Error | undefined, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => f((error, value) => (error ? reject(error) : resolve(value))));

test('exec: an SCP command reaches the SCP engine, anything else the console; exit-status, then EOF, then close', async () => {
  const client = await fx.connect();
  const scp = await collect(await open<ClientChannel>((cb) => client.exec('scp -t .', cb)));
  assert.equal(scp.out.toString(), `scp:scp -t .:${USER}\n`);
  assert.equal(scp.code, 0);
  const command = await collect(await open<ClientChannel>((cb) => client.exec('whoami', cb)));
  assert.equal(command.out.toString(), `command:whoami:${USER}\n`);
  assert.deepEqual(command.order, ['exit', 'eof', 'close']);
  assert.equal(fx.calls.at(-1)!.peer.service, 'ssh');
  assert.equal(fx.calls.at(-1)!.peer.remoteAddress, '127.0.0.1');
  client.end();
});

test('an engine that fails reports on stderr with exit status 1; the connection goes on', async () => {
  const client = await fx.connect();
  fx.behaviour = async () => {
    await settle();
    throw new Error('boom');
  };
  try {
    const r = await collect(await open<ClientChannel>((cb) => client.exec('whoami', cb)));
    assert.equal(r.code, 1);
    assert.match(r.err.toString(), /internal error/);
  } finally {
    fx.behaviour = async (call, channel) => {
      await settle();
      channel.output.write(`${call.kind}\n`);
      channel.exit(0);
    };
  }
  const again = await collect(await open<ClientChannel>((cb) => client.exec('whoami', cb)));
  assert.equal(again.code, 0);
  client.end();
});

test('output waits for the client window: 8 MiB (four windows) arrive whole and in order', async () => {
  const size = 8 * 1024 * 1024;
  let waited = 0;
  fx.behaviour = async (_call, channel) => {
    await settle();
    const chunk = Buffer.alloc(64 * 1024);
    for (let sent = 0; sent < size; sent += chunk.length) {
      chunk.writeUInt32BE(sent, 0);
      if (!channel.output.write(Buffer.from(chunk))) {
        waited++;
        await new Promise((resolve) => channel.output.once('drain', resolve));
      }
    }
    channel.exit(3);
  };
  const client = await fx.connect();
  const all = await collect(await open<ClientChannel>((cb) => client.exec('big', cb)));
  assert.equal(all.out.length, size);
  for (let at = 0; at < size; at += 64 * 1024) assert.equal(all.out.readUInt32BE(at), at);
  assert.equal(all.code, 3);
  assert.ok(waited > 0, 'the engine saw back-pressure');
  client.end();
});

test('input reaches the engine from the first byte; closing the channel aborts its signal', async () => {
  let aborted: Promise<void> = Promise.resolve();
  let received = '';
  fx.behaviour = async (_call, channel) => {
    aborted = new Promise((resolve) => channel.signal.addEventListener('abort', () => resolve()));
    for await (const chunk of channel.input) {
      received += chunk.toString();
      if (received.includes('\n')) break;
    }
    await aborted;
  };
  const client = await fx.connect();
  const stream = await open<ClientChannel>((cb) => client.exec('cat', cb));
  stream.write('hello\n'); // sent at once after the exec reply
  const closed = collect(stream);
  await new Promise((resolve) => setTimeout(resolve, 200));
  stream.close();
  await closed;
  await aborted;
  assert.equal(received, 'hello\n');
  client.end();
});

test('shell with a pty: the engine gets the size and each window change', async () => {
  const sizes: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  fx.behaviour = async (call, channel) => {
    const t = call.terminal!;
    sizes.push(`${t.size.term} ${t.size.columns}x${t.size.rows}`);
    // The engine's work lasts until the resize (a shell returns when it is done).
    await new Promise<void>((resolve) =>
      t.onResize((size) => {
        sizes.push(`${size.columns}x${size.rows}`);
        channel.exit(0);
        done();
        resolve();
      }),
    );
  };
  const client = await fx.connect();
  const stream = await open<ClientChannel>((cb) => client.shell({ term: 'xterm-256color', cols: 100, rows: 30 }, cb));
  const r = collect(stream);
  await new Promise((resolve) => setTimeout(resolve, 100));
  stream.setWindow(40, 132, 0, 0);
  await finished;
  assert.equal((await r).code, 0);
  assert.deepEqual(sizes, ['xterm-256color 100x30', '132x40']);
  // Without a pty the console gets null.
  fx.behaviour = async (call, channel) => {
    await settle();
    channel.output.write(String(call.terminal));
    channel.exit(0);
  };
  const plain = await collect(await open<ClientChannel>((cb) => client.shell(false, cb)));
  assert.equal(plain.out.toString(), 'null');
  client.end();
});

test('the sftp subsystem reaches the SFTP engine; other subsystems, forwarding and X11 are refused', async () => {
  fx.behaviour = async (call, channel) => {
    await settle();
    channel.output.write(call.kind);
    channel.exit(0);
  };
  const client = await fx.connect();
  const sftp = await collect(await open<ClientChannel>((cb) => client.subsys('sftp', cb)));
  assert.equal(sftp.out.toString(), 'sftp');
  await assert.rejects(open<ClientChannel>((cb) => client.subsys('netconf', cb)));
  await assert.rejects(open<void>((cb) => client.forwardOut('127.0.0.1', 1234, '127.0.0.1', 25, cb)), /open failure|prohibited|Unable/i);
  await assert.rejects(open<void>((cb) => client.forwardIn('127.0.0.1', 0, cb)), /Unable to bind|request failed|failure/i);
  // X11 on an exec: refused, the command still runs (OpenSSH's ssh -X does the same).
  const x11 = await collect(await open<ClientChannel>((cb) => client.exec('whoami', { x11: true }, cb)).catch(() => open<ClientChannel>((cb) => client.exec('whoami', cb))));
  assert.equal(x11.code, 0);
  client.end();
});

test('ssh.max_sessions: a third session channel on one connection is refused', async () => {
  const release: Array<() => void> = [];
  fx.behaviour = (_call, channel) =>
    new Promise<void>((resolve) =>
      release.push(() => {
        channel.exit(0);
        resolve();
      }),
    );
  const client = await fx.connect();
  const a = await open<ClientChannel>((cb) => client.exec('one', cb));
  const b = await open<ClientChannel>((cb) => client.exec('two', cb));
  await assert.rejects(open<ClientChannel>((cb) => client.exec('three', cb)));
  const done = [collect(a), collect(b)];
  for (const r of release) r();
  await Promise.all(done);
  client.end();
});

/** A key pair ssh2 reads back (its Ed25519 keygen sometimes writes one it does not: host-keys.ts). */
function keyPair(type: 'ed25519' | 'ecdsa' | 'rsa', bits?: number) {
  const { utils } = clientModule();
  for (;;) {
    const pair = utils.generateKeyPairSync(type, bits ? { bits } : {});
    const pub = utils.parseKey(pair.public) as unknown;
    const priv = utils.parseKey(pair.private) as unknown;
    if (!(pub instanceof Error) && !(priv instanceof Error)) return pair;
  }
}

async function addKey(publicLine: string): Promise<void> {
  const blob = clientModule().utils.parseKey(publicLine).getPublicSSH();
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  await fx.store.sshKeys.add(fx.account.id, { algorithm: publicLine.split(' ')[0]!, publicKey: blob, fingerprint, comment: 'test' });
}

const failsLogin = (login: Record<string, unknown>) => assert.rejects(fx.connect(login), /authentication methods failed/);

test('public keys: the account\'s key logs in (through prove), key queries are not throttled, unknown accounts get the same refusal', async () => {
  const good = keyPair('ed25519');
  await addKey(good.public);
  const before = proves;
  const client: TestClient = await fx.connect({ username: USER, privateKey: good.private });
  assert.equal(proves, before + 1, 'one signature, through the throttle');
  client.end();

  // A key the account does not have: ssh2 sends a query first; refused, no throttle entry.
  const other = keyPair('ed25519');
  const p = proves;
  await failsLogin({ username: USER, privateKey: other.private });
  assert.equal(proves, p, 'key queries are not counted as failed logins');
  await failsLogin({ username: 'nobody@example.org', privateKey: good.private });
  assert.equal(proves, p);
  // The same refusal, word for word, for an account that does not exist.
  const refusal = async (login: Record<string, unknown>) => {
    try {
      (await fx.connect(login)).end();
    } catch (error) {
      return (error as Error).message;
    }
    return assert.fail('logged in');
  };
  assert.equal(await refusal({ username: 'nobody@example.org', privateKey: other.private }), await refusal({ username: USER, privateKey: other.private }));

  // RSA below 2048 bits: refused even when registered.
  const small = keyPair('rsa', 1024);
  await addKey(small.public);
  await failsLogin({ username: USER, privateKey: small.private });
  const rsa = keyPair('rsa', 2048);
  await addKey(rsa.public);
  (await fx.connect({ username: USER, privateKey: rsa.private })).end();
});

test('passwords go through the authenticator; ssh.max_auth_tries disconnects', async () => {
  const before = logins;
  await failsLogin({ username: USER, password: 'wrong' });
  assert.ok(logins > before);
  // A client that keeps trying gets cut after max_auth_tries (4 here).
  const client = new (clientModule().Client)();
  let tries = 0;
  const ended = new Promise<string>((resolve) => {
    client.on('error', (error: Error) => resolve(error.message));
    client.on('close', () => resolve('closed'));
  });
  client.connect({
    host: '127.0.0.1',
    port: fx.served.port,
    username: USER,
    authHandler: (_methods: unknown, _partial: unknown, next: (method: unknown) => void) => {
      tries++;
      if (tries > 10) return next(false);
      next({ type: 'password', username: USER, password: `wrong-${tries}` });
    },
  });
  await ended;
  assert.ok(tries <= 5, `tries ${tries}`);
  (await fx.connect({ username: USER, password: PASSWORD })).end();
});
