// IP type of service (RFC 791 §3.1, RFC 1349): a hint to routers about what a
// connection cares for. RFC 1123 §2.4 says applications MUST choose fitting TOS values;
// the values recommended for FTP (RFC 1349 Appendix A, after "Assigned Numbers") are
// minimum delay for the control connection and maximum throughput for data. Routers
// may ignore the hint, and we never fail because of it.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';

export const TYPE_OF_SERVICE = {
  /** IPTOS_LOWDELAY (RFC 1349 §4: 1000 = minimize delay). */
  lowdelay: 0x10,
  /** IPTOS_THROUGHPUT (RFC 1349 §4: 0100 = maximize throughput). */
  throughput: 0x08,
} as const;

export type TypeOfService = keyof typeof TYPE_OF_SERVICE;

let warned = false;

/**
 * Sets the socket's TOS octet (IPv4) or traffic class (IPv6). Returns false, and logs
 * once per process, when the platform or this Node does not support it.
 */
export function setTypeOfService(socket: Socket, kind: TypeOfService, log?: Logger): boolean {
  const tos = TYPE_OF_SERVICE[kind];
  const settable = socket as Socket & { setTypeOfService?: (tos: number) => unknown };
  try {
    if (typeof settable.setTypeOfService !== 'function') throw new Error('socket.setTypeOfService is not available in this Node version');
    settable.setTypeOfService(tos);
    return true;
  } catch (error) {
    if (!warned) {
      warned = true;
      log?.info({ err: (error as Error).message }, 'IP type of service is not supported here; continuing without it');
    }
    return false;
  }
}

/** The TOS octet now set on the socket, or null when it cannot be read. */
export function getTypeOfService(socket: Socket): number | null {
  const readable = socket as Socket & { getTypeOfService?: () => number };
  try {
    return typeof readable.getTypeOfService === 'function' ? readable.getTypeOfService() : null;
  } catch {
    return null;
  }
}
