// Helpers for the network tests of core/net and core/tls: a capturing logger, a TLS
// provider serving one context, a polling wait and a manual clock. The socket client
// is core/testing/byte-client.ts. Not used by production code.

import { Writable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import pino, { type Logger } from 'pino';
import type { TlsProvider } from './connection.ts';

export interface CapturedLog {
  log: Logger;
  entries: Array<Record<string, unknown>>;
}

/** A pino logger at debug level whose lines are kept for assertions. */
export function capturingLogger(): CapturedLog {
  const entries: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) entries.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { log: pino({ level: 'debug' }, sink), entries };
}

/** A TlsProvider serving one fixed context. */
export function fixedTlsProvider(context: SecureContext): TlsProvider {
  return { contextFor: () => context };
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after timeoutMs. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A Clock (limits.ts) that moves only when a test advances it. */
export class ManualClock {
  private time = 0;
  private timers: Array<{ at: number; callback: () => void; cancelled: boolean }> = [];
  now(): number {
    return this.time;
  }
  setTimer(ms: number, callback: () => void): { cancel(): void } {
    const timer = { at: this.time + ms, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      due.cancelled = true;
      due.callback();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.time = end;
  }
  /** Timers still pending. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
