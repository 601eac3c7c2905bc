// ssh.idle_timeout: an authenticated connection without channel traffic is closed
// with a DISCONNECT; one that keeps a channel busy is not.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, settle, SshFixture, type ClientChannel } from './test-support.ts';

let fx: SshFixture;
before(async () => {
  fx = await SshFixture.start({ configure: (config) => (config.ssh.idle_timeout = 1) });
});
after(async () => fx.close());

test('an idle connection is closed after ssh.idle_timeout; a busy channel keeps it open', async () => {
  // Busy: a command that writes every 300 ms for 2.5 s.
  fx.behaviour = async (_call, channel) => {
    await settle();
    for (let i = 0; i < 8; i++) {
      channel.output.write(`${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    channel.exit(0);
  };
  const busy = await fx.connect();
  const stream = await new Promise<ClientChannel>((resolve, reject) => busy.exec('tick', (error, s) => (error ? reject(error) : resolve(s))));
  const r = await collect(stream);
  assert.equal(r.code, 0);
  assert.equal(r.out.toString().split('\n').length, 9);

  // Idle: nothing after login; closed within about two seconds.
  const started = Date.now();
  const idle = await fx.connect();
  await new Promise<void>((resolve) => idle.once('close', () => resolve()));
  const ms = Date.now() - started;
  assert.ok(ms >= 900 && ms < 4000, `closed after ${ms} ms`);
  busy.end();
});
