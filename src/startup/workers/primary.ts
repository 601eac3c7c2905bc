// Several worker processes on one machine (`workers`): this primary binds every TCP
// listener (as root where ports below 1024 need it), forks the workers, and passes
// each accepted connection, paused and unread, to one of them (dispatch.ts) with the
// socket as the IPC handle. Each worker serves whole connections over the one store;
// what must be coherent across them goes through the store: the change feed (IDLE,
// expunges, the relay queue), the shared maildrop locks (lock-file.ts), bans.
//
// Why not node:cluster or SO_REUSEPORT: both make the workers bind (cluster asks the
// primary lazily, per listen() call, which also catches the FTP data channels and
// TFTP's transfer sockets), so binding would need root after the privilege drop, when
// a worker is restarted; and with SO_REUSEPORT the connections waiting in a dead
// worker's accept queue are reset. Here the listening sockets never leave the primary,
// which reads no byte from the network, so a restarted worker loses nothing queued.
// The primary keeps the user it was started as, like Postfix's master and Dovecot's:
// each worker opens the store and the certificates, then drops root itself, as the
// single process does (src/startup/privileges.ts).
//
// The first worker starts alone (first-start work: schema, self-signed certificate,
// TFTP root), then the others. Worker 1 serves TFTP and runs the relay. A worker that
// exits while the server runs is started again in its slot (at once, then with a
// growing pause if it keeps dying at start); what it acknowledged is in the store.

import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../../core/config/schema.ts';
import { ListenerGroup } from '../../core/net/listener.ts';
import { connectionLimitsFrom } from '../../core/net/limits-config.ts';
import { sourceNetwork } from '../../core/net/address.ts';
import { ensureSystemUser, isRoot } from '../../core/os/privileges.ts';
import { makePrivateDir } from '../../core/os/private-files.ts';
import { effectivePortOffset } from '../../server.ts';
import { DeferredTls } from '../deferred.ts';
import { bindTcpListeners } from '../listeners.ts';
import { ConnectionDispatcher } from './dispatch.ts';
import type { ToPrimary, ToWorker } from './messages.ts';

const WORKER_ENTRY = new URL('./worker-main.ts', import.meta.url);
/** Connections that arrive while no worker is ready wait (paused) up to this many. */
const MAX_WAITING = 1024;
/** A worker that dies sooner than this after its start is restarted after a growing pause. */
const STABLE_MS = 10_000;
const MAX_RESTART_PAUSE_MS = 30_000;
/** After the grace period, workers still running get this long before SIGKILL. */
const STOP_MARGIN_MS = 5_000;

/** `workers`: 0 means one per core. */
export function workerCount(config: Config): number {
  return config.workers > 0 ? config.workers : availableParallelism();
}

export class StartFailed extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

interface Slot {
  readonly slot: number;
  child: ChildProcess | null;
  startedAt: number;
  quickDeaths: number;
}

export interface RunningPrimary {
  readonly workers: number;
  reload(): void;
  stop(graceMs?: number): Promise<void>;
}

