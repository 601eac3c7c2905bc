// Which write design holds with several processes on one SQLite store: every process
// writing itself (its own writer thread and group commit, waiting on SQLite's write
// lock with busy_timeout) — what `workers` does — against one process doing all the
// writes (the funnel's best case: no IPC hop counted). The same total of deliveries
// (10 KiB body fsynced, then the metadata commit, as SMTP does) from the same number of
// concurrent "sessions", split over 1 or 2 processes, in turn, ROUNDS times.
// usage: node bench/sqlite-writers.ts [--messages 3000] [--sessions 20] [--rounds 3]
// Prints RESULT lines (messages/s) and the ratio; never asserts.

import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openSqliteStore } from '../src/core/store/sqlite/sqlite-store.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '3000' }, sessions: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' }, child: { type: 'string' }, count: { type: 'string' }, account: { type: 'string' } } });
const body = Buffer.alloc(10240, 'x');

async function child(dataDir: string, count: number, sessions: number, accountId: number): Promise<void> {
  const store = await openSqliteStore({ dataDir, fsync: true });
  process.send!({ ready: true });
  await new Promise((resolve) => process.once('message', resolve));
  let left = count;
  const session = async () => {
    while (left > 0) {
      left -= 1;
      const writer = await store.blobs.create();
      await writer.write(body);
      const { blobId, size } = await writer.commit();
      await store.messages.deliver({ blobId, size, internalDate: new Date(), local: [{ accountId }] });
    }
  };
  await Promise.all(Array.from({ length: sessions }, session));
  await store.close();
  process.send!({ done: true });
}

async function round(processes: number, messages: number, sessions: number): Promise<number> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'septet-writers-'));
  const setup = await openSqliteStore({ dataDir, fsync: true });
  const account = await setup.accounts.addUser('rcpt@example.test', 'x');
  await setup.mailboxes.ensureDefaultMailboxes(account.id);
  await setup.close();
  const children = Array.from({ length: processes }, () =>
    fork(import.meta.filename, ['--child', dataDir, '--count', String(messages / processes), '--sessions', String(sessions / processes), '--account', String(account.id)]),
  );
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', resolve))));
  const started = performance.now();
  const done = children.map((c) => new Promise((resolve) => c.once('message', resolve)));
  for (const c of children) c.send('go');
  await Promise.all(done);
  const rate = messages / ((performance.now() - started) / 1000);
  await rm(dataDir, { recursive: true, force: true });
  return rate;
}

if (values.child) {
  await child(values.child, Number(values.count), Number(values.sessions), Number(values.account));
} else {
  const messages = Number(values.messages);
  const sessions = Number(values.sessions);
  const rates: Record<number, number[]> = { 1: [], 2: [] };
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const processes of [1, 2]) {
      const rate = await round(processes, messages, sessions);
      rates[processes]!.push(rate);
      console.error(`round ${r + 1}: ${processes} process(es): ${rate.toFixed(0)} msg/s`);
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  console.log(`RESULT\tsqlite writers, 1 process (${sessions} sessions)\t${median(rates[1]!).toFixed(0)}\tmsg/s`);
  console.log(`RESULT\tsqlite writers, 2 processes (${sessions / 2} sessions each)\t${median(rates[2]!).toFixed(0)}\tmsg/s`);
  console.log(`RATIO\t2 processes / 1\t${(median(rates[2]!) / median(rates[1]!)).toFixed(2)}`);
}
