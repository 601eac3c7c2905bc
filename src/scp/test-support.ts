// Test tools for the SCP engine: a fake account's home in a temporary data folder and
// an in-process ByteChannel fed with a scripted transcript, so a hostile or broken
// peer can be played byte by byte.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { defaultConfig } from '../core/config/load.ts';
import { silentLogger } from '../core/log/logger.ts';
import type { ByteChannel } from '../core/service/byte-channel.ts';
import { createScpService } from './server.ts';

export const ADDRESS = 'user@example.test';

export interface ScpFixture {
  dataDir: string;
  home: string;
  /** Runs one command with the given client octets (then end of input); what the engine wrote. */
  run(command: string, input: Buffer | string | (Buffer | string)[], options?: { quota?: number; transferLog?: string }): Promise<{ output: Buffer; errors: string; status: number }>;
  cleanup(): Promise<void>;
}

export async function scpFixture(): Promise<ScpFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'septet-scp-'));
  const home = join(dataDir, 'home', ADDRESS);
  await mkdir(home, { recursive: true });
  return {
    dataDir,
    home,
    async run(command, input, options = {}) {
      const config = defaultConfig();
      config.ftp.quota_bytes = options.quota ?? 0;
      config.ftp.transfer_log = options.transferLog ?? '';
      const service = createScpService({ config, dataDir, log: silentLogger() });
      const inStream = new PassThrough();
      const outStream = new PassThrough();
      const errStream = new PassThrough();
      const out: Buffer[] = [];
      let errors = '';
      outStream.on('data', (c: Buffer) => out.push(c));
      errStream.on('data', (c: Buffer) => (errors += c.toString('utf8')));
      let status = -1;
      const channel: ByteChannel = { input: inStream, output: outStream, errors: errStream, exit: (s) => (status = s), signal: new AbortController().signal };
      for (const part of Array.isArray(input) ? input : [input]) inStream.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part);
      inStream.end();
      const account = { id: 1, address: ADDRESS, passwordHash: '', admin: false, createdAt: new Date(), quotaBytes: null, sendAsDomain: false };
      await service.run(command, channel, { account, remoteAddress: '192.0.2.1', service: 'test', log: silentLogger() });
      await new Promise((r) => setImmediate(r));
      return { output: Buffer.concat(out), errors, status };
    },
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** The status octets and messages in what a sink wrote: "0" for 0x00, "W:text"/"F:text" for 0x01/0x02. */
export function statuses(output: Buffer): string[] {
  const list: string[] = [];
  let i = 0;
  while (i < output.length) {
    const c = output[i]!;
    if (c === 0) {
      list.push('0');
      i++;
    } else if (c === 1 || c === 2) {
      const lf = output.indexOf(0x0a, i);
      const end = lf < 0 ? output.length : lf;
      list.push(`${c === 1 ? 'W' : 'F'}:${output.subarray(i + 1, end).toString('utf8')}`);
      i = end + 1;
    } else {
      list.push(`?${c}`);
      i++;
    }
  }
  return list;
}
