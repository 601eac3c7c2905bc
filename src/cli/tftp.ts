// septet tftp get|put HOST[:PORT] REMOTE [LOCAL] [--mode octet|netascii]
//   [--blksize N] [--windowsize N] [--timeout SECONDS] [--retries N]
// get: LOCAL defaults to the last part of REMOTE; "-" writes to standard output.
// put: LOCAL (the file sent) defaults to REMOTE.
// A progress bar is drawn on standard error when it is a terminal.

import { basename } from 'node:path';
import { isIP } from 'node:net';
import { parse, UsageError } from './args.ts';
import { tftpGet, tftpPut, type TftpClientOptions, type TransferResult } from '../tftp/client/client.ts';
import { MAX_BLKSIZE, MAX_WINDOWSIZE, MIN_BLKSIZE } from '../tftp/options.ts';

const options = {
  mode: { type: 'string' },
  blksize: { type: 'string' },
  windowsize: { type: 'string' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
} as const;

/** "host", "host:69", "[::1]:69", "::1" (a bare IPv6 address has no port). */
export function parseHostPort(text: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: portOf(bracketed[2]) };
  if (isIP(text) === 6) return { host: text, port: 69 };
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { host: text, port: 69 };
  return { host: text.slice(0, colon), port: portOf(text.slice(colon + 1)) };
}

function portOf(text: string | undefined): number {
  if (text === undefined) return 69;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UsageError(`tftp: bad port "${text}"`);
  return port;
}

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`tftp: --${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A one-line progress bar, redrawn at most 10 times a second. */
function progressBar(label: string): { update: (done: number, total: number | null) => void; finish: () => void } {
  const startedAt = Date.now();
  let drawnAt = 0;
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const draw = (done: number, total: number | null) => {
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
    const rate = `${mib(done / seconds)} MiB/s`;
    let bar = '';
    if (total !== null && total > 0) {
      const width = 30;
      const filled = Math.min(width, Math.round((done / total) * width));
      bar = `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor((done / total) * 100)}% `;
    }
    process.stderr.write(`\r${label} ${bar}${mib(done)} MiB ${rate}   `);
  };
  let last: [number, number | null] = [0, null];
  return {
    update(done, total) {
      last = [done, total];
      const now = Date.now();
      if (now - drawnAt < 100) return;
      drawnAt = now;
      draw(done, total);
    },
    finish() {
      draw(...last);
      process.stderr.write('\n');
    },
  };
}

export async function tftpCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, options);
  const [action, target, remote, localArg] = positionals;
  if ((action !== 'get' && action !== 'put') || !target || !remote || positionals.length > 4) {
    throw new UsageError('tftp: expected get|put HOST[:PORT] REMOTE [LOCAL]');
  }
  const mode = values.mode ?? 'octet';
  if (mode !== 'octet' && mode !== 'netascii') throw new UsageError('tftp: --mode must be octet or netascii');
  const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutS !== undefined && !(timeoutS > 0 && timeoutS <= 255)) throw new UsageError('tftp: --timeout must be seconds from 0.01 to 255');
  const { host, port } = parseHostPort(target);
  const bar = process.stderr.isTTY ? progressBar(`${action} ${remote}`) : null;
  const client: TftpClientOptions = {
    host,
    port,
    mode,
    blksize: intOption(values.blksize, 'blksize', MIN_BLKSIZE, MAX_BLKSIZE),
    windowsize: intOption(values.windowsize, 'windowsize', 1, MAX_WINDOWSIZE),
    timeoutMs: timeoutS === undefined ? 1000 : Math.max(10, Math.round(timeoutS * 1000)),
    // RFC 2349 timeouts are whole seconds; a shorter local timeout is not sent.
    sendTimeout: timeoutS !== undefined && timeoutS >= 1,
    retries: intOption(values.retries, 'retries', 1, 100) ?? 5,
    ...(bar ? { onProgress: bar.update } : {}),
  };
  let result: TransferResult;
  if (action === 'get') {
    const local = localArg ?? basename(remote);
    result = await tftpGet(client, remote, local === '-' ? process.stdout : local);
  } else {
    result = await tftpPut(client, remote, localArg ?? remote);
  }
  bar?.finish();
  if (process.stderr.isTTY || action === 'put') {
    const seconds = Math.max(result.ms / 1000, 0.001);
    process.stderr.write(`${result.octets} octets in ${seconds.toFixed(2)} s (${(result.octets / seconds / 1048576).toFixed(1)} MiB/s, blksize ${result.blksize}, windowsize ${result.windowsize})\n`);
  }
}
