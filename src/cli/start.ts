// septet start: runs every enabled service in the foreground until SIGINT/SIGTERM.

import { createLogger } from '../core/log/logger.ts';
import { ConfigError } from '../core/config/load.ts';
import { startServer } from '../server.ts';
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
  const server = await startServer({ config, log });
  log.info({ data: config.data }, 'septet ready');

  const reload = () => {
    log.info('SIGHUP: reloading certificates');
    server.tls.reload().catch((error: Error) => log.error({ err: error.message }, 'certificate reload failed'));
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
