// How many octets of a transfer a running server holds in its own memory, measured
// from outside through /proc (Linux): what it has taken in, less what it has passed
// on, with the kernel's socket queues counted on neither side. Deterministic, unlike
// a peak RSS, which moves with the garbage collector's schedule.

import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tcpQueues } from '../../src/core/testing/proc-net.ts';

/** Octets queued in the kernel, both ends, on the loopback connection between a client and a server port. */
export function kernelQueued(clientPort: number, serverPort: number, direction: 'to-server' | 'to-client'): number {
  const client = tcpQueues(clientPort, serverPort);
  const server = tcpQueues(serverPort, clientPort);
  return direction === 'to-server' ? client.tx + server.rx : server.tx + client.rx;
}

/** The descriptor number of a file the process has open whose path passes `matches`, or null. */
export function openFile(pid: number, matches: (path: string) => boolean): string | null {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (matches(target)) return fd;
  }
  return null;
}

/** Size of the file behind an open descriptor (what the process has written to it). */
export function openFileSize(pid: number, fd: string): number | null {
  try {
    return statSync(`/proc/${pid}/fd/${fd}`).size;
  } catch {
    return null;
  }
}

/**
 * Octets the process has read through read(2)-family calls, files and sockets alike
 * (rchar in /proc/PID/io): it counts the blob a server streams out as it reads it.
 */
export function octetsRead(pid: number): number {
  return Number(/^rchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}
