// septet start: runs every enabled service in the foreground until SIGINT/SIGTERM;
// with `workers` above 1, as a primary and that many worker processes
// (src/startup/workers/primary.ts), else in this one process.

import { createLogger } from '../core/log/logger.ts';
import { ConfigError } from '../core/config/load.ts';
import { startServer } from '../server.ts';
import { startPrimary, StartFailed, workerCount } from '../startup/workers/primary.ts';
import { loadSettings, parse } from './args.ts';

export async function startCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {
    hostname: { type: 'string' },
    listen: { type: 'string', multiple: true },
    'port-offset': { type: 'string' },
  });
  if (positionals.length > 0) throw new ConfigError(`start takes no arguments (got ${positionals.join(' ')})`);
  const { config } = await loadSettings(values);
  if (values.hostname) config.hostname = values.hostname;
  if (values.listen && values.listen.length > 0) config.listen = values.listen;
  if (values['port-offset'] !== undefined) {
    const offset = Number(values['port-offset']);
    if (!Number.isInteger(offset) || offset < 0 || offset > 60000) throw new ConfigError(`--port-offset must be a whole number from 0 to 60000`);
    config.port_offset = offset;
  }

  const log = createLogger({ level: config.log.level, ...(config.log.file ? { file: config.log.file } : {}) });
  const workers = workerCount(config);
  let server: { stop(graceMs: number): Promise<void>; reload(): void };
  if (workers > 1) {
    try {
      server = await startPrimary({ config, log, count: workers });
    } catch (error) {
      // The worker said why on standard error; its exit code is the command's.
      if (!(error instanceof StartFailed)) throw error;
      log.error({ err: error.message }, 'start failed');
      process.exitCode = error.exitCode;
      return;
    }
  } else {
    const single = await startServer({ config, log });
    server = {
      stop: (graceMs) => single.stop(graceMs),
      reload: () => single.tls.reload().catch((error: Error) => log.error({ err: error.message }, 'certificate reload failed')),
    };
  }
  log.info({ data: config.data, workers }, 'septet ready');

  const reload = () => {
    log.info('SIGHUP: reloading certificates');
    server.reload();
  };
  process.on('SIGHUP', reload);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn(`${signal} again: exiting at once`);
        process.exit(1);
      }
      stopping = true;
      log.info(`${signal}: shutting down`);
      server
        .stop(10_000)
        .catch((error: Error) => log.error({ err: error.message }, 'error while shutting down'))
        .finally(() => {
          log.info('stopped');
          resolve();
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  process.off('SIGHUP', reload);
}
