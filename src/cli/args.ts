// Option parsing shared by the commands: --data and --config everywhere.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import { loadConfig } from '../core/config/load.ts';
import type { Config } from '../core/config/schema.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const commonOptions = {
  data: { type: 'string' },
  config: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The configuration, with the data directory from --data, $SEPTET_DATA or the file. */
export async function loadSettings(values: { data?: string | boolean | undefined; config?: string | boolean | undefined }): Promise<{ config: Config; dataDir: string }> {
  const config = await loadConfig(typeof values.config === 'string' ? values.config : undefined);
  const dataDir = resolve(typeof values.data === 'string' ? values.data : (process.env.SEPTET_DATA ?? config.data));
  config.data = dataDir;
  return { config, dataDir };
}

/** A password from --password, or the first line of standard input. */
export async function readPassword(given: string | boolean | undefined): Promise<string> {
  if (typeof given === 'string') return given;
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(0x0a)) break;
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new UsageError('empty password');
  return line;
}
