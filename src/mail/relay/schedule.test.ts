import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration, RetrySchedule, ScheduleError } from './schedule.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('relay schedule', () => {
  test('durations: units and a bare number of seconds; bad ones name the key', () => {
    assert.equal(parseDuration('30m', 'k'), 30 * MIN);
    assert.equal(parseDuration('2h', 'k'), 2 * HOUR);
    assert.equal(parseDuration('5d', 'k'), 5 * DAY);
    assert.equal(parseDuration('1500ms', 'k'), 1500);
    assert.equal(parseDuration('90', 'k'), 90_000);
    assert.throws(() => parseDuration('soon', 'relay.max_age'), (e: unknown) => e instanceof ScheduleError && /relay\.max_age/.test(e.message));
  });

  test('RFC 5321 §4.5.4.1 default: at once, +30 min (two tries in the first hour), then every 2 h, give up after 5 days', () => {
    const s = new RetrySchedule({ retry_schedule: ['30m', '2h'], max_age: '5d', delay_notice_after: '1d' });
    const created = new Date('2030-01-01T00:00:00Z');
    // The first attempt is at creation (nextAttemptAt = createdAt); after it failed:
    let now = created;
    const second = s.nextAttempt(created, 1, now)!;
    assert.equal(second.getTime() - created.getTime(), 30 * MIN);
    const third = s.nextAttempt(created, 2, second)!;
    assert.equal(third.getTime() - second.getTime(), 2 * HOUR);
    assert.equal(s.nextAttempt(created, 7, third)!.getTime() - third.getTime(), 2 * HOUR, 'the last wait repeats');
    // Count the attempts over 5 days: 1 + 1 + (5d - 30m) / 2h, and then one at the deadline.
    let attempts = 1;
    now = created;
    for (;;) {
      const next = s.nextAttempt(created, attempts, now);
      if (!next) break;
      now = next;
      attempts++;
    }
    assert.equal(now.getTime() - created.getTime(), 5 * DAY, 'the last attempt is at the 5-day deadline');
    assert.equal(attempts, 62);
    assert.ok(s.expired(created, now));
    assert.equal(s.nextAttempt(created, attempts, now), null);
  });

  test('delayed notice once after a day; 0 turns it off', () => {
    const s = new RetrySchedule({ retry_schedule: ['30m'], max_age: '5d', delay_notice_after: '1d' });
    const created = new Date('2030-01-01T00:00:00Z');
    assert.equal(s.delayNoticeDue(created, null, new Date(created.getTime() + 23 * HOUR)), false);
    assert.equal(s.delayNoticeDue(created, null, new Date(created.getTime() + DAY)), true);
    assert.equal(s.delayNoticeDue(created, new Date(), new Date(created.getTime() + 2 * DAY)), false, 'only once');
    const off = new RetrySchedule({ retry_schedule: ['30m'], max_age: '5d', delay_notice_after: '0' });
    assert.equal(off.delayNoticeDue(created, null, new Date(created.getTime() + 3 * DAY)), false);
    assert.throws(() => new RetrySchedule({ retry_schedule: [], max_age: '5d', delay_notice_after: '0' }), ScheduleError);
  });
});
