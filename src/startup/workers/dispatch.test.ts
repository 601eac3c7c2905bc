import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionDispatcher } from './dispatch.ts';

test('a client\'s connections spread over the workers, then go to the least loaded', () => {
  const d = new ConnectionDispatcher();
  assert.equal(d.assign('192.0.2.1'), null, 'no worker ready');
  d.add(1);
  d.add(2);
  const a = d.assign('192.0.2.1')!;
  const b = d.assign('192.0.2.1')!;
  assert.notEqual(a.slot, b.slot, 'the second connection of a client goes to the other worker');
  // Another client: both workers have one connection; then the one with fewer in all.
  const c = d.assign('192.0.2.2')!;
  const e = d.assign('192.0.2.2')!;
  assert.notEqual(c.slot, e.slot);
  d.closed(a.id);
  d.closed(c.id);
  assert.equal(d.openIn(1) + d.openIn(2), 2);
  const f = d.assign('192.0.2.3')!;
  const other = f.slot === 1 ? 2 : 1;
  assert.ok(d.openIn(f.slot) <= d.openIn(other) + 1);
});

test('a gone worker gets nothing; its connections are forgotten; one closed twice counts once', () => {
  const d = new ConnectionDispatcher();
  d.add(1);
  d.add(2);
  const first = d.assign('198.51.100.7')!;
  d.remove(first.slot);
  assert.equal(d.ready, 1);
  for (let i = 0; i < 5; i++) assert.notEqual(d.assign('198.51.100.7')!.slot, first.slot);
  d.closed(first.id);
  d.add(first.slot);
  assert.equal(d.openIn(first.slot), 0);
  const next = d.assign('198.51.100.7')!;
  assert.equal(next.slot, first.slot, 'the fresh worker has no connection from that client');
  d.closed(next.id);
  d.closed(next.id);
  assert.equal(d.openIn(first.slot), 0);
});

test('sequential connections (each closed before the next) alternate between workers', () => {
  const d = new ConnectionDispatcher();
  d.add(1);
  d.add(2);
  const slots = new Set<number>();
  for (let i = 0; i < 4; i++) {
    const c = d.assign('127.0.0.1')!;
    slots.add(c.slot);
    d.closed(c.id);
  }
  assert.deepEqual([...slots].sort(), [1, 2]);
});
