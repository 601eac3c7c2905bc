// The entry of a worker process (forked by primary.ts). It waits for its settings and
// slot, starts the server without binding (the primary accepts; each socket comes
// with a 'connection' message), and reports every connection that ends, so the
// primary can balance. Signals are the primary's business: SIGINT and SIGHUP (also
// sent to the whole terminal's process group) are ignored here, the primary forwards
// what they mean; SIGTERM sent to this worker alone stops it gracefully (and the
// primary starts another). If the primary goes away, the worker stops too.

import type { Socket } from 'node:net';
import { ConfigError } from '../../core/config/load.ts';
import { createLogger, type Logger } from '../../core/log/logger.ts';
import { FolderAccessError } from '../../core/os/folder-check.ts';
import { startServer, type RunningServer } from '../../server.ts';
import type { ToPrimary, ToWorker } from './messages.ts';

/** After a stop, the process exits at the latest this long after its last session. */
const EXIT_AFTER_STOP_MS = 5_000;

const say = (message: ToPrimary) => {
  if (process.connected) process.send!(message);
};

function exitCodeOf(error: unknown): number {
  if (error instanceof ConfigError) return 78; // EX_CONFIG
  if (error instanceof FolderAccessError) return error.exitCode;
  return 1;
}

async function run(start: Extract<ToWorker, { kind: 'start' }>): Promise<void> {
  const { config, slot, count } = start;
  const log: Logger = createLogger({ level: config.log.level, ...(config.log.file ? { file: config.log.file } : {}), fields: { worker: slot } });
  let server: RunningServer;
  try {
    server = await startServer({ config, log, worker: { slot, count } });
  } catch (error) {
    process.stderr.write(`septet: worker ${slot}: ${(error as Error).message}\n`);
    const exitCode = exitCodeOf(error);
    say({ kind: 'failed', exitCode });
    process.exit(exitCode);
  }
  let stopping: Promise<void> | null = null;
  const stop = (graceMs: number) => {
    stopping ??= server
      .stop(graceMs)
      .catch((error: Error) => log.error({ err: error.message }, 'error while shutting down'))
      .finally(() => {
        log.info('worker stopped');
        setTimeout(() => process.exit(0), EXIT_AFTER_STOP_MS).unref();
        if (process.connected) process.disconnect?.();
      });
    return stopping;
  };

  process.on('message', (message: ToWorker, handle?: Socket) => {
    switch (message.kind) {
      case 'connection': {
        if (!handle) return;
        const accept = server.accept.get(message.listener);
        handle.once('close', () => say({ kind: 'closed', id: message.id }));
        if (!accept || stopping) handle.destroy();
        else accept(handle);
        return;
      }
      case 'reload':
        log.info('reloading certificates');
        server.tls.reload().catch((error: Error) => log.error({ err: error.message }, 'certificate reload failed'));
        return;
      case 'stop':
        void stop(message.graceMs);
        return;
    }
  });
  process.on('SIGTERM', () => void stop(10_000));
  process.on('disconnect', () => void stop(10_000));
  log.info('worker ready');
  say({ kind: 'ready' });
}

process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.once('message', (message: ToWorker) => {
  if (message.kind === 'start') void run(message);
});