export async function startPrimary({ config, log, count }: { config: Config; log: Logger; count: number }): Promise<RunningPrimary> {
  // Settled here once, so every worker (and a restarted one) uses the same ports.
  const workerConfig: Config = { ...config, port_offset: await effectivePortOffset(config) };
  await makePrivateDir(config.data);
  // Once, before any worker: two workers must not both run useradd.
  if (isRoot()) await ensureSystemUser(config.run_as);

  const dispatcher = new ConnectionDispatcher();
  const waiting: { listener: string; socket: Socket }[] = [];
  const slots: Slot[] = Array.from({ length: count }, (_, i) => ({ slot: i + 1, child: null, startedAt: 0, quickDeaths: 0 }));
  let stopping = false;

  const handOver = (listener: string, socket: Socket): void => {
    socket.on('error', () => socket.destroy());
    const assigned = dispatcher.assign(sourceNetwork(socket.remoteAddress ?? ''));
    if (!assigned) {
      if (waiting.length >= MAX_WAITING) socket.destroy();
      else waiting.push({ listener, socket });
      return;
    }
    const child = slots[assigned.slot - 1]!.child;
    const message: ToWorker = { kind: 'connection', listener, id: assigned.id };
    if (!child?.connected) {
      dispatcher.closed(assigned.id);
      socket.destroy();
      return;
    }
    child.send(message, socket, (error) => {
      if (!error) return;
      dispatcher.closed(assigned.id);
      socket.destroy();
    });
  };

  const group = new ListenerGroup({ log, tls: new DeferredTls(), limits: connectionLimitsFrom(config), handOver });
  const { bound } = await bindTcpListeners(workerConfig, group, workerConfig.port_offset);

  const launch = (slot: Slot): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = fork(WORKER_ENTRY, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      slot.child = child;
      slot.startedAt = Date.now();
      let ready = false;
      // A message to a worker that just died fails with an 'error': its exit follows.
      child.on('error', (error) => log.warn({ worker: slot.slot, err: error.message }, 'worker channel error'));
      child.on('message', (message: ToPrimary) => {
        if (message.kind === 'closed') dispatcher.closed(message.id);
        else if (message.kind === 'ready') {
          ready = true;
          dispatcher.add(slot.slot);
          for (const { listener, socket } of waiting.splice(0)) handOver(listener, socket);
          resolve();
        } else if (message.kind === 'failed') reject(new StartFailed(`worker ${slot.slot} could not start`, message.exitCode));
      });
      child.once('exit', (code, signal) => {
        dispatcher.remove(slot.slot);
        slot.child = null;
        if (!ready) reject(new StartFailed(`worker ${slot.slot} exited while starting (${signal ?? code})`, code ?? 1));
        if (ready && !stopping) restart(slot, code, signal);
      });
      child.send({ kind: 'start', config: workerConfig, slot: slot.slot, count } satisfies ToWorker);
    });

  const restart = (slot: Slot, code: number | null, signal: NodeJS.Signals | null): void => {
    slot.quickDeaths = Date.now() - slot.startedAt < STABLE_MS ? slot.quickDeaths + 1 : 0;
    const pauseMs = slot.quickDeaths === 0 ? 0 : Math.min(MAX_RESTART_PAUSE_MS, 500 * 2 ** slot.quickDeaths);
    log.error({ worker: slot.slot, code, signal, pauseMs }, `worker ${slot.slot} exited; starting it again`);
    setTimeout(() => {
      if (stopping) return;
      launch(slot).then(
        () => log.info({ worker: slot.slot, workerPid: slot.child?.pid }, `worker ${slot.slot} restarted`),
        (error: StartFailed) => {
          log.error({ worker: slot.slot, err: error.message }, 'worker restart failed');
          if (!stopping && !slot.child) restart(slot, error.exitCode, null);
        },
      );
    }, pauseMs).unref();
  };

  const stopWorkers = async (graceMs: number): Promise<void> => {
    const running = slots.map((s) => s.child).filter((c): c is ChildProcess => c !== null && c.exitCode === null && c.signalCode === null);
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => child.kill('SIGKILL'), graceMs + STOP_MARGIN_MS);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            if (child.connected) child.send({ kind: 'stop', graceMs } satisfies ToWorker);
            else child.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    // The first alone: it migrates the schema and makes what a first start makes.
    await launch(slots[0]!);
    await Promise.all(slots.slice(1).map(launch));
  } catch (error) {
    stopping = true;
    await group.close(0);
    await stopWorkers(0);
    throw error;
  }
  for (const l of bound) log.info({ service: l.name, address: l.address, port: l.port, workers: count }, `${l.name} listening on ${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`);

  return {
    workers: count,
    reload() {
      for (const { child } of slots) if (child?.connected) child.send({ kind: 'reload' } satisfies ToWorker);
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      // No new connections; those waiting for a worker are closed, the workers finish theirs.
      await group.close(0);
      for (const { socket } of waiting.splice(0)) socket.destroy();
      await stopWorkers(graceMs);
    },
  };
}
