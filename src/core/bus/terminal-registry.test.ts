// The terminal registry: attach/detach/send in one process, and across processes over
// one folder (a second Node process attaches; this one sees and reaches it), with a
// crashed process's leftovers found stale and a garbage request answered harmlessly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LocalTerminalRegistry, SharedTerminalRegistry } from './terminal-registry.ts';
import type { TerminalNotice } from './terminals.ts';

const notice = (text: string): TerminalNotice => ({ from: 'a@example.test', text, at: new Date('2026-01-02T03:04:05Z') });

for (const [name, make] of [
  ['local', async () => ({ registry: new LocalTerminalRegistry(), done: async () => {} })],
  [
    'shared',
    async () => {
      const folder = await mkdtemp(join(tmpdir(), 'septet-term-'));
      const registry = new SharedTerminalRegistry({ folder });
      return { registry, done: async () => (await registry.close(), await rm(folder, { recursive: true, force: true })) };
    },
  ],
] as const) {
  test(`${name}: a notice reaches every attached terminal of the account and no other; detach is idempotent`, async () => {
    const { registry, done } = await make();
    try {
      const seen: string[] = [];
      assert.equal(await registry.hasTerminal(7), false);
      const a = registry.attach(7, (n) => seen.push(`a:${n.text}`));
      const b = registry.attach(7, (n) => seen.push(`b:${n.text}`));
      registry.attach(8, (n) => seen.push(`other:${n.text}`));
      registry.attach(7, () => {
        throw new Error('a broken terminal');
      }).detach();
      assert.equal(await registry.hasTerminal(7), true);
      assert.equal(await registry.send(7, notice('hi')), 2);
      a.detach();
      a.detach();
      assert.equal(await registry.send(7, notice('again')), 1);
      b.detach();
      assert.equal(await registry.hasTerminal(7), false);
      assert.equal(await registry.send(7, notice('none')), 0);
      assert.deepEqual(seen, ['a:hi', 'b:hi', 'b:again']);
    } finally {
      await done();
    }
  });
}

async function startPeer(folder: string, ...ids: number[]) {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'testing', 'terminal-peer.ts'), folder, ...ids.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const received: string[] = [];
  const ready = new Promise<void>((resolve) =>
    lines.on('line', (line) => {
      if (line === 'ready') resolve();
      else received.push(line);
    }),
  );
  await ready;
  return { child, received, stop: async () => (child.stdin!.end(), await once(child, 'exit')) };
}

test('shared: a terminal attached in another process is seen and reached; after it exits it is gone', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'septet-term-'));
  const registry = new SharedTerminalRegistry({ folder });
  try {
    const peer = await startPeer(folder, 42, 43);
    assert.equal(await registry.hasTerminal(42), true);
    assert.equal(await registry.hasTerminal(44), false);
    const mine: string[] = [];
    const local = registry.attach(42, (n) => mine.push(n.text));
    await local.ready;
    assert.equal(await registry.send(42, notice('Hello\r\nthere\r\n')), 2);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(peer.received.map((l) => JSON.parse(l)), [{ accountId: 42, from: 'a@example.test', text: 'Hello\r\nthere\r\n', at: '2026-01-02T03:04:05.000Z' }]);
    assert.deepEqual(mine, ['Hello\r\nthere\r\n']);
    local.detach();
    await peer.stop();
    assert.equal(await registry.hasTerminal(42), false);
    assert.equal(await registry.send(43, notice('x')), 0);
    assert.deepEqual((await readdir(folder)).filter((n) => n !== `${process.pid}.sock`), [], 'the peer cleaned up');
  } finally {
    await registry.close();
    await rm(folder, { recursive: true, force: true });
  }
});

test('shared: presence files of a dead process are stale hints, removed when its socket refuses', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'septet-term-'));
  const registry = new SharedTerminalRegistry({ folder });
  try {
    registry.attach(1, () => {}).detach(); // creates the folder lazily
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(join(folder, '5-999999-1'), '');
    assert.equal(await registry.hasTerminal(5), false);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual((await readdir(folder)).filter((n) => n.startsWith('5-')), []);
  } finally {
    await registry.close();
    await rm(folder, { recursive: true, force: true });
  }
});

test('shared: garbage and oversized requests on a terminal socket are answered 0 or cut, never shown', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'septet-term-'));
  const registry = new SharedTerminalRegistry({ folder });
  try {
    const seen: string[] = [];
    await registry.attach(3, (n) => seen.push(n.text)).ready;
    const ask = (payload: string) =>
      new Promise<string>((resolve) => {
        let answer = '';
        const s = createConnection(join(folder, `${process.pid}.sock`), () => s.write(payload));
        s.setEncoding('utf8');
        s.on('data', (c: string) => (answer += c));
        s.on('close', () => resolve(answer));
        s.on('error', () => {});
      });
    assert.equal(await ask('not json\n'), '{"n":0}\n');
    assert.equal(await ask('{"op":"send","accountId":3,"notice":{"from":1}}\n'), '{"n":0}\n');
    assert.equal(await ask('{"op":"count","accountId":"3"}\n'), '{"n":0}\n');
    assert.equal(await ask('x'.repeat(2 * 1024 * 1024)), '');
    assert.equal(await ask('{"op":"count","accountId":3}\n'), '{"n":1}\n');
    assert.deepEqual(seen, []);
    // One request per connection: what follows the first line, even in later chunks, is not run again.
    const send = JSON.stringify({ op: 'send', accountId: 3, notice: { from: 'a@b', text: 'once', at: new Date(0).toISOString() } });
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      const s = createConnection(join(folder, `${process.pid}.sock`), () => {
        s.write(`${send}\n`);
        setTimeout(() => s.write(`${send}\n`), 50);
      });
      s.setEncoding('utf8');
      s.on('data', (c: string) => (got += c));
      s.on('close', () => resolve(got));
      s.on('error', () => {});
      setTimeout(() => s.destroy(), 300);
    });
    assert.equal(answer, '{"n":1}\n');
    assert.deepEqual(seen, ['once']);
  } finally {
    await registry.close();
    await rm(folder, { recursive: true, force: true });
  }
});
