// UDP sockets for TFTP. Sends go to IP literals only, so the sockets get a lookup
// that answers at once: dgram's default (dns.lookup) would cost a tick per packet.

import { createSocket, type Socket, type SocketType } from 'node:dgram';
import { isIP } from 'node:net';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

function literalLookup(address: string, options: unknown, callback?: LookupCallback): void {
  const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
  const family = isIP(address);
  if (family === 0) {
    const error: NodeJS.ErrnoException = new Error(`not an IP address: ${address}`);
    error.code = 'ENOTFOUND';
    return cb(error, address, 0);
  }
  cb(null, address, family);
}

export function udpSocket(type: SocketType, ipv6Only = false): Socket {
  return createSocket({ type, reuseAddr: false, ipv6Only, lookup: literalLookup as never });
}

export function socketTypeFor(address: string): SocketType {
  return isIP(address) === 6 ? 'udp6' : 'udp4';
}

export function bindSocket(socket: Socket, address: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** "50000-50100" → [50000, 50100]; "" → null. Throws on anything else. */
export function parsePortRange(text: string): [number, number] | null {
  if (text.trim() === '') return null;
  const match = /^\s*(\d{1,5})\s*[-:]\s*(\d{1,5})\s*$/.exec(text);
  const low = Number(match?.[1]);
  const high = Number(match?.[2]);
  if (!match || low < 1 || high > 65535 || low > high) throw new Error(`tftp.port_range must look like "50000-50100", not "${text}"`);
  return [low, high];
}

/**
 * A socket bound to a free port of the range (random start, then upwards, as
 * tftpd-hpa does), or to an ephemeral port when there is no range. Null when every
 * port of the range is taken.
 */
export async function bindTransferSocket(type: SocketType, address: string | undefined, range: [number, number] | null, taken: ReadonlySet<number>): Promise<Socket | null> {
  if (range === null) {
    const socket = udpSocket(type);
    await bindSocket(socket, address, 0);
    return socket;
  }
  const [low, high] = range;
  const size = high - low + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = low + ((start + i) % size);
    if (taken.has(port)) continue;
    const socket = udpSocket(type);
    try {
      await bindSocket(socket, address, port);
      return socket;
    } catch (error) {
      try {
        socket.close();
      } catch {
        // never bound: nothing to close
      }
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    }
  }
  return null;
}

/** Octets a receive buffer should hold for a window: each datagram costs its payload plus kernel overhead. */
const PER_DATAGRAM_OVERHEAD = 768;
const MAX_RECEIVE_BUFFER = 8 * 1024 * 1024;

/**
 * Grows the socket's receive buffer for a window of `windowsize` blocks and returns
 * the largest window that fits the buffer the kernel granted (net.core.rmem_max caps
 * it): a window larger than the buffer is dropped in part on every burst.
 */
export function fitReceiveWindow(socket: Socket, blksize: number, windowsize: number): number {
  if (windowsize <= 1) return 1;
  const perBlock = blksize + 4 + PER_DATAGRAM_OVERHEAD;
  try {
    socket.setRecvBufferSize(Math.min(MAX_RECEIVE_BUFFER, 2 * windowsize * perBlock));
  } catch {
    // keep the default size
  }
  let granted: number;
  try {
    // Linux reports twice the size set (the other half is its bookkeeping).
    granted = socket.getRecvBufferSize() / 2;
  } catch {
    return windowsize;
  }
  return Math.max(1, Math.min(windowsize, Math.floor(granted / perBlock)));
}
