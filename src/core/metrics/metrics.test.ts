// The counters and the one-line hooks: a session is open while it runs and adds its
// socket's octets when it ends; counters never go down; samples of several processes add up.

import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { countAccepted, countRelayed, countTransfer, trackSession } from './hooks.ts';
import { connectionOctets, messagesAccepted, messagesDelivered, metrics, MetricsRegistry, sessionsOpen, sessionsTotal, sumSamples, transferOctets } from './registry.ts';

const value = (samples: { labels: Record<string, string>; value: number }[], labels: Record<string, string>) =>
  samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;

test('trackSession: open while the session runs, counted once, octets added at the end', async () => {
  for (const f of [sessionsOpen, sessionsTotal, connectionOctets]) f.reset();
  const socket = { bytesRead: 20, bytesWritten: 400 } as { bytesRead: number; bytesWritten: number };
  let finish!: () => void;
  const session = new Promise<void>((resolve) => (finish = resolve));
  trackSession('imaps', socket as Socket, session);
  assert.equal(value(sessionsOpen.samples(), { listener: 'imaps' }), 1);
  assert.equal(value(sessionsTotal.samples(), { listener: 'imaps' }), 1);
  assert.equal(value(metrics.snapshot().filter((s) => s.name === connectionOctets.name), { listener: 'imaps', direction: 'out' }), 400, 'an open connection\'s octets so far');
  socket.bytesRead = 120;
  socket.bytesWritten = 3400;
  assert.equal(value(metrics.snapshot().filter((s) => s.name === connectionOctets.name), { listener: 'imaps', direction: 'out' }), 3400, 'read again at each snapshot');
  finish();
  await session;
  await new Promise((r) => setImmediate(r));
  assert.equal(value(sessionsOpen.samples(), { listener: 'imaps' }), 0);
  assert.equal(value(sessionsTotal.samples(), { listener: 'imaps' }), 1);
  assert.equal(value(connectionOctets.samples(), { listener: 'imaps', direction: 'in' }), 120);
  assert.equal(value(connectionOctets.samples(), { listener: 'imaps', direction: 'out' }), 3400);
  assert.equal(value(metrics.snapshot().filter((s) => s.name === connectionOctets.name), { listener: 'imaps', direction: 'out' }), 3400, 'counted once when it has ended');
  // A failed session ends too.
  const failed = Promise.reject(new Error('boom'));
  trackSession('imaps', socket as Socket, failed);
  await failed.catch(() => {});
  await new Promise((r) => setImmediate(r));
  assert.equal(value(sessionsOpen.samples(), { listener: 'imaps' }), 0);
});

test('messages and transfers; a counter ignores a negative amount', () => {
  for (const f of [messagesAccepted, messagesDelivered, transferOctets]) f.reset();
  countAccepted('smtp', 2);
  countAccepted('submission', 0);
  countRelayed([{ outcome: 'delivered' }, { outcome: 'deferred' }, { outcome: 'delivered' }]);
  countTransfer('sftp', 'upload', 1000);
  countTransfer('sftp', 'upload', -5);
  assert.equal(value(messagesAccepted.samples(), { via: 'smtp' }), 1);
  assert.equal(value(messagesAccepted.samples(), { via: 'submission' }), 1);
  assert.equal(value(messagesDelivered.samples(), { path: 'local' }), 2);
  assert.equal(value(messagesDelivered.samples(), { path: 'relay' }), 2);
  assert.equal(value(transferOctets.samples(), { service: 'sftp', direction: 'upload' }), 1000);
});

test('names are Prometheus-like and unique; sumSamples adds series of equal name and labels', () => {
  const registry = new MetricsRegistry();
  registry.counter('septet_x_total', 'x');
  assert.throws(() => registry.gauge('septet_x_total', 'again'));
  for (const f of [sessionsOpen, sessionsTotal, connectionOctets, messagesAccepted, messagesDelivered, transferOctets]) {
    assert.match(f.name, /^septet_[a-z_]+$/);
    if (f.kind === 'counter') assert.match(f.name, /_total$/);
  }
  const summed = sumSamples([
    [{ name: 'a', labels: { l: '1', m: '2' }, value: 1 }],
    [{ name: 'a', labels: { m: '2', l: '1' }, value: 2 }, { name: 'a', labels: { l: '2' }, value: 5 }],
  ]);
  assert.deepEqual(summed, [{ name: 'a', labels: { l: '1', m: '2' }, value: 3 }, { name: 'a', labels: { l: '2' }, value: 5 }]);
});
